"""Demo: some people of the coordination centre recorded a second time, as another office's list would have
them (Latin letters only, day and month of birth swapped, no ID number), and the matcher run over them."""

from __future__ import annotations

import random
from typing import Any

from safepassage.linkage.services import dedupe
from safepassage.registry.models import Person


def generate_duplicates(*, agencies: dict[str, Any], count: int = 40, seed: int = 17) -> int:
    """Record `count` people of the centre again, then queue the likely duplicates; returns pairs proposed."""
    rng = random.Random(seed)
    centre = agencies["cc"]
    pool = list(Person.objects.filter(agency=centre).exclude(given_name_latin="").order_by("pk")[:5000])
    if not pool:
        return 0
    copies = []
    for person in rng.sample(pool, min(count, len(pool))):
        born = person.birth_date
        if born and born.day <= 12 and rng.random() < 0.5:
            born = born.replace(month=born.day, day=born.month)
        copies.append(
            Person(
                agency=centre,
                village=person.village,
                household=None,
                given_name=person.given_name_latin,
                family_name=person.family_name_latin or person.family_name,
                sex=person.sex,
                birth_date=born,
                birth_year=person.birth_year,
                national_id="",
                father_name=person.father_name,
                mother_name=person.mother_name,
                consent_basis="district office list (demo duplicate)",
            )
        )
    Person.objects.bulk_create(copies)
    run = dedupe(actor=None, agency=centre, threshold=0.9)
    return run.new_candidates
