"""Recording many assessments at once (imports, survey rounds, the demo): the same scoring and warnings
as one at a time, written in batches, with one audit event for the whole run."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.audit.services import audit_record
from safepassage.geo.models import Area
from safepassage.registry import cells, scoring
from safepassage.registry.models import Alert, Assessment, Catalogue, Indicator, Person
from safepassage.registry.services import ack_deadline, active_catalogue, fingerprint, recipients_for
from safepassage.registry.validation import clean_assessed_on, clean_scores


@dataclass(frozen=True)
class BulkItem:
    """One person's assessment to record."""

    person_id: int
    assessed_on: date
    scores: dict[str, Any]
    source: str = Assessment.Source.SURVEY
    ref: int | None = None  # the caller's reference (an import's row number), passed to on_created


@dataclass
class BulkResult:
    """What a bulk run did."""

    created: int = 0
    skipped_duplicates: int = 0
    alerts: int = 0
    alert_ids: list[int] = field(default_factory=list)
    villages: set[int] = field(default_factory=set)


T = TypeVar("T")


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def assessments_bulk_record(
    *,
    actor: Any,
    items: Iterable[BulkItem],
    catalogue: Catalogue | None = None,
    batch_size: int = 5000,
    check: bool = True,
    label: str = "bulk",
    on_created: Callable[[list[tuple[int, int]]], None] | None = None,
) -> BulkResult:
    """Record person assessments in batches inside one transaction; all or nothing.

    Items may be in any order across people, but one person's items must come in date order. With
    check=False the scores are trusted to be clean already (generated data); dates are always checked.
    After each batch, on_created gets (item ref, assessment id) for the items with a ref that made a new
    assessment (an import records where each came from), so nothing grows with the number of items.
    """
    catalogue = catalogue or active_catalogue()
    specs = catalogue.specs("IH")
    params = catalogue.params()
    triggers = [s.code for s in specs if s.kind == Indicator.Kind.TRIGGER]
    result = BulkResult()
    recipients_cache: dict[tuple[int, int], list[int]] = {}
    deadline = ack_deadline(catalogue)
    with transaction.atomic():
        for batch in _batches(items, batch_size):
            created = _record_batch(
                actor, batch, catalogue, specs, params, triggers, check, result, recipients_cache, deadline
            )
            if on_created is not None:
                on_created(created)
        cells.refresh(villages=result.villages)
        audit_record(
            actor=actor,
            action="registry.assessment.bulk_record",
            object_type="registry.assessment",
            changes={
                "source": label,
                "created": result.created,
                "alerts": result.alerts,
                "duplicates": result.skipped_duplicates,
                "catalogue": catalogue.version,
            },
        )
    return result


def _record_batch(
    actor: Any,
    batch: list[BulkItem],
    catalogue: Catalogue,
    specs: list[scoring.IndicatorSpec],
    params: scoring.Parameters,
    triggers: list[str],
    check: bool,
    result: BulkResult,
    recipients_cache: dict[tuple[int, int], list[int]],
    deadline: Any,
) -> list[tuple[int, int]]:
    # Plain tuples rather than model instances: at a million rows, building models costs more than writing.
    scorer = scoring.Scorer(specs, params)
    today = timezone.localdate()
    people = {
        row[0]: row
        for row in Person.objects.filter(pk__in={i.person_id for i in batch}).values_list(
            "pk", "agency_id", "village_id", "birth_date", "current_assessment_id", "current_assessed_on"
        )
    }
    previous_ids = [row[4] for row in people.values() if row[4]]
    latest: dict[int, tuple[scoring.Result, dict[str, int], date]] = {}
    fields = ("pk", "person_id", "scores", "assessed_on", *scoring.STORED_FIELDS)
    for values in Assessment.objects.filter(pk__in=previous_ids).values_list(*fields):
        prior = dict(zip(fields, values, strict=True))
        latest[prior["person_id"]] = (scoring.stored_result(prior), prior["scores"], prior["assessed_on"])
    rows: list[tuple[Any, ...]] = []
    reasons_by_print: dict[str, list[scoring.Reason]] = {}
    assessor_id = getattr(actor, "pk", None)
    for item in batch:
        person = people.get(item.person_id)
        if person is None:
            raise Person.DoesNotExist(f"person {item.person_id} does not exist")
        pid, agency_id, village_id, birth_date = person[:4]
        if item.assessed_on > today:
            clean_assessed_on(item.assessed_on)  # raises with the message the API gives
        if birth_date and item.assessed_on < birth_date:
            raise ValidationError({"assessed_on": _("The assessment date is before the person was born.")})
        scores = clean_scores(item.scores, specs, "person") if check else dict(item.scores)
        print_ = fingerprint(f"p{pid}", item.assessed_on, scores, catalogue.pk)
        scored = scorer(scores)
        before = latest.get(pid)
        if before is None or item.assessed_on >= before[2]:
            reasons = scoring.warnings(
                previous=(before[0], before[1]) if before else None,
                current=(scored, scores),
                trigger_codes=triggers,
                params=params,
            )
            latest[pid] = (scored, scores, item.assessed_on)
            if reasons:
                reasons_by_print[print_] = reasons
        rows.append(
            (
                agency_id,
                pid,
                village_id,
                False,
                catalogue.pk,
                item.assessed_on,
                assessor_id,
                item.source,
                scores,
                print_,
                scored.index,
                scored.band,
                scored.completeness,
                scored.domain_scores,
                scored.count_3,
                scored.deprivation_share,
                scored.multiple,
            )
        )
    ids = insert_assessments(rows)
    seen: set[str] = set()
    fresh = []
    created: list[tuple[int, int]] = []
    for item, row in zip(batch, rows, strict=True):  # the same assessment twice in one run counts once
        if row[9] in ids and row[9] not in seen:
            seen.add(row[9])
            fresh.append(row)
            if item.ref is not None:
                created.append((item.ref, ids[row[9]]))
    result.skipped_duplicates += len(rows) - len(fresh)
    result.created += len(fresh)
    # The newest assessment per person becomes their current one.
    newest: dict[int, tuple[Any, ...]] = {}
    for row in fresh:
        best = newest.get(row[1])
        if best is None or row[5] >= best[5]:
            newest[row[1]] = row
    result.villages.update(row[2] for row in newest.values())
    _set_current(
        [
            (pid, ids[row[9]], row[10], row[11], row[5])
            for pid, row in newest.items()
            if people[pid][5] is None or row[5] >= people[pid][5]
        ]
    )
    alerts = [
        Alert(
            agency_id=row[0],
            person_id=row[1],
            village_id=row[2],
            assessment_id=ids[row[9]],
            due_at=deadline,
            reasons=[{"rule": r.rule, **r.detail} for r in reasons_by_print[row[9]]],
        )
        for row in fresh
        if row[9] in reasons_by_print
    ]
    if alerts:
        Alert.objects.bulk_create(alerts, batch_size=2000)
        through = Alert.recipients.through
        links: list[Any] = []
        villages: dict[int, Area] = {}
        for alert in alerts:
            key = (alert.agency_id, alert.village_id)
            if key not in recipients_cache:
                village = villages.get(alert.village_id) or Area.objects.get(pk=alert.village_id)
                villages[alert.village_id] = village
                recipients_cache[key] = recipients_for(alert.agency_id, village)
            links.extend(through(alert_id=alert.pk, user_id=user_id) for user_id in recipients_cache[key])
        through.objects.bulk_create(links, batch_size=5000)
        result.alerts += len(alerts)
        result.alert_ids.extend(a.pk for a in alerts)
    return created


COLUMNS = (
    "agency_id",
    "person_id",
    "village_id",
    "subject_is_village",
    "catalogue_id",
    "assessed_on",
    "assessor_id",
    "source",
    "scores",
    "fingerprint",
    "index",
    "band",
    "completeness",
    "domain_scores",
    "count_3",
    "deprivation_share",
    "multiple",
    "recorded_at",
)


def insert_assessments(rows: list[tuple[Any, ...]]) -> dict[str, int]:
    """Insert many assessments (tuples in COLUMNS order, without recorded_at), skipping any whose fingerprint
    is already stored, and return the new ones' ids by fingerprint.

    PostgreSQL: COPY into a scratch table, then one INSERT … ON CONFLICT DO NOTHING RETURNING. SQLite: one
    prepared INSERT run. Both are several times faster than bulk_create."""
    if not rows:
        return {}
    now = timezone.now()
    values = [
        (*r[:8], json.dumps(r[8]), r[9], r[10], r[11], r[12], json.dumps(r[13]), *r[14:], now) for r in rows
    ]
    table = Assessment._meta.db_table
    quoted = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    ids: dict[str, int] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS sp_assessment_stage AS "
                f"SELECT {quoted} FROM {table} WHERE false"
            )
            cursor.execute("TRUNCATE sp_assessment_stage")
            with cursor.cursor.copy(f"COPY sp_assessment_stage ({quoted}) FROM STDIN") as copy:
                for value in values:
                    copy.write_row(value)
            cursor.execute(
                f"INSERT INTO {table} ({quoted}) SELECT {quoted} FROM sp_assessment_stage "
                "ON CONFLICT (fingerprint) DO NOTHING RETURNING fingerprint, id"
            )
            ids.update(cursor.fetchall())
            return ids
        seen = _stored_fingerprints(cursor, table, [r[9] for r in rows])
        fresh = []
        for value in values:
            if value[9] not in seen:  # neither stored before nor earlier in this run
                seen.add(value[9])
                fresh.append(value)
        marks = ", ".join(["%s"] * len(COLUMNS))
        cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", fresh)
        prints = [v[9] for v in fresh]
        for start in range(0, len(prints), 900):
            chunk = prints[start : start + 900]
            cursor.execute(
                f"SELECT fingerprint, id FROM {table} "
                f"WHERE fingerprint IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
            ids.update(cursor.fetchall())
    return ids


def _stored_fingerprints(cursor: Any, table: str, prints: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(prints), 900):
        chunk = prints[start : start + 900]
        cursor.execute(
            f"SELECT fingerprint FROM {table} WHERE fingerprint IN ({', '.join(['%s'] * len(chunk))})", chunk
        )
        found.update(row[0] for row in cursor.fetchall())
    return found


def _set_current(rows: list[tuple[Any, ...]]) -> None:
    """Point people at their newest assessment (rows of person id, assessment id, index, band, date).

    PostgreSQL: COPY into a scratch table and one UPDATE … FROM; SQLite: one prepared UPDATE run. Both far
    faster than the CASE expressions of QuerySet.bulk_update."""
    if not rows:
        return
    table = Person._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS sp_current_stage "
                "(pid bigint, aid bigint, idx double precision, band text, day date)"
            )
            cursor.execute("TRUNCATE sp_current_stage")
            with cursor.cursor.copy("COPY sp_current_stage (pid, aid, idx, band, day) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"UPDATE {table} AS p SET current_assessment_id = s.aid, current_index = s.idx, "
                "current_band = s.band, current_assessed_on = s.day "
                "FROM sp_current_stage AS s WHERE p.id = s.pid"
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET current_assessment_id = %s, current_index = %s, current_band = %s, "
                "current_assessed_on = %s WHERE id = %s",
                [(aid, index, band, on, pid) for pid, aid, index, band, on in rows],
            )


def catalogue_rescore(*, actor: Any, catalogue: Catalogue | None = None, batch_size: int = 5000) -> int:
    """Put everyone's current risk on the active catalogue version, from their latest answers.

    Each person whose current assessment used an older version gets a new assessment (source "rescore",
    same date, same answers for the indicators the new version still asks). Old assessments are never
    touched, and re-scoring raises no alerts: no answer changed. Returns how many were re-scored.
    """
    catalogue = catalogue or active_catalogue()
    specs = catalogue.specs("IH")
    codes = {s.code for s in specs}
    scorer = scoring.Scorer(specs, catalogue.params())
    done = 0
    with transaction.atomic():
        stale = (
            Person.objects.filter(current_assessment__isnull=False)
            .exclude(current_assessment__catalogue=catalogue)
            .values_list("pk", "current_assessment_id")
            .order_by("pk")
        )
        for batch in _batches(stale.iterator(chunk_size=batch_size), batch_size):
            fields = ("pk", "agency_id", "village_id", "assessed_on", "scores")
            old = {
                row[0]: row
                for row in Assessment.objects.filter(pk__in=[aid for _, aid in batch]).values_list(*fields)
            }
            rows = []
            for person_id, assessment_id in batch:
                _, agency_id, village_id, assessed_on, old_scores = old[assessment_id]
                scores = {c: v for c, v in old_scores.items() if c in codes}
                scored = scorer(scores)
                rows.append(
                    (
                        agency_id,
                        person_id,
                        village_id,
                        False,
                        catalogue.pk,
                        assessed_on,
                        getattr(actor, "pk", None),
                        Assessment.Source.RESCORE,
                        scores,
                        fingerprint(f"p{person_id}", assessed_on, scores, catalogue.pk),
                        scored.index,
                        scored.band,
                        scored.completeness,
                        scored.domain_scores,
                        scored.count_3,
                        scored.deprivation_share,
                        scored.multiple,
                    )
                )
            ids = insert_assessments(rows)
            _set_current([(row[1], ids[row[9]], row[10], row[11], row[5]) for row in rows])
            created = rows
            done += len(created)
        cells.refresh()
        audit_record(
            actor=actor,
            action="registry.catalogue.rescore",
            obj=catalogue,
            changes={"version": catalogue.version, "rescored": done},
        )
    return done
