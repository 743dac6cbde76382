"""People search by part of a name uses the names' trigram indexes on PostgreSQL, instead of reading every
person (at ten million people, seconds per search)."""

from __future__ import annotations

import pytest
from django.db import connection

from safepassage.registry.models import Person
from safepassage.registry.selectors import person_list

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's (pg_trgm)")
def test_a_search_by_part_of_a_name_reads_the_trigram_indexes(world):
    Person.objects.bulk_create(
        Person(agency=world.agency_a, village=world.village_1, given_name=f"Name{n}", family_name="Sukjai")
        for n in range(200)
    )
    found = person_list(viewer=world.coordinator_a, query="ame17")
    assert sorted(p.given_name for p in found) == ["Name17", *(f"Name{n}" for n in range(170, 180))]
    # Each name column's "contains" (as person_list asks it) is answered from its trigram index: Django's SQL
    # for it is the indexed expression.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # (a table this small is read whole otherwise)
        for column in ("given_name", "family_name", "given_name_latin", "family_name_latin", "other_names"):
            plan = Person.objects.filter(**{f"{column}__icontains": "ame17"}).explain()
            assert f"person_{column}_trgm" in plan, plan
