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


def test_the_demo_queue_holds_little_more_than_its_planted_pairs(db):
    """The demo's population (households sharing a family name, siblings born close together) and its 40
    planted duplicates: the queue stays within three times the planted pairs, and finds most of them."""
    from safepassage.accounts.models import Agency
    from safepassage.geo.demo import province_rows
    from safepassage.geo.services import areas_import
    from safepassage.registry.demo import generate_population

    areas_import(actor=None, rows=province_rows(), source="demo")
    agencies = {
        code: Agency.objects.create(code=code, name=code, kind=kind, country="TH")
        for code, kind in (("cc", "government"), ("ngo", "ngo"), ("labour", "government"))
    }
    generate_population(people=4000, agencies=agencies)
    originals = set(Person.objects.values_list("pk", flat=True))
    proposed = generate_duplicates(agencies=agencies, count=40)
    copies = set(Person.objects.values_list("pk", flat=True)) - originals
    pairs = set(MatchCandidate.objects.values_list("person_a_id", "person_b_id"))
    found = {b for a, b in pairs if b in copies}
    print(f"\ndemo queue: {proposed} pairs for {len(copies)} planted; {len(found)} of them found")
    assert proposed <= 3 * len(copies), proposed
    assert len(found) >= 0.8 * len(copies)
