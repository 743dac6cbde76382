"""visible_to(): the one place that decides which agency-owned records a user may see or change."""

import pytest
from django.db import connection, models
from django.http import Http404

from safepassage.core.models import AgencyOwned, ScopedQuerySet, get_for_user
from safepassage.testing import build_world


class Probe(AgencyOwned):
    """A stand-in agency-owned record in a village, like the people and workplaces later modules add."""

    village = models.ForeignKey("geo.Area", on_delete=models.PROTECT, related_name="+")
    AREA_FIELD = "village"

    objects = ScopedQuerySet.as_manager()

    class Meta:
        app_label = "core"
        managed = False  # kept out of the test database's set-up; the fixture creates its table


@pytest.fixture
def probes(transactional_db):
    with connection.schema_editor() as editor:
        editor.create_model(Probe)
    try:
        world = build_world()
        records = {
            "a_v1": Probe.objects.create(agency=world.agency_a, village=world.village_1),
            "a_v2": Probe.objects.create(agency=world.agency_a, village=world.village_2),
            "a_v3": Probe.objects.create(agency=world.agency_a, village=world.village_3),
            "b_v3": Probe.objects.create(agency=world.agency_b, village=world.village_3),
        }
        yield world, records
    finally:
        Probe.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.delete_model(Probe)


def visible(world, records, persona, action="view"):
    ids = set(Probe.objects.visible_to(world.users[persona], action).values_list("pk", flat=True))
    return {name for name, record in records.items() if record.pk in ids}


def test_who_sees_what(probes):
    world, records = probes
    expected = {
        "admin_a": {"a_v1", "a_v2", "a_v3"},
        "coordinator_a": {"a_v1", "a_v2", "a_v3"},
        "caseworker_a": {"a_v1", "a_v2", "a_v3"},
        "volunteer_a": {"a_v1"},  # only the village they cover
        "analyst_a": set(),  # aggregates only
        "partner_a": set(),  # only what is shared explicitly
        "admin_b": {"b_v3"},
        "caseworker_b": {"b_v3"},
        "volunteer_b": {"b_v3"},
        "outsider": set(),
    }
    actual = {persona: visible(world, records, persona) for persona in expected}
    assert actual == expected


def test_caseworkers_cannot_delete_but_coordinators_can(probes):
    world, records = probes
    assert visible(world, records, "caseworker_a", "delete") == set()
    assert visible(world, records, "coordinator_a", "delete") == {"a_v1", "a_v2", "a_v3"}


def test_a_membership_limited_to_a_district_sees_only_that_district(probes):
    world, records = probes
    membership = world.caseworker_a.memberships.get()
    membership.areas.set([world.district_1])
    world.caseworker_a.refresh_from_db()
    assert visible(world, records, "caseworker_a") == {"a_v1", "a_v2"}


def test_a_volunteer_without_areas_sees_nothing(probes):
    world, records = probes
    world.volunteer_a.memberships.get().areas.clear()
    world.volunteer_a.refresh_from_db()
    assert visible(world, records, "volunteer_a") == set()


def test_an_inactive_membership_or_agency_sees_nothing(probes):
    world, records = probes
    world.caseworker_a.memberships.update(active=False)
    world.caseworker_a.refresh_from_db()
    assert visible(world, records, "caseworker_a") == set()
    world.agency_b.active = False
    world.agency_b.save()
    world.admin_b.refresh_from_db()
    assert visible(world, records, "admin_b") == set()


def test_get_for_user_gives_404_for_not_yours_and_not_there(probes):
    world, records = probes
    assert get_for_user(Probe.objects.all(), world.volunteer_a, records["a_v1"].pk) == records["a_v1"]
    for pk in (records["a_v2"].pk, records["b_v3"].pk, 999999, "not-a-number"):
        with pytest.raises(Http404):
            get_for_user(Probe.objects.all(), world.volunteer_a, pk)
