"""The remaining lists of personal records are audited like the case and people lists: intake (the call
log), referrals both ways, case, risk and migration alerts, children found at sites and likely duplicates,
as pages and in the API: one event per page read, holding the ids shown. List payloads leave out contacts."""

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from safepassage.audit.models import AuditEvent
from safepassage.cases import services as cases
from safepassage.cases.models import CaseAlert
from safepassage.linkage.models import MatchCandidate
from safepassage.migration import services as migration
from safepassage.migration.models import MigrationAlert
from safepassage.registry import services as registry
from safepassage.registry.models import Alert
from safepassage.testing import api_client, directory_entry, open_case, web_client

from .test_reads_and_values import a_registration

pytestmark = pytest.mark.django_db

CONTACT = "0899999999"


def list_ids(object_type: str) -> list[list[int]]:
    """The ids each list event of this record type holds, oldest event first."""
    events = AuditEvent.objects.filter(action=f"{object_type}.list").order_by("id")
    return [sorted(e.changes["ids"]) for e in events]


def an_intake(world):
    return cases.intake_record(
        actor=world.caseworker_a,
        channel="call",
        summary="A girl is kept at a karaoke bar",
        notifier_name="Her aunt",
        notifier_contact=CONTACT,
        area_code=world.village_1.code,
    )


def test_the_call_log_page_and_api_are_audited_and_the_api_list_leaves_out_who_reported(world):
    report = an_intake(world)
    assert web_client(world.caseworker_a).get("/cases/intake/").status_code == 200
    body = api_client(world.caseworker_a).get("/api/v1/intake").json()
    assert [item["id"] for item in body["items"]] == [report.pk]
    assert CONTACT not in json.dumps(body)
    assert not any(name.startswith("notifier") for name in body["items"][0])
    assert list_ids("cases.intakereport") == [[report.pk], [report.pk]]
    # who reported comes only from the detail read, which is audited
    detail = api_client(world.caseworker_a).get(f"/api/v1/intake/{report.pk}").json()
    assert detail["notifier_contact"] == CONTACT
    assert AuditEvent.objects.filter(action="cases.intakereport.view", object_id=str(report.pk)).exists()


def test_referral_lists_both_ways_are_audited(world):
    case = open_case(world)
    referral = cases.referral_create(
        actor=world.caseworker_a,
        case=case,
        to_organisation_id=directory_entry(world, world.agency_b).pk,
        consent="person",
        consent_on=date.today(),
        purpose="shelter",
    )
    assert web_client(world.caseworker_a).get("/cases/referrals/").status_code == 200
    assert list_ids("cases.referral") == [[], [referral.pk]]  # one event for each list on the page
    assert web_client(world.caseworker_b).get("/cases/referrals/").status_code == 200
    api_client(world.caseworker_b).get("/api/v1/referrals")
    api_client(world.caseworker_a).get("/api/v1/referrals", {"direction": "outgoing"})
    assert list_ids("cases.referral")[2:] == [[referral.pk], [], [referral.pk], [referral.pk]]
    incoming = AuditEvent.objects.filter(action="cases.referral.list", actor=world.caseworker_b).latest("id")
    assert incoming.agency == world.agency_b


def test_case_alert_lists_are_audited(world):
    case = open_case(world)
    alert = CaseAlert.objects.create(case=case, kind="deadline", key="k1", message="Deadline passed")
    assert web_client(world.caseworker_a).get("/cases/alerts/").status_code == 200
    body = api_client(world.caseworker_a).get("/api/v1/case-alerts").json()
    assert [item["id"] for item in body["items"]] == [alert.pk]
    assert list_ids("cases.casealert") == [[alert.pk], [alert.pk]]


def test_risk_alert_lists_are_audited(world):
    person = registry.person_create(
        actor=world.caseworker_a, given_name="Nang", village_code=world.village_1.code
    )
    alert = Alert.objects.create(
        agency=world.agency_a,
        person=person,
        village=world.village_1,
        reasons=[{"rule": "band_rise"}],
        due_at=timezone.now() + timedelta(days=3),
    )
    assert web_client(world.coordinator_a).get("/risk/alerts/").status_code == 200
    body = api_client(world.coordinator_a).get("/api/v1/alerts").json()
    assert [item["id"] for item in body["items"]] == [alert.pk]
    assert list_ids("registry.alert") == [[alert.pk], [alert.pk]]


def test_migration_alerts_and_children_found_at_sites_are_audited_without_the_familys_contact(world):
    registration = a_registration(world)
    alert = MigrationAlert.objects.create(
        registration=registration, kind="missed", key="missed-1", message="Check-in missed"
    )
    site = migration.site_registration_create(
        actor=world.caseworker_a,
        site_kind="market",
        site_name="Night market",
        site_area_code=world.village_1.code,
        found_on=date.today(),
        person_fields={"given_name": "Dao", "birth_year": 2013, "village_code": world.village_1.code},
        family_contact=CONTACT,
    )
    web = web_client(world.caseworker_a)
    api = api_client(world.caseworker_a)
    assert web.get("/migration/overdue/").status_code == 200
    assert web.get("/migration/sites/").status_code == 200
    alerts = api.get("/api/v1/migration/alerts").json()
    assert [item["id"] for item in alerts["items"]] == [alert.pk]
    sites = api.get("/api/v1/migration/sites").json()
    assert [item["id"] for item in sites["items"]] == [site.pk]
    assert CONTACT not in json.dumps(sites) and "family_contact" not in sites["items"][0]
    assert list_ids("migration.migrationalert") == [[alert.pk], [alert.pk]]
    assert list_ids("migration.siteregistration") == [[site.pk], [site.pk]]
    assert api.get(f"/api/v1/migration/sites/{site.pk}").json()["family_contact"] == CONTACT


def test_likely_duplicates_are_audited(world):
    first = registry.person_create(
        actor=world.coordinator_a, given_name="Malee", village_code=world.village_1.code
    )
    second = registry.person_create(
        actor=world.coordinator_a, given_name="Malee", village_code=world.village_1.code
    )
    candidate = MatchCandidate.objects.create(
        person_a_id=first.pk,
        person_b_id=second.pk,
        agency=world.agency_a,
        other_agency=world.agency_a,
        match_weight=12.0,
        probability=0.99,
    )
    assert web_client(world.coordinator_a).get("/linkage/").status_code == 200
    body = api_client(world.coordinator_a).get("/api/v1/linkage/candidates").json()
    assert [item["id"] for item in body["items"]] == [candidate.pk]
    assert list_ids("linkage.matchcandidate") == [[candidate.pk], [candidate.pk]]


def test_an_empty_page_still_says_the_list_was_read(world):
    api_client(world.caseworker_a).get("/api/v1/intake")
    [event] = AuditEvent.objects.filter(action="cases.intakereport.list")
    assert event.changes["ids"] == [] and event.actor == world.caseworker_a
