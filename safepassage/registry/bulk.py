"""Recording many assessments at once (imports, survey rounds, the demo): the same scoring and warnings
as one at a time, written in batches, with one audit event for the whole run."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import TextField
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from safepassage.audit.services import audit_record
from safepassage.core.queries import ids_in
from safepassage.geo.models import Area
from safepassage.registry import cells, scoring
from safepassage.registry.models import Alert, Assessment, Catalogue, Indicator, Person
from safepassage.registry.services import (
    ack_deadline,
    active_catalogue,
    alert_routing,
    answers_fingerprint,
    answers_text,
    recipients_for,
)
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


class _Spelling:
    """A person's answers spelled for their fingerprint and as JSON, and domain scores as JSON, from
    pieces made once per catalogue: at a million rows this is several times faster than formatting each
    row from scratch, and gives the same text (json.dumps's, in code order)."""

    def __init__(self, specs: list[scoring.IndicatorSpec]) -> None:
        self.pieces = {
            (s.code, v): (f"{s.code}={v}", f"{json.dumps(s.code)}: {v}") for s in specs for v in (1, 2, 3)
        }
        self.keys: dict[str, str] = {}

    def answers(self, scores: dict[str, Any]) -> tuple[str, str]:
        """(the fingerprint's spelling, the JSON) of one answer sheet."""
        items = sorted(scores.items())
        if set(map(type, scores.values())) <= {int}:
            try:
                pieces = [self.pieces[item] for item in items]
            except KeyError:  # a score outside 1-3 or an unknown code: spelled the plain way below
                pass
            else:
                return ",".join([p[0] for p in pieces]), "{" + ", ".join([p[1] for p in pieces]) + "}"
        return answers_text(scores), json.dumps(dict(items))

    def domains(self, domain_scores: dict[str, float | None]) -> str:
        keys = self.keys
        parts = []
        for domain, value in domain_scores.items():
            key = keys.get(domain) or keys.setdefault(domain, json.dumps(domain))
            parts.append(f"{key}: {'null' if value is None else repr(float(value))}")
        return "{" + ", ".join(parts) + "}"


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

    While one batch is being written, a helper thread checks, spells and scores the next one (work that
    needs no database), so Python and the database work at the same time.
    """
    catalogue = catalogue or active_catalogue()
    specs = catalogue.specs("IH")
    run = _Run(
        catalogue=catalogue,
        specs=specs,
        params=catalogue.params(),
        triggers=[s.code for s in specs if s.kind == Indicator.Kind.TRIGGER],
        check=check,
        scorer=scoring.Scorer(specs, catalogue.params()),
        spelling=_Spelling(specs),
        assessor_id=getattr(actor, "pk", None),
        deadline=ack_deadline(catalogue),
        language=translation.get_language(),
    )
    with transaction.atomic(), ThreadPoolExecutor(1, thread_name_prefix="bulk-scoring") as helper:
        for batch, prepared in _one_ahead(helper, _batches(items, batch_size), run.prepare):
            created = _record_batch(run, batch, prepared)
            if on_created is not None:
                on_created(created)
        cells.refresh(villages=run.result.villages)
        audit_record(
            actor=actor,
            action="registry.assessment.bulk_record",
            object_type="registry.assessment",
            changes={
                "source": label,
                "created": run.result.created,
                "alerts": run.result.alerts,
                "duplicates": run.result.skipped_duplicates,
                "catalogue": catalogue.version,
            },
        )
    return run.result


# What the helper thread makes of one item: the cleaned answers, their JSON, the fingerprint, the result
# and its domain scores' JSON; or the item's ValidationError, raised when the batch reaches that item.
Prepared = tuple[dict[str, int], str, str, scoring.Result, str] | ValidationError


@dataclass
class _Run:
    """One bulk run's settings and tallies."""

    catalogue: Catalogue
    specs: list[scoring.IndicatorSpec]
    params: scoring.Parameters
    triggers: list[str]
    check: bool
    scorer: scoring.Scorer
    spelling: _Spelling
    assessor_id: int | None
    deadline: Any
    language: str | None
    result: BulkResult = field(default_factory=BulkResult)
    recipients: dict[tuple[int, int], list[int]] = field(default_factory=dict)

    def prepare(self, batch: list[BulkItem]) -> list[Prepared]:
        """The database-free work on a batch (run on the helper thread, in the caller's language)."""
        prepared: list[Prepared] = []
        with translation.override(self.language):
            for item in batch:
                try:
                    scores = (
                        clean_scores(item.scores, self.specs, "person") if self.check else dict(item.scores)
                    )
                except ValidationError as error:
                    prepared.append(error)
                    continue
                answers, scores_json = self.spelling.answers(scores)
                print_ = answers_fingerprint(
                    f"p{item.person_id}", item.assessed_on, answers, self.catalogue.pk
                )
                scored = self.scorer(scores)
                prepared.append(
                    (scores, scores_json, print_, scored, self.spelling.domains(scored.domain_scores))
                )
        return prepared


R = TypeVar("R")


def _one_ahead(
    helper: ThreadPoolExecutor, batches: Iterator[list[T]], prepare: Callable[[list[T]], R]
) -> Iterator[tuple[list[T], R]]:
    """Each batch with what `prepare` made of it, the next batch's preparation started before this one
    is handed over. Batches are read on the calling thread (readers may use the database)."""
    pending: tuple[list[T], Future[R]] | None = None
    for batch in batches:
        started = (batch, helper.submit(prepare, batch))
        if pending is not None:
            yield pending[0], pending[1].result()
        pending = started
    if pending is not None:
        yield pending[0], pending[1].result()


def _record_batch(run: _Run, batch: list[BulkItem], prepared: list[Prepared]) -> list[tuple[int, int]]:
    # Plain tuples rather than model instances: at a million rows, building models costs more than writing.
    result, catalogue, deadline, recipients_cache = run.result, run.catalogue, run.deadline, run.recipients
    today = timezone.localdate()
    people = {
        row[0]: row
        for row in Person.objects.filter(pk__in=ids_in({i.person_id for i in batch})).values_list(
            "pk", "agency_id", "village_id", "birth_date", "current_assessment_id", "current_assessed_on"
        )
    }
    latest = _previous([row[4] for row in people.values() if row[4]], run.triggers)
    rows: list[tuple[Any, ...]] = []
    reasons_by_print: dict[str, list[scoring.Reason]] = {}
    for item, made in zip(batch, prepared, strict=True):
        person = people.get(item.person_id)
        if person is None:
            raise Person.DoesNotExist(f"person {item.person_id} does not exist")
        pid, agency_id, village_id, birth_date = person[:4]
        if item.assessed_on > today:
            clean_assessed_on(item.assessed_on)  # raises with the message the API gives
        if birth_date and item.assessed_on < birth_date:
            raise ValidationError({"assessed_on": _("The assessment date is before the person was born.")})
        if isinstance(made, ValidationError):
            raise made
        scores, scores_json, print_, scored, domains_json = made
        before = latest.get(pid)
        if before is None or item.assessed_on >= before[2]:
            reasons = scoring.warnings(
                previous=(before[0], before[1]) if before else None,
                current=(scored, scores),
                trigger_codes=run.triggers,
                params=run.params,
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
                run.assessor_id,
                item.source,
                scores_json,
                print_,
                scored.index,
                scored.band,
                scored.completeness,
                domains_json,
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
        unrouted = {(a.agency_id, a.village_id) for a in alerts} - recipients_cache.keys()
        villages = Area.objects.in_bulk({village_id for _, village_id in unrouted})
        routing: dict[int, list[tuple[int, str, list[str]]]] = {}
        for agency_id, village_id in unrouted:
            if agency_id not in routing:
                routing[agency_id] = alert_routing(agency_id)
            recipients_cache[agency_id, village_id] = recipients_for(
                agency_id, villages[village_id], routing[agency_id]
            )
        for alert in alerts:
            links.extend(
                through(alert_id=alert.pk, user_id=user_id)
                for user_id in recipients_cache[alert.agency_id, alert.village_id]
            )
        through.objects.bulk_create(links, batch_size=5000)
        result.alerts += len(alerts)
        result.alert_ids.extend(a.pk for a in alerts)
    return created


def _previous(ids: list[int], triggers: list[str]) -> dict[int, tuple[scoring.Result, dict[str, int], date]]:
    """Each person's previous assessment, as much of it as the early-warning rules read: index, band and
    the answers to the trigger indicators (not the whole answer sheet, which costs more to read than
    everything else about it)."""
    answers = {f"t{n}": KT(f"scores__{code}") for n, code in enumerate(triggers)}
    rows = (
        Assessment.objects.filter(pk__in=ids_in(ids))
        .annotate(**answers)
        .values_list("person_id", "assessed_on", *scoring.WARNING_FIELDS, *answers)
    )
    latest = {}
    for person_id, assessed_on, index, band, *values in rows:
        scores = {code: int(v) for code, v in zip(triggers, values, strict=True) if v is not None}
        latest[person_id] = (scoring.earlier_result(index, band), scores, assessed_on)
    return latest


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
    """Insert many assessments (tuples in COLUMNS order, without recorded_at; scores and domain scores as
    dicts or as their JSON), skipping any whose fingerprint is already stored or came earlier in `rows`,
    and return the new ones' ids by fingerprint.

    PostgreSQL: ids reserved from the table's sequence and the rows streamed by COPY straight into the
    table, while Python goes on preparing them. Stored fingerprints are not looked up first: resubmitted
    rows are the exception, so when the unique fingerprint refuses one (a file imported twice, another
    session storing the same assessment), that batch is written again through a scratch table and
    INSERT … ON CONFLICT DO NOTHING, which skips them. SQLite: the stored ones looked up, then one prepared
    INSERT run. All several times faster than bulk_create."""
    if not rows:
        return {}
    now = timezone.now()
    table = Assessment._meta.db_table
    with connection.cursor() as cursor:
        postgres = connection.vendor == "postgresql"
        seen = set() if postgres else _stored_fingerprints(cursor, table, [r[9] for r in rows])
        fresh = []
        for row in rows:
            if row[9] not in seen:  # neither stored before nor earlier in this batch
                seen.add(row[9])
                fresh.append((*row[:8], _json(row[8]), *row[9:13], _json(row[13]), *row[14:], now))
        if not fresh:
            return {}
        if postgres:
            try:
                with transaction.atomic():
                    return _copy_assessments(cursor, table, fresh)
            except IntegrityError:
                return _insert_on_conflict(cursor, table, fresh)
        quoted = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
        marks = ", ".join(["%s"] * len(COLUMNS))
        # (ON CONFLICT: should another connection have stored one of them since the look above)
        cursor.executemany(
            f"INSERT INTO {table} ({quoted}) VALUES ({marks}) ON CONFLICT (fingerprint) DO NOTHING", fresh
        )
        ids: dict[str, int] = {}
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


def _json(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _copy_assessments(cursor: Any, table: str, values: list[tuple[Any, ...]]) -> dict[str, int]:
    cursor.execute(
        f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [len(values)]
    )
    ids = [row[0] for row in cursor.fetchall()]
    quoted = ", ".join(connection.ops.quote_name(c) for c in ("id", *COLUMNS))
    with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
        for id_, value in zip(ids, values, strict=True):
            copy.write_row((id_, *value))
    return {value[9]: id_ for id_, value in zip(ids, values, strict=True)}


def _insert_on_conflict(cursor: Any, table: str, values: list[tuple[Any, ...]]) -> dict[str, int]:
    quoted = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    cursor.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS sp_assessment_stage AS SELECT {quoted} FROM {table} WHERE false"
    )
    cursor.execute("TRUNCATE sp_assessment_stage")
    with cursor.cursor.copy(f"COPY sp_assessment_stage ({quoted}) FROM STDIN") as copy:
        for value in values:
            copy.write_row(value)
    cursor.execute(
        f"INSERT INTO {table} ({quoted}) SELECT {quoted} FROM sp_assessment_stage "
        "ON CONFLICT (fingerprint) DO NOTHING RETURNING fingerprint, id"
    )
    return dict(cursor.fetchall())


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
    spelling = _Spelling(specs)
    assessor_id = getattr(actor, "pk", None)

    def rows_of(batch: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """The new assessments of a batch of stale people (on the helper thread: no database)."""
        rows = []
        for person_id, agency_id, village_id, assessed_on, old_json in batch:
            scores = {c: v for c, v in json.loads(old_json).items() if c in codes}
            answers, scores_json = spelling.answers(scores)
            scored = scorer(scores)
            rows.append(
                (
                    agency_id,
                    person_id,
                    village_id,
                    False,
                    catalogue.pk,
                    assessed_on,
                    assessor_id,
                    Assessment.Source.RESCORE,
                    scores_json,
                    answers_fingerprint(f"p{person_id}", assessed_on, answers, catalogue.pk),
                    scored.index,
                    scored.band,
                    scored.completeness,
                    spelling.domains(scored.domain_scores),
                    scored.count_3,
                    scored.deprivation_share,
                    scored.multiple,
                )
            )
        return rows

    done = 0
    with transaction.atomic(), ThreadPoolExecutor(1, thread_name_prefix="rescoring") as helper:
        # One streamed query: each stale person with their current assessment's answers, as JSON text
        # (parsed on the helper thread, with the scoring).
        stale = (
            Person.objects.filter(current_assessment__isnull=False)
            .exclude(current_assessment__catalogue=catalogue)
            .annotate(old_json=Cast("current_assessment__scores", TextField()))
            .values_list(
                "pk",
                "current_assessment__agency_id",
                "current_assessment__village_id",
                "current_assessment__assessed_on",
                "old_json",
            )
            .order_by("pk")
        )
        for _batch, rows in _one_ahead(
            helper, _batches(stale.iterator(chunk_size=batch_size), batch_size), rows_of
        ):
            ids = insert_assessments(rows)
            missing = [row[9] for row in rows if row[9] not in ids]
            if missing:  # the same result already stored (re-scored before, on this version): point at it
                stored = Assessment.objects.filter(fingerprint__in=missing)
                ids.update(stored.values_list("fingerprint", "pk"))
            _set_current([(row[1], ids[row[9]], row[10], row[11], row[5]) for row in rows])
            done += len(rows)
        cells.refresh()
        audit_record(
            actor=actor,
            action="registry.catalogue.rescore",
            obj=catalogue,
            changes={"version": catalogue.version, "rescored": done},
        )
    return done
