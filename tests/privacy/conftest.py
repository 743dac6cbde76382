"""Shared for the privacy tests: files under a temporary DATA_DIR and MEDIA_ROOT, a person with every kind
of identity the stores can hold, and a helper that finds any trace of it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from safepassage.registry.models import Person
from safepassage.registry.services import person_create

NAME, FAMILY, NATIONAL_ID = "Sunisa", "Kaewmanee", "1101700207366"
NOTE = "Lives behind the temple with her uncle"
TRACES = (NAME, FAMILY, NATIONAL_ID, NOTE)


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "media"


def make_person(world: Any, **fields: Any) -> Person:
    """Sunisa, 22, in village 1 of agency A, with an ID number, parents and welfare notes."""
    values = {
        "given_name": NAME,
        "family_name": FAMILY,
        "sex": "female",
        "birth_year": 2004,
        "national_id": NATIONAL_ID,
        "father_name": "Somchai",
        "mother_name": "Malai",
        "notes": NOTE,
        "village_code": world.village_1.code,
    }
    return person_create(actor=world.coordinator_a, **(values | fields))


def traces(text: Any) -> list[str]:
    """Which of Sunisa's identifying values appear in a page, a payload or a file."""
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return [value for value in TRACES if value in text]
