"""Children's committees and youth forums (docs/prevention.md, R-100, W-25): a named adult, a guardian's
consent for every member, ageing out at 18, what they reported; the keeping agency's staff only."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from safepassage.audit.models import AuditEvent
from safepassage.network import children_services as children
from safepassage.network import services as directory
from safepassage.network.children_models import ChildMember
from safepassage.testing import api_client, web_client

pytestmark = pytest.mark.django_db
TODAY = date.today()


def _years_ago(years: int, days: int = 0) -> date:
    return (
        TODAY.replace(year=TODAY.year - years) - timedelta(days=days)
        if TODAY.month != 2 or TODAY.day != 29
        else date(TODAY.year - years, 2, 28) - timedelta(days=days)
    )


def _member(world, group, name, birth_date, *, joined_on=TODAY, consent_by="Mother", consent_on=TODAY):
    return children.member_add(
        actor=world.coordinator_a,
        group=group,
        name=name,
        birth_date=birth_date,
        joined_on=joined_on,
        consent_by=consent_by,
        consent_on=consent_on,
    )


@pytest.fixture
def group(world):
    organisation = directory.organisation_create(actor=world.coordinator_a, name="Centre A", kind="member")
    adult = directory.responder_create(
        actor=world.coordinator_a,
        organisation_id=organisation.pk,
        name="Khun Mali",
        role_type="social_worker",
    )
    return children.group_create(
        actor=world.coordinator_a,
        name="Ban Mae children's committee",
        kind="committee",
        named_adult_id=adult.pk,
        area_code=world.village_1.code,
    )


def test_a_group_needs_a_named_adult(world):
    with pytest.raises(ValidationError) as refused:
        children.group_create(actor=world.coordinator_a, name="Forum", kind="forum", named_adult_id=999)
    assert "named_adult_id" in refused.value.message_dict


def test_a_child_joins_only_with_a_guardians_consent_and_under_18(world, group):
    with pytest.raises(ValidationError) as refused:
        children.member_add(
            actor=world.coordinator_a,
            group=group,
            name="Nong Fah",
            birth_date=_years_ago(14),
            joined_on=TODAY,
            consent_by="",
            consent_on=None,
        )
    assert "consent_by" in refused.value.message_dict
    with pytest.raises(ValidationError) as adult:
        _member(world, group, "Pim", _years_ago(18, 1))
    assert "birth_date" in adult.value.message_dict
    member = _member(
        world,
        group,
        "Nong Fah",
        _years_ago(14),
        consent_by="Mother, Khun Ploy",
        consent_on=TODAY - timedelta(days=2),
    )
    event = AuditEvent.objects.get(action="network.childmember.add")
    assert "Nong Fah" not in str(event.changes) and "Ploy" not in str(event.changes)
    assert member.group == group


def test_a_member_turning_18_is_flagged_then_moved_out(world, group):
    long_ago = TODAY - timedelta(days=300)
    soon = _member(
        world,
        group,
        "Ton",
        _years_ago(18) + timedelta(days=30),
        joined_on=long_ago,
        consent_by="Father",
        consent_on=long_ago,
    )
    young = _member(world, group, "Nok", _years_ago(12), consent_by="Grandmother")
    assert dict(children.members_flagged(group)) == {soon: True, young: False}
    page = web_client(world.coordinator_a).get(f"/network/children/{group.pk}/").content.decode()
    assert "turns 18 soon" in page
    assert children.members_age_out(today=TODAY) == 0
    assert children.members_age_out(today=soon.turns_18_on) == 1
    soon.refresh_from_db()
    assert (soon.left_on, soon.left_reason) == (soon.turns_18_on, ChildMember.Left.AGED_OUT)
    assert [m for m, _ in children.members_flagged(group, soon.turns_18_on)] == [young]


def test_only_the_keeping_agencys_staff_see_the_members(world, group):
    _member(world, group, "Nong Fah", _years_ago(14))
    staff = api_client(world.caseworker_a).get(f"/api/v1/children-groups/{group.pk}")
    assert staff.status_code == 200 and staff.json()["members"][0]["name"] == "Nong Fah"
    assert AuditEvent.objects.filter(action="network.childrengroup.view").exists()
    for user in (world.coordinator_b, world.volunteer_a, world.analyst_a, world.partner_a):
        assert api_client(user).get(f"/api/v1/children-groups/{group.pk}").status_code == 404
        assert api_client(user).get("/api/v1/children-groups").json() == []
        assert web_client(user).get(f"/network/children/{group.pk}/").status_code == 404


def test_what_a_group_reported_is_kept_without_the_child(world, group):
    response = api_client(world.caseworker_a).post(
        f"/api/v1/children-groups/{group.pk}/reports",
        {
            "reported_on": TODAY.isoformat(),
            "about": "recruiter",
            "summary": "A man offers girls work in town",
            "passed_to": "DOC hotline",
        },
    )
    assert response.status_code == 201
    assert set(response.json()) == {"id", "reported_on", "about", "summary", "passed_to"}
    page = web_client(world.coordinator_a).get(f"/network/children/{group.pk}/").content.decode()
    assert "A man offers girls work in town" in page
    event = AuditEvent.objects.get(action="network.childrengroup.group_report")
    assert "girls" not in str(event.changes)


def test_a_member_leaves_when_consent_is_withdrawn(world, group):
    member = _member(world, group, "Nok", _years_ago(12), consent_by="Grandmother")
    response = api_client(world.coordinator_a).post(
        f"/api/v1/children-members/{member.pk}/leave",
        {"left_on": TODAY.isoformat(), "left_reason": "consent"},
    )
    assert response.status_code == 200 and response.json()["left_reason"] == "consent"
    assert (
        api_client(world.coordinator_b)
        .post(
            f"/api/v1/children-members/{member.pk}/leave",
            {"left_on": TODAY.isoformat(), "left_reason": "left"},
        )
        .status_code
        == 404
    )
