"""Merges and assessment writers take turns (registry.services.hold_people): the database does not check an
assessment's person row by row, so a merge must never remove a person while assessments are being written
for them, and a writer that starts after a merge must not find the person it removed.

Two sessions at once: on PostgreSQL only, where sessions write side by side. SQLite writes one transaction
at a time, each from its start (transaction_mode IMMEDIATE), so there the question does not arise.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from safepassage.linkage import services
from safepassage.linkage.models import MatchCandidate
from safepassage.registry.bulk import BulkItem, assessments_bulk_record
from safepassage.registry.models import Assessment, Catalogue, Person
from safepassage.registry.services import hold_people_for_removal
from tests.registry.conftest import risk_world

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="two sessions writing side by side: PostgreSQL only (SQLite writes one at a time)",
    ),
]


def _pair() -> tuple[Any, Person, Person, MatchCandidate]:
    world = risk_world()  # (a flush after a test like this removes the catalogue: loaded again)
    common = {"agency": world.agency_a, "village": world.village_1, "sex": "female", "birth_year": 1990}
    a = Person.objects.create(given_name="Malee", family_name="Saengdao", **common)
    b = Person.objects.create(given_name="Malee", family_name="Sangdao", **common)
    candidate = MatchCandidate.objects.create(
        agency=world.agency_a,
        other_agency=world.agency_a,
        person_a_id=a.pk,
        person_b_id=b.pk,
        match_weight=12.0,
        probability=0.99,
    )
    return world, a, b, candidate


def _answers() -> dict[str, int]:
    catalogue = Catalogue.objects.get(status="active")
    return {i.code: 2 for i in catalogue.indicators.all() if i.level in "IH"}


def _in_thread(target: Any) -> tuple[threading.Thread, dict[str, Any]]:
    """Run target() in a thread with a database session of its own; what it returned or raised."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = target()
        except Exception as error:
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_a_merge_refuses_while_assessments_are_written_and_moves_them_once_they_are():
    world, _a, b, candidate = _pair()
    written, release = threading.Event(), threading.Event()

    def paused(created: list[tuple[int, int]]) -> None:  # after the batch is written, before commit
        written.set()
        release.wait(10)

    thread, outcome = _in_thread(
        lambda: assessments_bulk_record(
            actor=None,
            items=[BulkItem(b.pk, date.today() - timedelta(days=3), _answers(), ref=1)],
            on_created=paused,
        )
    )
    try:
        assert written.wait(10)
        with pytest.raises(ValidationError) as refused:
            services.merge(actor=world.coordinator_a, candidate=candidate)
        assert "Try this merge again" in str(refused.value)
        assert Person.objects.filter(pk=b.pk).exists()
    finally:
        release.set()
        thread.join(10)
    assert outcome["result"].created == 1

    record = services.merge(actor=world.coordinator_a, candidate=candidate)
    kept = Person.objects.get(pk=record.survivor_id)
    assert not Person.objects.filter(pk=record.merged_id).exists()
    assessment = Assessment.objects.get()
    assert assessment.person_id == kept.pk and kept.current_assessment_id == assessment.pk


def test_a_writer_waits_for_a_merge_and_then_finds_the_person_removed():
    _world, _a, b, _candidate = _pair()
    removed, release = threading.Event(), threading.Event()

    def remove() -> None:  # what a merge does, held open
        with transaction.atomic():
            assert hold_people_for_removal()
            Person.objects.filter(pk=b.pk).delete()
            removed.set()
            release.wait(10)

    remover, _ = _in_thread(remove)
    assert removed.wait(10)
    writer, outcome = _in_thread(
        lambda: assessments_bulk_record(
            actor=None, items=[BulkItem(b.pk, date.today() - timedelta(days=3), _answers())]
        )
    )
    writer.join(0.5)
    assert writer.is_alive(), f"the writer went ahead while a person was being removed: {outcome}"
    release.set()
    remover.join(10)
    writer.join(10)
    assert isinstance(outcome.get("error"), Person.DoesNotExist)
    assert not Assessment.objects.exists()
