"""A people import writes its people by the database's bulk path (COPY on PostgreSQL) and leaves their names'
romanisation for right after; what it writes reads back as a saved person does, the checked rows waiting for
the apply are sealed on disk, and nothing compares a name before it is romanised."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command

from safepassage.core import crypto
from safepassage.imports import services
from safepassage.imports.models import ImportJob
from safepassage.linkage.services import dedupe
from safepassage.registry import names
from safepassage.registry.models import Person
from safepassage.web.worker import SCHEDULE

pytestmark = pytest.mark.django_db


def people_file(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["given_name", "family_name", "sex", "birth_date", "village_code", "national_id", "notes"]
    )
    writer.writerows(rows)
    return out.getvalue().encode()


def imported(world: Any, rows: list[list[str]]) -> ImportJob:
    job = services.job_create(
        actor=world.coordinator_a,
        kind="people",
        file_name="people.csv",
        content=io.BytesIO(people_file(rows)),
    )
    job = services.job_check(job)
    assert job.status == ImportJob.Status.CHECKED, list(job.problems.all())
    return job


def test_people_written_in_bulk_read_back_as_people_saved_one_by_one(world):
    common = {"agency_id": world.agency_a.pk, "village_id": world.village_1.pk, "created_by_id": None}
    [pk] = Person.objects.copy_create(
        [
            {
                **common,
                "given_name": "สมหญิง",
                "family_name": "ใจดี",
                "sex": "female",
                "birth_date": date(2010, 3, 7),
                "national_id": "1101700207366",
                "notes": "lives behind the temple",
                "languages": ["th", "lo"],
            }
        ]
    )
    saved = Person.objects.create(agency=world.agency_a, village=world.village_1, given_name="Kham")
    person = Person.objects.get(pk=pk)
    assert (person.given_name, person.family_name, person.birth_date) == ("สมหญิง", "ใจดี", date(2010, 3, 7))
    assert (person.national_id, person.notes, person.languages) == (
        "1101700207366",
        "lives behind the temple",
        ["th", "lo"],
    )
    # found by its number's blind index, as a saved person is; romanised as `save` romanises
    assert Person.objects.filter(national_id_index=crypto.blind_index("1101700207366")).get() == person
    assert (person.given_name_roman, person.family_name_roman) == ("somying", "chaidi")
    # the defaults a saved person gets: a record key of its own, times, the same empty values
    assert person.record_key is not None and person.record_key != saved.record_key
    assert person.created_at is not None and person.updated_at is not None
    assert (person.hometown_id, person.erased_at) == (None, None)
    assert (person.father_name, saved.father_name) == ("", "")


def test_an_import_romanises_its_names_after_it_lands_and_the_worker_does_it(world, settings):
    settings.BACKGROUND_WORKER = True  # production: the worker's `people romanise` does it
    job = imported(world, [["มาลี", "ศรีสุข", "female", "01/06/2011", world.village_1.code, "", ""]])
    job = services.job_apply(actor=world.coordinator_a, job=job)
    person = Person.objects.get(agency=world.agency_a, given_name="มาลี")
    assert person.given_name_roman == ""  # not yet: the people landed first
    assert names.pending(Person.objects.all()).count() == 1
    assert any(scheduled.command == ("people", "romanise") for scheduled in SCHEDULE)
    call_command("people", "romanise", stdout=io.StringIO())
    person.refresh_from_db()
    assert (person.given_name_roman, person.family_name_roman) == ("mali", "srisuk")
    assert not names.pending(Person.objects.all()).exists()


def test_a_name_not_yet_romanised_is_still_met_by_its_latin_spelling(world, settings):
    settings.BACKGROUND_WORKER = True
    job = imported(world, [["มาลี", "ศรีสุข", "female", "01/06/2011", world.village_1.code, "", ""]])
    services.job_apply(actor=world.coordinator_a, job=job)
    first = Person.objects.get(given_name="มาลี")
    assert first.given_name_roman == ""
    # the same girl in another file, in Latin letters: "probably person N", though her record waits
    again = services.job_check(
        services.job_create(
            actor=world.coordinator_a,
            kind="people",
            file_name="again.csv",
            content=io.BytesIO(
                people_file([["Mali", "Srisuk", "female", "01/06/2011", world.village_1.code]])
            ),
        )
    )
    assert [p.person_id for p in again.problems.all()] == [first.pk]


def test_the_matcher_romanises_what_is_waiting_before_it_compares_anyone(world):
    common = {"agency_id": world.agency_a.pk, "village_id": world.village_1.pk}
    Person.objects.copy_create(
        [
            {**common, "given_name": "มาลี", "family_name": "ศรีสุข", "birth_date": date(2011, 6, 1)},
            {**common, "given_name": "Mali", "family_name": "Srisuk", "birth_date": date(2011, 6, 1)},
        ],
        romanise=False,
    )
    assert names.pending(Person.objects.all()).count() == 2
    dedupe(actor=None, agency=world.agency_a)
    assert not names.pending(Person.objects.all()).exists()
    assert set(Person.objects.values_list("given_name_roman", flat=True)) == {"mali"}


def test_the_rows_waiting_between_check_and_apply_are_sealed_on_disk(world):
    job = imported(
        world, [["Duangjai", "Markerfamily", "female", "01/06/2011", world.village_1.code, "", ""]]
    )
    waiting = services._checked_file(job)
    assert waiting.exists()
    raw = waiting.read_bytes()
    assert raw.startswith(crypto.FILE_MAGIC) and b"Markerfamily" not in raw
    job = services.job_apply(actor=world.coordinator_a, job=job)
    assert Person.objects.filter(family_name="Markerfamily").count() == 1 and not waiting.exists()


def test_a_value_under_a_name_that_is_not_a_column_is_refused_not_lost(world):
    with pytest.raises(TypeError, match="village"):
        Person.objects.copy_create(
            [{"agency_id": world.agency_a.pk, "village": world.village_1, "given_name": "Kham"}]
        )
    assert not Person.objects.filter(given_name="Kham").exists()
