"""Recruiters seen from the destination of a channel, with red flags from a configurable list (issue 22 part
8: R-053, R-055, R-056)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from safepassage.audit.models import AuditEvent
from safepassage.migration import recruiters
from safepassage.migration.models import RecruiterFlag, RedFlag
from safepassage.testing import api_client, web_client
from safepassage.workplaces.services import recruiter_create, recruiter_screen
from tests.migration.test_channel_services import channel_ab, register

pytestmark = pytest.mark.django_db
TODAY = date.today()


@pytest.fixture
def channel_with_broker(world):
    channel = channel_ab(world)
    broker = recruiter_create(
        actor=world.coordinator_a,
        name="Mr Somchai (broker)",
        licence_status="licensed",
        licence_number="L-42",
        registered_on=TODAY - timedelta(days=30),
        registration_office="Subdistrict office",
    )
    recruiter_screen(
        actor=world.coordinator_a, recruiter=broker, result="concerns", red_flags=["fees_charged"]
    )
    register(world, channel, recruiter_id=broker.pk)
    register(
        world,
        channel,
        recruiter_id=broker.pk,
        person_fields={"given_name": "Dao", "birth_year": 2000, "village_code": world.village_1.code},
    )
    other = recruiter_create(actor=world.coordinator_a, name="Not on this channel", registered_on=TODAY)
    return channel, broker, other


def test_the_seeds_red_flags_are_a_list_in_the_database():
    codes = set(RedFlag.objects.values_list("code", flat=True))
    assert {
        "deposit_demanded",
        "salary_deductions",
        "no_standard_contract",
        "fees_charged",
        "holds_documents",
        "transport_costs",
    } <= codes


def test_the_destination_agency_sees_the_channels_recruiters_and_raises_a_red_flag(
    world, channel_with_broker
):
    channel, broker, other = channel_with_broker
    rows = recruiters.channel_recruiters(viewer=world.caseworker_b, channel=channel)  # agency B: destination
    assert [(row.recruiter, row.registrations) for row in rows] == [(broker, 2)]
    assert rows[0].screening_flags == ["Charges recruitment fees"]  # the list's words, not the code
    assert AuditEvent.objects.filter(action="migration.channel.view", object_id=str(channel.pk)).exists()
    raised = recruiters.recruiter_flag_raise(
        actor=world.caseworker_b,
        channel=channel,
        recruiter_id=broker.pk,
        flag="holds_documents",
        seen_on=TODAY,
        note="Passports kept at the dormitory",
    )
    assert raised.agency == world.agency_b
    seen_at_origin = recruiters.channel_recruiters(viewer=world.coordinator_a, channel=channel)
    assert [f.flag.code for f in seen_at_origin[0].flags] == ["holds_documents"]
    with pytest.raises(ValidationError):  # only the channel's recruiters
        recruiters.recruiter_flag_raise(
            actor=world.caseworker_b,
            channel=channel,
            recruiter_id=other.pk,
            flag="fees_charged",
            seen_on=TODAY,
        )
    RedFlag.objects.filter(code="transport_costs").update(active=False)
    with pytest.raises(ValidationError):  # a retired flag is not offered
        recruiters.recruiter_flag_raise(
            actor=world.caseworker_b,
            channel=channel,
            recruiter_id=broker.pk,
            flag="transport_costs",
            seen_on=TODAY,
        )
    with pytest.raises(PermissionDenied):  # an analyst is not staff at either end
        recruiters.recruiter_flag_raise(
            actor=world.analyst_a, channel=channel, recruiter_id=broker.pk, flag="fees_charged", seen_on=TODAY
        )
    assert RecruiterFlag.objects.count() == 1


def test_pages_and_api(world, channel_with_broker):
    channel, broker, _ = channel_with_broker
    client = web_client(world.caseworker_b)
    page = client.get(f"/migration/channels/{channel.pk}/recruiters/").content.decode()
    assert "Mr Somchai (broker)" in page and "L-42" in page and "Not on this channel" not in page
    response = client.post(
        f"/migration/channels/{channel.pk}/recruiters/",
        {"recruiter_id": str(broker.pk), "flag": "deposit_demanded", "seen_on": TODAY.isoformat()},
    )
    assert response.status_code == 302 and RecruiterFlag.objects.get().flag.code == "deposit_demanded"
    api = api_client(world.coordinator_a)
    listed = api.get(f"/api/v1/migration/channels/{channel.pk}/recruiters").json()
    assert listed[0]["name"] == "Mr Somchai (broker)" and listed[0]["flags"][0]["flag"] == "deposit_demanded"
    made = api.post(
        f"/api/v1/migration/channels/{channel.pk}/recruiter-flags",
        {"recruiter_id": broker.pk, "flag": "no_standard_contract", "seen_on": str(TODAY)},
    )
    assert made.status_code == 201
    for outsider in (world.analyst_a, world.users["outsider"]):
        assert (
            api_client(outsider).get(f"/api/v1/migration/channels/{channel.pk}/recruiters").status_code == 404
        )
    sysadmin = web_client(world.users["sysadmin"])
    sysadmin.post(
        "/migration/red-flags/",
        {"code": "sells_debt", "name": "Sells workers' debt", "order": "5", "active": "on"},
    )
    assert RedFlag.objects.get(code="sells_debt").active
    assert web_client(world.coordinator_a).post("/migration/red-flags/", {"code": "x"}).status_code == 404
