"""`safepassage cases stages load|export` and `safepassage cases scan`."""

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from safepassage.audit.models import AuditEvent
from safepassage.cases import services
from safepassage.cases.models import Stage
from safepassage.testing import directory_entry, open_case

pytestmark = pytest.mark.django_db


def test_lifecycle_round_trips_and_a_bad_file_loads_nothing(tmp_path):
    out = StringIO()
    call_command("cases", "stages", "export", stdout=out)
    data = json.loads(out.getvalue())
    assert data["stages"][0]["code"] == "report_received"
    data["stages"].insert(2, {"code": "family_tracing", "label": {"en": "Family tracing"}})
    good = tmp_path / "lifecycle.json"
    good.write_text(json.dumps(data), encoding="utf-8")
    call_command("cases", "stages", "load", str(good), stdout=StringIO())
    codes = list(Stage.objects.filter(active=True).values_list("code", flat=True))
    assert codes[:3] == ["report_received", "screening", "family_tracing"]
    assert AuditEvent.objects.filter(action="cases.lifecycle.load").count() == 1

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"stages": [{"code": "x", "label": {"en": "X"}, "tracks": ["smuggling"]}]}))
    with pytest.raises(
        CommandError, match=r"stages\[1\].*Tracks are trafficking or labour.*nothing was loaded"
    ):
        call_command("cases", "stages", "load", str(bad))
    assert list(Stage.objects.filter(active=True).values_list("code", flat=True)) == codes


def test_scan_raises_each_alert_once(world):
    case = open_case(world, birth_year=2012)
    shelter = directory_entry(world, world.agency_a, kind="shelter", name="Home")
    services.best_interests_record(
        actor=world.caseworker_a,
        case=case,
        assessed_on=date.today() - timedelta(days=41),
        assessor="S. Social worker, PSDHS",
        views="Wants to stay somewhere safe for now.",
        recommendation="not_yet",
    )
    services.shelter_stay_start(
        actor=world.caseworker_a,
        case=case,
        shelter_id=shelter.pk,
        started_on=date.today() - timedelta(days=40),
    )
    out = StringIO()
    call_command("cases", "scan", stdout=out)
    assert "shelter: 1" in out.getvalue()
    out = StringIO()
    call_command("cases", "scan", stdout=out)
    assert "shelter: 0" in out.getvalue()
