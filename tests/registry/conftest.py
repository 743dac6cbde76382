"""Helpers for risk-index tests: people in the personas' villages and complete sets of answers."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from safepassage.registry import services
from safepassage.registry.models import Catalogue, Person
from safepassage.registry.selectors import active_catalogue_or_none
from safepassage.registry.services import person_create
from safepassage.testing import World, build_world

DEFAULT_CATALOGUE = Path(services.__file__).resolve().parent / "data" / "catalogue-default.json"


def risk_world() -> World:
    """The personas' world, plus the default catalogue.

    The catalogue comes from a data migration, and a transactional test's flush removes it for the tests
    after the first, so it is loaded again (through the service) when it is missing.
    """
    if active_catalogue_or_none() is None:
        data = json.loads(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))
        services.catalogue_load(actor=None, data=data, activate=True)
    return build_world()


def all_answers(value: int = 1, **overrides: int) -> dict[str, int]:
    """Every individual and household indicator of the active catalogue at `value` (SOC-SEX at most 2)."""
    catalogue = Catalogue.objects.get(status="active")
    answers = {
        i.code: min(value, i.max_score) for i in catalogue.indicators.all() if i.level in "IH" and i.active
    }
    answers.update({code.replace("_", "-"): v for code, v in overrides.items()})
    return answers


@pytest.fixture
def child_a(world) -> Person:
    """A 12-year-old girl in village 1 (covered by volunteer_a), owned by agency A."""
    return person_create(
        actor=world.coordinator_a,
        village_code=world.village_1.code,
        given_name="Ploy",
        family_name="Saengkham",
        sex="female",
        birth_date=date(2014, 3, 1),
    )


@pytest.fixture
def child_a2(world) -> Person:
    """A boy in village 2 of agency A (not covered by volunteer_a)."""
    return person_create(
        actor=world.coordinator_a,
        village_code=world.village_2.code,
        given_name="Anan",
        sex="male",
        birth_year=2010,
    )


@pytest.fixture
def child_b(world) -> Person:
    """A child of agency B in village 3."""
    return person_create(
        actor=world.coordinator_b,
        village_code=world.village_3.code,
        given_name="Aye",
        sex="female",
        birth_year=2012,
    )
