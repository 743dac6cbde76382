"""The demo's planted duplicates reach the review queue."""

import pytest

from safepassage.geo.models import Area
from safepassage.linkage import synthetic
from safepassage.linkage.demo import generate_duplicates
from safepassage.linkage.models import MatchCandidate
from safepassage.registry.models import Person

pytestmark = pytest.mark.django_db


def test_the_demo_duplicates_are_proposed_with_their_originals(world):
    villages = {v.code: v for v in Area.objects.filter(level="village")}
    generated = synthetic.people(400, sorted(villages), duplicates=0.0, seed=2)
    Person.objects.bulk_create(
        Person(
            agency=world.agency_a,
            village=villages[p["village_code"]],
            **{k: v for k, v in p.items() if k not in ("key", "village_code") and v is not None},
        )
        for p in generated.people
    )
    originals = set(Person.objects.values_list("pk", flat=True))
    proposed = generate_duplicates(agencies={"cc": world.agency_a}, count=20)
    copies = set(Person.objects.values_list("pk", flat=True)) - originals
    assert len(copies) == 20
    pairs = set(MatchCandidate.objects.values_list("person_a_id", "person_b_id"))
    assert proposed == len(pairs)
    found = {b for a, b in pairs if a in originals and b in copies}
    assert len(found) >= 18  # nearly every copy is proposed with its original
