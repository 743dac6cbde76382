"""The trail is tamper-evident: each agency's events form a hash chain, the database refuses to change or
remove them, and `audit verify` names the event that was changed, removed or cut off."""

import itertools
import threading
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from safepassage.accounts import services as accounts
from safepassage.audit import integrity, triggers
from safepassage.audit.chain import chain_key, event_hash
from safepassage.audit.models import AuditChainHead, AuditEvent
from safepassage.audit.services import audit_record

pytestmark = pytest.mark.django_db


def write(n: int, agency=None) -> list[AuditEvent]:
    events = []
    for i in range(n):
        with transaction.atomic():
            events.append(audit_record(actor=None, action="test.event", agency=agency, changes={"i": i}))
    return events


def raw(sql: str, params=()) -> None:
    """What someone with database access could do: lift the triggers, then change the table."""
    with connection.cursor() as cursor:
        for statement in triggers.drop_sql(connection.vendor):
            cursor.execute(statement)
        cursor.execute(sql, params)


def verify(path: Path) -> tuple[int, str]:
    from io import StringIO

    out = StringIO()
    try:
        call_command("audit", "verify", "--file", str(path), stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue()
    return 0, out.getvalue()


# ------------------------------------------------------------------------------------------------ chains


def test_each_agency_has_its_own_chain_and_each_event_links_to_the_one_before(world):
    a1, a2 = write(2, world.agency_a)
    b1 = write(1, world.agency_b)[0]
    s1 = write(1)[0]
    assert (a1.chain, a1.seq, a2.seq) == (chain_key(world.agency_a.pk), 1, 2)
    assert (b1.chain, b1.seq) == (chain_key(world.agency_b.pk), 1)
    assert (s1.chain, s1.seq) == ("system", 1)
    assert a1.prev_hash == "" and a2.prev_hash == a1.hash != b1.hash
    assert AuditChainHead.objects.get(chain=a1.chain).hash == a2.hash


def test_a_hash_covers_the_event_as_stored_and_changes_when_any_field_does(world):
    accounts.membership_update(
        actor=world.admin_a, membership=world.caseworker_a.memberships.get(), role="coordinator"
    )
    event = AuditEvent.objects.get(action="accounts.membership.update")  # read back from the database
    fields = {name: getattr(event, name) for name in ("chain", "seq", "at", "actor_id", "actor_name")}
    fields |= {
        name: getattr(event, name)
        for name in ("agency_id", "action", "object_type", "object_id", "object_repr", "request_id")
    }
    fields |= {"client_request_id": event.client_request_id, "channel": event.channel, "ip": event.ip}
    fields["changes"] = event.changes
    assert event_hash(fields, event.prev_hash) == event.hash
    assert event_hash({**fields, "changes": {"role": ["caseworker", "admin"]}}, event.prev_hash) != event.hash
    assert event_hash({**fields, "actor_id": None}, event.prev_hash) != event.hash
    assert event_hash(fields, "0" * 64) != event.hash


@pytest.mark.django_db(transaction=True)
def test_two_writers_at_once_never_fork_a_chain():
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def writer() -> None:
        try:
            start.wait()
            for i in range(15):
                with transaction.atomic():
                    audit_record(actor=None, action="test.event", changes={"i": i})
        except BaseException as exc:  # (reported by the main thread)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    events = list(AuditEvent.objects.filter(chain="system").order_by("seq"))
    assert [e.seq for e in events] == list(range(1, 31))
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(events))
    assert integrity.verify(Path("/nonexistent/checkpoints")).ok


# ------------------------------------------------------------------------------------ database triggers


def test_after_migrate_the_database_refuses_raw_updates_and_deletes(world):
    assert set(triggers.NAMES[connection.vendor]) <= set(triggers.installed(connection))
    [event] = write(1)
    for sql in (
        "UPDATE audit_auditevent SET action = 'forged' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


# ----------------------------------------------------------------------------------- checkpoint, verify


def test_checkpoint_appends_each_chains_head_to_a_private_file(world, tmp_path):
    path = tmp_path / "audit" / "checkpoints.jsonl"
    write(2, world.agency_a)
    call_command("audit", "checkpoint", "--file", str(path))
    call_command("audit", "checkpoint", "--file", str(path))
    assert path.stat().st_mode & 0o777 == 0o600
    lines = path.read_text().splitlines()
    latest, problems = integrity.checkpoint_read(path)
    assert problems == [] and len(lines) == 2 * len(latest)
    head = AuditChainHead.objects.get(chain=chain_key(world.agency_a.pk))
    assert (latest[head.chain].seq, latest[head.chain].hash) == (head.seq, head.hash)


def test_verify_passes_an_untouched_trail(world, tmp_path):
    write(3, world.agency_a)
    write(2)
    path = tmp_path / "cp.jsonl"
    call_command("audit", "checkpoint", "--file", str(path))
    write(1, world.agency_a)
    code, out = verify(path)
    total = AuditEvent.objects.count()
    chains = AuditEvent.objects.values("chain").distinct().count()
    assert code == 0
    assert out.strip() == f"all {total} events in {chains} chains verified"


def test_verify_reports_a_changed_event_by_chain_and_number(world, tmp_path):
    events = write(4, world.agency_a)
    raw("UPDATE audit_auditevent SET changes = %s WHERE id = %s", ['{"i": 99}', events[1].pk])
    code, out = verify(tmp_path / "none.jsonl")
    assert code == 1
    assert f"chain {events[1].chain} (agency-a): event 2 changed" in out
    assert out.count("\n") == 1  # only that one


def test_verify_reports_a_changed_event_whose_hash_was_recomputed(world, tmp_path):
    events = write(3, world.agency_a)
    raw("UPDATE audit_auditevent SET hash = %s WHERE id = %s", ["f" * 64, events[1].pk])
    code, out = verify(tmp_path / "none.jsonl")
    assert code == 1
    assert "event 2 changed" in out and "event 3 does not follow event 2" in out


def test_verify_reports_a_removed_event(world, tmp_path):
    events = write(5, world.agency_a)
    raw("DELETE FROM audit_auditevent WHERE id IN (%s, %s)", [events[1].pk, events[2].pk])
    code, out = verify(tmp_path / "none.jsonl")
    assert code == 1
    assert "events 2 to 3 removed (the chain jumps from 1 to 4)" in out


def test_verify_reports_a_chain_cut_short_after_a_checkpoint(world, tmp_path):
    events = write(4, world.agency_a)
    path = tmp_path / "cp.jsonl"
    call_command("audit", "checkpoint", "--file", str(path))
    raw("DELETE FROM audit_auditevent WHERE id IN (%s, %s)", [events[2].pk, events[3].pk])
    code, out = verify(path)
    assert code == 1
    assert f"chain {events[0].chain} (agency-a): cut short: its last event is 2" in out
    assert "saw 4" in out


def test_verify_reports_the_last_events_removed_even_before_any_checkpoint(world, tmp_path):
    events = write(3, world.agency_a)
    raw("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])
    code, out = verify(tmp_path / "none.jsonl")
    assert code == 1
    assert "cut short: its last event is 2, its head says 3" in out


def test_verify_reports_a_chain_rewritten_since_the_checkpoint(world, tmp_path):
    events = write(2, world.agency_a)
    path = tmp_path / "cp.jsonl"
    call_command("audit", "checkpoint", "--file", str(path))
    # the whole chain forged consistently: only the checkpoint outside the database tells
    first = AuditEvent.objects.get(pk=events[0].pk)
    fields = {name: getattr(first, name) for name in integrity.HASHED_FIELDS} | {"changes": {"i": 7}}
    forged_first = event_hash(fields, "")
    second = AuditEvent.objects.get(pk=events[1].pk)
    forged_second = event_hash(
        {name: getattr(second, name) for name in integrity.HASHED_FIELDS}, forged_first
    )
    raw(
        "UPDATE audit_auditevent SET changes = %s, hash = %s WHERE id = %s",
        ['{"i": 7}', forged_first, first.pk],
    )
    raw(
        "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
        [forged_first, forged_second, second.pk],
    )
    code, out = verify(path)
    assert code == 1
    assert "event 2 differs from the checkpoint" in out


# -------------------------------------------------------------------------------- events from before


def test_the_migration_masks_old_events_values_and_chains_them_in_order(world, tmp_path):
    """Events written before chains (and before the trail kept field names only) are masked, then chained."""
    from importlib import import_module

    from django.db.migrations.loader import MigrationLoader

    migration = import_module("safepassage.audit.migrations.0005_hash_chains")
    raw(
        "INSERT INTO audit_auditevent (at, actor_name, agency_id, action, object_type, object_id,"
        " object_repr, request_id, client_request_id, channel, changes, chain, seq, prev_hash, hash) VALUES"
        " ('2020-01-01 00:00:00', 'system', %s, 'registry.person.update', 'registry.person', '1', '', 'r',"
        " '', 'cli', %s, '', 0, '', '')",
        [world.agency_a.pk, '{"given_name": ["Ploy", "Mya"], "status": ["open", "closed"]}'],
    )
    AuditChainHead.objects.all().delete()  # as before the chains: no heads yet

    class Editor:
        def __init__(self) -> None:
            self.connection = connection

        def execute(self, sql: str) -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql)

    historical = MigrationLoader(connection).project_state(("audit", "0005_hash_chains")).apps
    migration.chain_old_events(historical, Editor())
    oldest = AuditEvent.objects.order_by("at", "id")[0]
    assert oldest.changes == {"given_name": "•••", "status": ["open", "closed"]}
    assert (oldest.chain, oldest.seq, oldest.prev_hash) == (chain_key(world.agency_a.pk), 1, "")
    assert AuditEvent.objects.filter(seq=0).count() == 0
    assert integrity.verify(tmp_path / "none.jsonl").problems == []


def test_an_exported_trail_carries_its_chain(world, tmp_path):
    import json

    events = write(2, world.agency_a)
    path = tmp_path / "trail.jsonl"
    call_command("audit", "export", "--agency", "agency-a", "--format", "jsonl", "--output", str(path))
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    exported = {(row["chain"], row["seq"]): (row["prev_hash"], row["hash"]) for row in rows}
    assert exported[(events[1].chain, 2)] == (events[0].hash, events[1].hash)
