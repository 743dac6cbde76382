"""Retention with a fixed clock and aged records: exactly the expired records lose their identity, the
protected report figures do not move, a second run finds nothing; and the erasure log, re-applied after a
restore, removes again what the restore brought back."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from safepassage.cases.models import Case
from safepassage.cases.services import case_open
from safepassage.imports.models import ImportJob
from safepassage.privacy import retention
from safepassage.privacy.models import ErasureLog
from safepassage.privacy.services import erase_person, reapply_erasures
from safepassage.registry import cells
from safepassage.registry.models import Person
from safepassage.testing import api_client
from tests.privacy.conftest import NAME, make_person, traces

pytestmark = pytest.mark.django_db
TODAY = date(2040, 6, 1)
BANGKOK = ZoneInfo("Asia/Bangkok")


def aged(obj, day: date, field: str = "updated_at") -> None:
    type(obj).objects.filter(pk=obj.pk).update(
        **{field: datetime(day.year, day.month, day.day, tzinfo=BANGKOK)}
    )


def scored(world, name: str, born: int, touched: date) -> Person:
    """A person counted in the report cells (high risk, female), last changed on `touched`."""
    person = Person.objects.create(
        agency=world.agency_a,
        village=world.village_1,
        given_name=name,
        family_name="Saelee",
        national_id="",
        sex="female",
        birth_year=born,
        current_band="high",
        current_index=80.0,
    )
    aged(person, touched)
    return person


def figures(world) -> tuple[str, str]:
    """The risk report as an analyst reads it (protected) and as the coordinator does (exact)."""
    cells.refresh()
    analyst = api_client(world.analyst_a).get("/api/v1/reports/risk?group_by=village,sex")
    coordinator = api_client(world.coordinator_a).get("/api/v1/reports/risk?group_by=village,sex")
    assert analyst.status_code == coordinator.status_code == 200
    return json.dumps(analyst.json(), sort_keys=True), json.dumps(coordinator.json(), sort_keys=True)


def test_exactly_the_expired_records_are_anonymised_and_the_figures_do_not_move(world, settings):
    settings.RETENTION = {**settings.RETENTION, "person_years": 5, "case_years": 10, "import_days": 90}
    stale = [scored(world, f"Old{i}", 1980, date(2030, 1, 1)) for i in range(14)]
    recent = [scored(world, f"New{i}", 1980, date(2038, 1, 1)) for i in range(3)]
    child = scored(world, "Young", 2028, date(2030, 1, 1))  # 12 in 2040: kept until 18 + 5 years
    long_case = scored(world, "Witness", 1980, date(2030, 1, 1))
    closed_long_ago = scored(world, "Former", 1980, date(2030, 1, 1))
    cases = {}
    for person, closed in ((long_case, date(2035, 3, 1)), (closed_long_ago, date(2028, 3, 1))):
        case = case_open(
            actor=world.caseworker_a, opened_on=date(2026, 1, 5), person=person, address="Soi 7, room 4"
        )
        Case.objects.filter(pk=case.pk).update(closed_on=closed, status="Closed")
        aged(person, date(2030, 1, 1))
        cases[person.pk] = case
    old_job = ImportJob.objects.create(
        agency=world.agency_a,
        kind="people",
        file_name="list.csv",
        stored_as="",
        preview=[{"row": 2, "values": {"given_name": "Old0"}, "ok": True}],
    )
    aged(old_job, date(2040, 1, 1), "created_at")
    keys = dict(Person.objects.values_list("pk", "record_key"))
    before = figures(world)

    dry = retention.apply(today=TODAY, dry_run=True)
    assert dry.counts["person"] == len(stale) + 1 and dry.counts["case"] == 1 and dry.counts["import"] == 1
    assert not Person.objects.filter(erased_at__isnull=False).exists()

    done = retention.apply(today=TODAY)

    erased = set(Person.objects.filter(erased_at__isnull=False).values_list("pk", flat=True))
    assert erased == {p.pk for p in stale} | {closed_long_ago.pk}
    assert not Person.objects.filter(pk__in=erased).exclude(given_name="").exists()
    assert Person.objects.get(pk=child.pk).given_name == "Young"
    assert Person.objects.get(pk=long_case.pk).given_name == "Witness"
    assert Case.objects.get(pk=cases[closed_long_ago.pk].pk).address == ""
    assert Case.objects.get(pk=cases[long_case.pk].pk).address == "Soi 7, room 4"
    assert all(Person.objects.get(pk=p.pk).given_name.startswith("New") for p in recent)
    old_job.refresh_from_db()
    assert old_job.preview == []
    assert dict(Person.objects.values_list("pk", "record_key")) == keys
    assert figures(world) == before
    assert done.counts == dry.counts
    assert ErasureLog.objects.filter(kind="retention").exists()
    assert all(traces(json.dumps(log.records)) == [] for log in ErasureLog.objects.all())
    # Idempotent: the next night finds nothing new.
    assert set(retention.apply(today=TODAY).counts.values()) == {0}


def test_a_child_is_kept_until_18_plus_the_period(world, settings):
    settings.RETENTION = {**settings.RETENTION, "person_years": 5}
    child = scored(world, "Young", 2020, date(2026, 1, 1))
    assert not retention.expired_people(date(2042, 12, 31)).filter(pk=child.pk).exists()  # 22
    assert retention.expired_people(date(2044, 1, 1)).filter(pk=child.pk).exists()  # 23: 18 + 5


def test_the_command_prints_a_summary_per_record_type_and_refuses_a_bad_date(world):
    scored(world, "Old", 1980, date(2030, 1, 1))
    out = io.StringIO()
    call_command("retention", "apply", "--dry-run", "--today", "2040-06-01", stdout=out)
    assert "person: 1 would be anonymised" in out.getvalue()
    assert Person.objects.get(given_name="Old").erased_at is None
    call_command("retention", "apply", "--today", "2040-06-01", stdout=out)
    assert "person: 1 anonymised" in out.getvalue()
    with pytest.raises(CommandError, match="--today"):
        call_command("retention", "apply", "--today", "1 June")


def test_a_restore_from_an_older_backup_is_erased_again_by_the_log(world, django_capture_on_commit_callbacks):
    person = make_person(world)
    case = case_open(actor=world.caseworker_a, opened_on=date(2026, 1, 5), person=person, address="Soi 7")
    backup: list[tuple[Any, list[Any]]] = [
        (Person, list(Person.objects.filter(pk=person.pk).values())),
        (Case, list(Case.objects.filter(pk=case.pk).values())),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        erase_person(actor=world.coordinator_a, person=person, reason="person_asked")
    assert Person.objects.get(pk=person.pk).given_name == ""

    for model, rows in backup:  # the restore: yesterday's rows over today's
        for row in rows:
            model.objects.filter(pk=row["id"]).update(**{k: v for k, v in row.items() if k != "id"})
    assert Person.objects.get(pk=person.pk).given_name == NAME

    out = io.StringIO()
    call_command("retention", "reapply", stdout=out)

    assert "1 erasures re-applied" in out.getvalue()
    assert Person.objects.get(pk=person.pk).given_name == ""
    assert Case.objects.get(pk=case.pk).address == ""
    assert ErasureLog.objects.get().reapplied_at is not None
    assert reapply_erasures()["logs"] == 1  # and again, harmlessly
