"""The audit trail: one event per service write, none for a failed write, and no way to change it."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import DatabaseError, transaction

from safepassage.accounts import services
from safepassage.accounts.models import Agency, User
from safepassage.audit.models import AppendOnlyError, AuditEvent
from safepassage.audit.services import AuditOutsideTransaction, audit_record, mask_changes
from safepassage.core.roles import Role
from safepassage.testing import PASSWORD, web_client

pytestmark = pytest.mark.django_db


def count() -> int:
    return AuditEvent.objects.count()


def test_every_service_write_leaves_exactly_one_event(world):
    writes = [
        lambda: services.agency_create(actor=None, code="new", name="New", kind="ngo", country="th"),
        lambda: services.user_create(
            actor=world.admin_a,
            agency=world.agency_a,
            username="newbie",
            role=Role.CASEWORKER,
            password="a long enough password",
        ),
        lambda: services.membership_update(
            actor=world.admin_a, membership=world.caseworker_a.memberships.get(), role=Role.COORDINATOR
        ),
        lambda: services.user_unlock(actor=world.admin_a, user=world.caseworker_a, agency=world.agency_a),
        lambda: services.password_change(
            actor=world.analyst_a, user=world.analyst_a, new_password="another long password"
        ),
        lambda: services.token_issue(actor=world.analyst_a, user=world.analyst_a, second_factor="session"),
        lambda: services.token_revoke(actor=world.analyst_a, token=world.analyst_a.api_tokens.get()),
        lambda: services.login_failed(user=world.partner_a),
        lambda: services.login_succeeded(user=world.partner_a),
    ]
    for write in writes:
        before = count()
        write()
        assert count() == before + 1


def test_a_write_that_fails_leaves_no_event(world):
    before = count()
    with pytest.raises(ValidationError):
        services.user_create(
            actor=world.admin_a, agency=world.agency_a, username="coordinator_a", role=Role.CASEWORKER
        )
    with pytest.raises(ValidationError):
        services.user_create(actor=world.admin_a, agency=world.agency_a, username="v", role=Role.VOLUNTEER)
    assert count() == before
    assert not User.objects.filter(username="v").exists()


def test_a_failure_after_the_event_is_written_rolls_both_back(world):
    before = count()
    with pytest.raises(DatabaseError), transaction.atomic():
        services.agency_create(actor=None, code="doomed", name="Doomed", kind="ngo", country="TH")
        raise DatabaseError("the disk is full")
    assert count() == before
    assert not Agency.objects.filter(code="doomed").exists()


def test_the_event_records_who_what_where(world):
    client = web_client(world.admin_a)
    membership = world.caseworker_a.memberships.get()
    client.post(
        f"/accounts/team/{membership.pk}/",
        {"role": "coordinator", "area_codes": "", "active": "on"},
        headers={"X-Request-ID": "req-12345678"},
        REMOTE_ADDR="10.1.2.3",
    )
    event = AuditEvent.objects.get(action="accounts.membership.update")
    assert event.actor == world.admin_a
    assert event.agency == world.agency_a
    assert event.object_type == "accounts.membership"
    assert event.object_id == str(membership.pk)
    # the id is the server's; the client's own X-Request-ID is kept beside it, marked as the client's
    assert event.request_id != "req-12345678"
    assert len(event.request_id) == 32
    assert event.client_request_id == "req-12345678"
    assert event.ip == "10.1.2.3"
    assert event.changes == {"role": ["caseworker", "coordinator"]}


def test_sensitive_fields_are_masked():
    masked = mask_changes(
        {"password": "x", "name": "Ploy", "contacts": {"phone": "081"}, "national_id": "1"},
        sensitive=["name"],
    )
    assert masked == {"password": "•••", "name": "•••", "contacts": "•••", "national_id": "•••"}
    assert mask_changes({"role": "admin", "details": {"phone": "081", "x": 1}}) == {
        "role": "admin",
        "details": {"phone": "•••", "x": 1},
    }


def test_an_email_given_at_creation_never_reaches_the_trail(world):
    services.user_create(
        actor=world.admin_a,
        agency=world.agency_a,
        username="mail",
        role=Role.ANALYST,
        email="secret@example.org",
        password="a long enough password",
    )
    event = AuditEvent.objects.get(action="accounts.user.create")
    assert "secret@example.org" not in json.dumps(event.changes)


def test_events_cannot_be_changed_or_deleted(world):
    with transaction.atomic():
        event = audit_record(actor=None, action="test.event")
    event.action = "test.changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_the_database_refuses_updates_to_events_even_in_raw_sql(world):
    from django.db import connection

    with transaction.atomic():
        event = audit_record(actor=None, action="test.event")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'forged' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


@pytest.mark.django_db(transaction=True)
def test_events_are_written_only_inside_a_transaction():
    with pytest.raises(AuditOutsideTransaction):
        audit_record(actor=None, action="test.event")


def test_the_trail_page_offers_no_way_to_edit(world):
    client = web_client(world.admin_a)
    services.login_failed(user=world.caseworker_a)
    page = client.get("/audit/").content.decode()
    assert "auth.login_failed" in page
    assert '<form method="post"' not in page.split("<main", 1)[1]
    assert client.post("/audit/", {"action": "x"}).status_code == 405


def test_the_export_command_writes_csv_and_jsonl(world, tmp_path):
    services.login_failed(user=world.caseworker_a)
    services.user_create(
        actor=world.admin_b,
        agency=world.agency_b,
        username="b2",
        role=Role.ANALYST,
        password="a long enough password",
    )
    csv_path = tmp_path / "audit.csv"
    call_command("audit", "export", "--agency", "agency-b", "--output", str(csv_path))
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith('"id","at","actor_name","agency","action"')
    assert len(lines) == 2 and "accounts.user.create" in lines[1]
    jsonl_path = tmp_path / "audit.jsonl"
    call_command("audit", "export", "--format", "jsonl", "--output", str(jsonl_path))
    actions = [json.loads(line)["action"] for line in jsonl_path.read_text(encoding="utf-8").splitlines()]
    assert "auth.login_failed" in actions and "accounts.user.create" in actions
    assert AuditEvent.objects.filter(action="audit.export").count() == 2


def test_login_passwords_never_reach_the_trail(world):
    from django.test import Client

    Client().post("/accounts/login/", {"username": "caseworker_a", "password": "my-secret-guess"})
    Client().post("/accounts/login/", {"username": "caseworker_a", "password": PASSWORD})
    dump = json.dumps(list(AuditEvent.objects.values("changes", "object_repr")))
    assert "my-secret-guess" not in dump and PASSWORD not in dump
