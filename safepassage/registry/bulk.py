"""Recording many assessments at once (imports, survey rounds, the demo): the same scoring and warnings
as one at a time, written in batches, with one audit event for the whole run."""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from operator import getitem, itemgetter
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from safepassage.audit.services import audit_record
from safepassage.core.notices import notice_emit
from safepassage.core.queries import ids_in
from safepassage.geo.models import Area
from safepassage.registry import cells, scoring
from safepassage.registry.models import Alert, Assessment, Catalogue, Indicator, Person
from safepassage.registry.notices import alert_notice
from safepassage.registry.services import (
    ack_deadline,
    active_catalogue,
    alert_routing,
    answers_fingerprint,
    hold_people,
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
    pieces made once per catalogue and read off the scorer's answer sheet: at a million rows this is
    several times faster than formatting each row from scratch, and gives the same text as answers_text()
    and json.dumps() (in code order; tests compare bulk recording with recording one at a time)."""

    def __init__(self, scorer: scoring.Scorer) -> None:
        ordered = sorted(scorer.codes)
        places = [scorer.codes.index(code) for code in ordered]
        # The sheet's digits in code order (itemgetter gives a lone digit, not a tuple, for one code:
        # either is read digit by digit).
        self.in_code_order: Callable[[str], Iterable[str]] = itemgetter(*places) if places else lambda _: ()
        # Each code's pieces by digit, each with the separator before it (dropped from the first piece
        # written): nothing for unanswered.
        self.fingerprint_pieces = [
            {"0": "", **{str(v): f",{code}={v}" for v in (1, 2, 3)}} for code in ordered
        ]
        self.json_pieces = [
            {"0": "", **{str(v): f", {json.dumps(code)}: {v}" for v in (1, 2, 3)}} for code in ordered
        ]
        # Each domain's piece of the domain scores' JSON by the domain's slice of the sheet, remembered as
        # the scorer remembers their scores.
        self.domain_pieces: list[tuple[int, int, str, dict[str, str]]] = [
            (start, end, json.dumps(domain), {}) for domain, start, end, _seen in scorer.slices
        ]

    def answers(self, sheet: str) -> tuple[str, str]:
        """(the fingerprint's spelling, the JSON) of one answer sheet, as Scorer.sheet() writes it."""
        digits = self.in_code_order(sheet)
        spelled = "".join(map(getitem, self.fingerprint_pieces, digits))[1:]
        return spelled, "{" + "".join(map(getitem, self.json_pieces, digits))[2:] + "}"

    def domains(self, sheet: str) -> str:
        """The domain scores of an answer sheet as JSON, as json.dumps() writes Scorer's domain_scores."""
        parts = []
        for start, end, key, seen in self.domain_pieces:
            picked = sheet[start:end]
            piece = seen.get(picked)
            if piece is None:
                value = scoring.index_of_sheet(picked)
                piece = f"{key}: {'null' if value is None else repr(float(value))}"
                if len(seen) < scoring.SEEN_LIMIT:
                    seen[picked] = piece
            parts.append(piece)
        return "{" + ", ".join(parts) + "}"


@contextmanager
def _bulk_mode() -> Iterator[None]:
    """The interpreter set for a bulk run while it lasts, and put back after it.

    - A shorter switch interval: the thread that talks to the database waits on the server dozens of
      times a batch, and each time needs the interpreter back from the helper thread, which Python hands
      over only once per switch interval (5 ms unless set otherwise). Measured at a million rows: round 1
      in 50.2 s at 5 ms, 44.4 s at 0.5 ms.
    - No cyclic garbage collection: a run makes millions of tuples and dicts that refer to nothing that
      refers back (reference counting frees them), and each full collection walks all of those alive,
      for nothing. Measured on a round of a million with previous assessments: 78.1 s with it, 61.6 s
      without. Any cycles made meanwhile are collected once it is back on.
    """
    interval, collecting = sys.getswitchinterval(), gc.isenabled()
    sys.setswitchinterval(min(interval, 0.0005))
    gc.disable()
    try:
        yield
    finally:
        sys.setswitchinterval(interval)
        if collecting:
            gc.enable()


class _Inline(Executor):
    """An executor that does the work when it is handed over, in the calling thread."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        done: Future[T] = Future()
        try:
            done.set_result(fn(*args, **kwargs))
        except BaseException as error:
            done.set_exception(error)
        return done


def _helper(name: str) -> Executor:
    """Where a batch is built while the one before is written: a thread of its own on PostgreSQL, whose
    server works in another process meanwhile. SQLite works inside this process, taking the interpreter
    back row by row, and contending with a helper thread for it made its writes three times slower (a
    re-score's 1,000,000 updates: 4.3 s alone, 14.8 s beside the helper), so there each batch is built
    when it is handed over."""
    if connection.vendor == "postgresql":
        return ThreadPoolExecutor(1, thread_name_prefix=name)
    return _Inline()


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def assessments_bulk_record(
    *,
    actor: Any,
    items: Iterable[BulkItem],
    catalogue: Catalogue | None = None,
    batch_size: int = 10_000,
    check: bool = True,
    label: str = "bulk",
    on_created: Callable[[list[tuple[int, int]]], None] | None = None,
) -> BulkResult:
    """Record person assessments in batches inside one transaction; all or nothing.

    Items may be in any order across people, but one person's items must come in date order. With
    check=False the scores are trusted to be clean already (generated data); dates are always checked.
    After each batch, on_created gets (item ref, assessment id) for the items with a ref that made a new
    assessment (an import records where each came from), so nothing grows with the number of items.

    Two threads share the work, so that Python and the database work at the same time: this one talks to
    the database (looks up a batch's people, writes the batch before it), while a helper thread checks,
    scores and warns on the batch just looked up and makes its rows ready to write.
    """
    catalogue = catalogue or active_catalogue()
    specs = catalogue.specs("IH")
    scorer = scoring.Scorer(specs, catalogue.params())
    run = _Run(
        catalogue=catalogue,
        specs=specs,
        params=catalogue.params(),
        triggers=[s.code for s in specs if s.kind == Indicator.Kind.TRIGGER],
        check=check,
        scorer=scorer,
        spelling=_Spelling(scorer),
        assessor_id=getattr(actor, "pk", None),
        deadline=ack_deadline(catalogue),
        language=translation.get_language(),
        today=timezone.localdate(),
    )
    with (
        transaction.atomic(),
        _bulk_mode(),
        _helper("bulk-recording") as helper,
    ):
        hold_people()  # (before any person is looked up: see hold_people)
        pending: Future[_Built] | None = None
        for batch in _batches(items, batch_size):
            # This batch is looked up before the one before it is written: the helper carries over what
            # that one did to anyone who is in both (run.carried).
            looked = _look_up(run, batch)
            building = helper.submit(run.build, batch, looked)
            if pending is not None:
                _write(run, pending.result(), on_created)
            pending = building
        if pending is not None:
            _write(run, pending.result(), on_created)
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


# A person as a batch needs them: id, agency, village, birth date, current assessment date, birth year.
PersonRow = tuple[int, int, int, date | None, date | None, int | None]
# What the early-warning rules need of someone's latest assessment: result, answers, date.
Latest = tuple[scoring.Result, dict[str, int], date]


@dataclass
class _Looked:
    """What the database said about a batch before it was built: its people, each with their current
    risk as far as the early-warning rules read it, as fetched (rows of id, agency, village, birth date,
    current date, current assessment id, current index, band and red flags, the current assessment's
    catalogue version and answer sheet, birth year), and on PostgreSQL the ids reserved for its rows."""

    rows: list[tuple[Any, ...]]
    ids: list[int] | None

    def shaped(
        self, triggers: dict[int, list[tuple[str, int]]]
    ) -> tuple[dict[int, PersonRow], dict[int, Latest]]:
        """The people by id, and the latest assessment of those who have one (on the helper thread), its
        answers to the trigger indicators read off its sheet at their places under its version."""
        people: dict[int, PersonRow] = {}
        latest: dict[int, Latest] = {}
        earlier = scoring.earlier_result
        for (
            pid,
            agency_id,
            village_id,
            birth_date,
            current_on,
            current_id,
            index,
            band,
            flags,
            version,
            sheet,
            birth_year,
        ) in self.rows:
            people[pid] = (pid, agency_id, village_id, birth_date, current_on, birth_year)
            if current_id is not None:
                scores = (
                    {code: int(sheet[at]) for code, at in triggers[version] if sheet[at] != "0"}
                    if sheet
                    else {}
                )
                latest[pid] = (earlier(index, band, flags), scores, current_on)
        return people, latest


@dataclass
class _Outcome:
    """What storing a batch leads to, once it is known which rows were new (ids by fingerprint)."""

    created: list[tuple[int, int]]  # (item ref, assessment id) for the caller
    new: int
    skipped: int
    villages: set[int]
    current: list[tuple[Any, ...]]  # rows for _set_current
    current_copy: str | None  # the same as COPY text, on PostgreSQL
    alerts: list[tuple[tuple[Any, ...], int, list[scoring.Reason]]]  # (row, assessment id, reasons)


@dataclass
class _Built:
    """A batch ready to write: its rows (COLUMNS order, without recorded_at) and, on PostgreSQL, the same
    rows as COPY text, with their reserved ids first and recorded_at last."""

    batch: list[BulkItem]
    rows: list[tuple[Any, ...]]
    copy: str | None
    ids: list[int] | None
    people: dict[int, PersonRow]
    reasons: dict[str, list[scoring.Reason]]
    # The outcome if every row goes in under its reserved id (worked out on the helper thread).
    expected: _Outcome | None = None


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
    today: date
    result: BulkResult = field(default_factory=BulkResult)
    recipients: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    # Where each catalogue version's sheets hold the triggers (read on this thread, used on the helper).
    trigger_places: dict[int, list[tuple[str, int]]] = field(default_factory=dict)
    # The last built batch's people, as it leaves them: their latest assessment, and the date that becomes
    # current. The next batch is looked up before this one is written, so it takes these from here.
    carried: dict[int, tuple[Latest, date]] = field(default_factory=dict)

    def build(self, batch: list[BulkItem], looked: _Looked) -> _Built:
        """Check, score and warn on a batch, and make its rows (on the helper thread: no database)."""
        with translation.override(self.language):
            return self._build(batch, looked)

    def _build(self, batch: list[BulkItem], looked: _Looked) -> _Built:
        (people, latest), carried = looked.shaped(self.trigger_places), self.carried
        for pid in carried.keys() & people.keys():
            latest[pid], current_on = carried[pid]
            pid_, agency_id, village_id, birth_date, was_on, birth_year = people[pid]
            if was_on is None or current_on >= was_on:
                people[pid] = (pid_, agency_id, village_id, birth_date, current_on, birth_year)
        catalogue_id, assessor_id, scorer, spelling, now = (
            self.catalogue.pk,
            self.assessor_id,
            self.scorer,
            self.spelling,
            timezone.now(),
        )
        aged = any(flag[3] is not None for flag in scorer.flags)  # (only then is anyone's age needed)
        youngest_age = scoring.youngest_age
        rows: list[tuple[Any, ...]] = []
        reasons_by_print: dict[str, list[scoring.Reason]] = {}
        newest: dict[int, date] = {}
        for item in batch:
            person = people.get(item.person_id)
            if person is None:
                raise Person.DoesNotExist(f"person {item.person_id} does not exist")
            pid, agency_id, village_id, birth_date, _current_on, birth_year = person
            on = item.assessed_on
            if on > self.today:
                clean_assessed_on(on)  # raises with the message the API gives
            if birth_date and on < birth_date:
                raise ValidationError(
                    {"assessed_on": _("The assessment date is before the person was born.")}
                )
            scores = clean_scores(item.scores, self.specs, "person") if self.check else dict(item.scores)
            sheet = scorer.sheet(scores)
            answers, scores_json = spelling.answers(sheet)
            print_ = answers_fingerprint(f"p{pid}", on, answers, catalogue_id)
            scored = scorer.score_sheet(sheet, youngest_age(on, birth_date, birth_year) if aged else None)
            before = latest.get(pid)
            if before is None or on >= before[2]:
                reasons = scoring.warnings(
                    previous=(before[0], before[1]) if before else None,
                    current=(scored, scores),
                    trigger_codes=self.triggers,
                    params=self.params,
                )
                latest[pid] = (scored, scores, on)
                if reasons:
                    reasons_by_print[print_] = reasons
            if pid not in newest or on >= newest[pid]:
                newest[pid] = on
            rows.append(
                _row(
                    agency_id,
                    pid,
                    village_id,
                    catalogue_id,
                    on,
                    assessor_id,
                    item.source,
                    scores_json,
                    print_,
                    scored,
                    spelling.domains(sheet),
                    sheet,
                )
            )
        self.carried = {pid: (latest[pid], on) for pid, on in newest.items()}
        built = _Built(batch, rows, _copy_text(rows, looked.ids, now), looked.ids, people, reasons_by_print)
        if looked.ids is not None:
            built.expected = _outcome(built, {row[9]: id_ for id_, row in zip(looked.ids, rows, strict=True)})
        return built


def _row(
    agency_id: int,
    person_id: int,
    village_id: int,
    catalogue_id: int,
    assessed_on: date,
    assessor_id: int | None,
    source: str,
    scores_json: str,
    print_: str,
    scored: scoring.Result,
    domains_json: str,
    sheet: str,
) -> tuple[Any, ...]:
    """A person's assessment row, in COLUMNS order without recorded_at."""
    return (
        agency_id,
        person_id,
        village_id,
        False,
        catalogue_id,
        assessed_on,
        assessor_id,
        source,
        scores_json,
        print_,
        scored.index,
        scored.band,
        scored.completeness,
        domains_json,
        scored.count_3,
        scored.deprivation_share,
        scored.multiple,
        sheet,
        scoring.flags_text(scored.red_flags),
    )


def _look_up(run: _Run, batch: list[BulkItem]) -> _Looked:
    """A batch's people with their current assessments, in one query, and on PostgreSQL ids reserved
    for its rows. Of the current assessment only what the warnings read: index, band, red flags, and its
    answer sheet with its catalogue version, to read the trigger indicators off."""
    found = Person.objects.filter(pk__in=ids_in({i.person_id for i in batch})).values_list(
        "pk",
        "agency_id",
        "village_id",
        "birth_date",
        "current_assessed_on",
        "current_assessment_id",
        "current_index",  # (what scoring.warnings reads of it: current risk, re-scored or not)
        "current_band",
        "current_red_flags",
        "current_assessment__catalogue_id",
        "current_assessment__sheet",
        "birth_year",
    )
    if connection.vendor == "postgresql":  # the driver's rows as they come: made into people on the helper
        sql, params = found.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        ids = _reserve_ids(len(batch))
    else:  # (SQLite gives dates as text: Django's rows)
        rows, ids = list(found), None
    if {row[-3] for row in rows if row[-3] is not None} - run.trigger_places.keys():
        run.trigger_places = _trigger_places(run.triggers)  # (a version made since the run began)
    return _Looked(rows, ids)


def _sheet_orders() -> dict[int, list[str]]:
    """Every catalogue version's answer-sheet order for people (scoring.sheet_codes), by id: how each
    stored sheet is read. There are a handful of versions."""
    return {
        c.pk: scoring.sheet_codes(c.specs("IH")) for c in Catalogue.objects.prefetch_related("indicators")
    }


def _trigger_places(triggers: list[str]) -> dict[int, list[tuple[str, int]]]:
    """For each catalogue version, where the trigger indicators (`triggers`, the codes of the version a
    run records under) are on its sheets: (code, place) for those it has."""
    return {
        version: [(code, codes.index(code)) for code in triggers if code in codes]
        for version, codes in _sheet_orders().items()
    }


def _reading(old: list[str], new: list[str]) -> Callable[[str], str]:
    """A sheet stored in `old` order read as a sheet in `new` order ('0' for the codes `old` lacks)."""
    size = len(old)
    if old == new:
        picked: Callable[[str], Any] = str
    else:
        places = [old.index(code) if code in old else size for code in new]
        getter = itemgetter(*places) if places else (lambda _: ())
        picked = lambda sheet: "".join(getter(sheet + "0"))  # noqa: E731 (itemgetter gives a lone digit for one place)

    def read(sheet: str) -> str:
        if len(sheet) != size:
            raise ValueError(f"a stored answer sheet of {len(sheet)} digits where its version has {size}")
        return picked(sheet)

    return read


def _reserve_ids(count: int) -> list[int] | None:
    """On PostgreSQL, `count` ids from the assessments' sequence, for rows written by COPY."""
    if connection.vendor != "postgresql":
        return None
    table = Assessment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT array_agg(nextval(pg_get_serial_sequence('{table}', 'id'))) FROM generate_series(1, %s)",
            [count],
        )
        return list(cursor.fetchone()[0] or [])  # (one array: faster to fetch than a row per id)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_escaped(text: str) -> str:
    """Text as a COPY text-format field: mostly there is nothing to escape, which four searches for one
    character find ten times faster than a regular expression does (0.2 µs against 2 µs for a row's
    answers), and faster than translate() goes through the text."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_COPY_ESCAPES)
    return text


_DAYS: dict[date, str] = {}  # dates as COPY writes them: a run has few, written again and again


def _day(on: date) -> str:
    text = _DAYS.get(on)
    if text is None:
        text = on.isoformat()
        if len(_DAYS) < 100_000:
            _DAYS[on] = text
    return text


_NULL = "\\N"


def _copy_line(id_: int, row: tuple[Any, ...], recorded_at: str) -> str:
    """An assessment row (COLUMNS order, without recorded_at) in PostgreSQL's COPY text format, its id
    first: written out column by column, which is several times faster than a general formatter."""
    (agency, person, village, is_village, catalogue, on, assessor, source, scores, print_, index, band) = row[
        :12
    ]
    completeness, domains, count_3, share, multiple, sheet, flags = row[12:]
    assessor_text = _NULL if assessor is None else assessor
    index_text = _NULL if index is None else repr(float(index))
    scores, domains = _copy_escaped(scores), _copy_escaped(domains)
    return (
        f"{id_}\t{agency}\t{person}\t{village}\t{'t' if is_village else 'f'}\t{catalogue}\t{_day(on)}\t"
        f"{assessor_text}\t{_copy_escaped(source)}\t{scores}\t{print_}\t{index_text}\t{band}\t"
        f"{float(completeness)!r}\t{domains}\t{count_3}\t{float(share)!r}\t{'t' if multiple else 'f'}\t"
        f"{sheet}\t{flags}\t{recorded_at}\n"
    )


def _copy_text(rows: list[tuple[Any, ...]], ids: list[int] | None, now: Any) -> str | None:
    """Rows as COPY text under their reserved ids (None when there are none: not PostgreSQL)."""
    if ids is None:
        return None
    at = now.isoformat()
    return "".join(_copy_line(id_, row, at) for id_, row in zip(ids, rows, strict=True))


def _outcome(built: _Built, ids: dict[str, int]) -> _Outcome:
    """Which rows were new (the same assessment twice in one run counts once), whose current risk they
    become (the newest per person, unless an assessment already current is newer), and their alerts."""
    seen: set[str] = set()
    fresh = []
    created: list[tuple[int, int]] = []
    for item, row in zip(built.batch, built.rows, strict=True):
        if row[9] in ids and row[9] not in seen:
            seen.add(row[9])
            fresh.append(row)
            if item.ref is not None:
                created.append((item.ref, ids[row[9]]))
    newest: dict[int, tuple[Any, ...]] = {}
    for row in fresh:
        best = newest.get(row[1])
        if best is None or row[5] >= best[5]:
            newest[row[1]] = row
    people, reasons = built.people, built.reasons
    current = [
        (pid, ids[row[9]], row[10], row[11], row[5], row[16], row[15], row[4], row[18])
        for pid, row in newest.items()
        if people[pid][4] is None or row[5] >= people[pid][4]
    ]
    return _Outcome(
        created=created,
        new=len(fresh),
        skipped=len(built.rows) - len(fresh),
        villages={row[2] for row in newest.values()},
        current=current,
        current_copy="".join(map(_current_line, current)) if built.ids is not None else None,
        alerts=[(row, ids[row[9]], reasons[row[9]]) for row in fresh if row[9] in reasons],
    )


def _write(run: _Run, built: _Built, on_created: Callable[[list[tuple[int, int]]], None] | None) -> None:
    """Store a built batch and what follows from it: current risk, alerts, the caller's provenance.

    When every row went in as the helper expected (reserved ids, no duplicates), its outcome is the one
    the helper worked out; otherwise it is worked out here from the ids the database gave."""
    ids = _insert_copied(built.rows, built.copy, built.ids)
    outcome = built.expected if built.expected and len(ids) == len(built.rows) else _outcome(built, ids)
    run.result.created += outcome.new
    run.result.skipped_duplicates += outcome.skipped
    run.result.villages |= outcome.villages
    _set_current(outcome.current, outcome.current_copy)
    _raise_alerts(run, outcome.alerts)
    if on_created is not None:
        on_created(outcome.created)


def _insert_copied(
    rows: list[tuple[Any, ...]], copy_text: str | None, ids: list[int] | None
) -> dict[str, int]:
    """Write a batch's rows, given on PostgreSQL also as COPY text under reserved ids; the new ones' ids
    by fingerprint (duplicates of stored ones are skipped).

    PostgreSQL: COPY straight into the table. Stored fingerprints are not looked up first: resubmitted rows
    are the exception, so when the unique fingerprint refuses one (a file imported twice, another session
    storing the same assessment), that batch is written again through a scratch table and INSERT … ON
    CONFLICT DO NOTHING, which skips them. Elsewhere, _insert_rows."""
    if copy_text is None or ids is None:
        return _insert_rows(rows)
    table = Assessment._meta.db_table
    quoted = ", ".join(connection.ops.quote_name(c) for c in ("id", *COLUMNS))
    with connection.cursor() as cursor:
        try:
            copying = cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN")
            with transaction.atomic(), connection.wrap_database_errors, copying as copy:
                copy.write(copy_text)
            return {row[9]: id_ for id_, row in zip(ids, rows, strict=True)}
        except IntegrityError:
            pass
        # Some are stored already, or twice in the batch: the batch again, through a scratch table,
        # skipping those (the first of each kept).
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS sp_assessment_copy AS SELECT {quoted} FROM {table} WHERE false"
        )
        cursor.execute("TRUNCATE sp_assessment_copy")
        with cursor.cursor.copy(f"COPY sp_assessment_copy ({quoted}) FROM STDIN") as copy:
            copy.write(copy_text)
        cursor.execute(
            f"INSERT INTO {table} ({quoted}) SELECT DISTINCT ON (fingerprint) {quoted} "
            "FROM sp_assessment_copy ORDER BY fingerprint, id "
            "ON CONFLICT DO NOTHING RETURNING fingerprint, id"
        )
        return dict(cursor.fetchall())


def _raise_alerts(run: _Run, raised: list[tuple[tuple[Any, ...], int, list[scoring.Reason]]]) -> None:
    """Alerts for new assessments (row, its id, the reasons), routed to whoever covers each village."""
    if not raised:
        return
    alerts = [
        Alert(
            agency_id=row[0],
            person_id=row[1],
            village_id=row[2],
            assessment_id=assessment_id,
            due_at=run.deadline,
            reasons=[{"rule": r.rule, **r.detail} for r in reasons],
        )
        for row, assessment_id, reasons in raised
    ]
    Alert.objects.bulk_create(alerts, batch_size=2000)
    through = Alert.recipients.through
    links: list[Any] = []
    cache = run.recipients
    unrouted = {(a.agency_id, a.village_id) for a in alerts} - cache.keys()
    villages = Area.objects.in_bulk({village_id for _, village_id in unrouted})
    routing: dict[int, list[tuple[int, str, list[str]]]] = {}
    for agency_id, village_id in unrouted:
        if agency_id not in routing:
            routing[agency_id] = alert_routing(agency_id)
        cache[agency_id, village_id] = recipients_for(agency_id, villages[village_id], routing[agency_id])
    for alert in alerts:
        links.extend(
            through(alert_id=alert.pk, user_id=user_id)
            for user_id in cache[alert.agency_id, alert.village_id]
        )
    through.objects.bulk_create(links, batch_size=5000)
    notice_emit(alert_notice(a, cache[a.agency_id, a.village_id]) for a in alerts)
    run.result.alerts += len(alerts)
    run.result.alert_ids.extend(a.pk for a in alerts)


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
    "sheet",
    "red_flags",
    "recorded_at",
)


def _insert_rows(rows: list[tuple[Any, ...]]) -> dict[str, int]:
    """Where there is no COPY (SQLite): insert assessments (tuples in COLUMNS order, without recorded_at),
    skipping any whose fingerprint is already stored or came earlier in `rows`, with one prepared INSERT
    run; the new ones' ids by fingerprint."""
    if not rows:
        return {}
    now = timezone.now()
    table = Assessment._meta.db_table
    with connection.cursor() as cursor:
        seen = set(_stored(cursor, table, rows))
        fresh = []
        for row in rows:
            if row[9] not in seen:  # neither stored before nor earlier in this batch
                seen.add(row[9])
                fresh.append((*row, now))
        if not fresh:
            return {}
        quoted = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
        marks = ", ".join(["%s"] * len(COLUMNS))
        # (ON CONFLICT: should another connection have stored one of them since the look above)
        cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks}) ON CONFLICT DO NOTHING", fresh)
        return _stored(cursor, table, fresh)


def _stored(cursor: Any, table: str, rows: list[tuple[Any, ...]]) -> dict[str, int]:
    """Which of these person assessment rows are stored: their ids by fingerprint. Looked up by person
    and fingerprint, so that the person's history index (which holds the fingerprint) finds them."""
    found: dict[str, int] = {}
    for start in range(0, len(rows), 400):
        chunk = rows[start : start + 400]
        people, prints = sorted({r[1] for r in chunk}), [r[9] for r in chunk]
        cursor.execute(
            f"SELECT fingerprint, id FROM {table} WHERE person_id IN ({', '.join(['%s'] * len(people))}) "
            f"AND fingerprint IN ({', '.join(['%s'] * len(prints))})",
            [*people, *prints],
        )
        found.update(cursor.fetchall())
    return found


# Current risk as _set_current writes it (Person's columns), in the order of its rows.
CURRENT_COLUMNS = (
    "id",
    "current_assessment_id",
    "current_index",
    "current_band",
    "current_assessed_on",
    "current_multiple",
    "current_deprivation_share",
    "current_catalogue_id",
    "current_red_flags",
)


def _current_line(row: tuple[Any, ...]) -> str:
    """A _set_current row in COPY text format."""
    pid, aid, index, band, on, multiple, share, catalogue_id, flags = row
    index_text = _NULL if index is None else repr(float(index))
    share_text = _NULL if share is None else repr(float(share))
    return (
        f"{pid}\t{aid}\t{index_text}\t{band}\t{_day(on)}\t{'t' if multiple else 'f'}\t"
        f"{share_text}\t{catalogue_id}\t{flags}\n"
    )


def _set_current(rows: list[tuple[Any, ...]], copy_text: str | None = None, *, rescore: bool = False) -> None:
    """Set people's current risk: rows in CURRENT_COLUMNS order (person id, assessment id, index, band,
    date, multiple vulnerability, deprivation share, catalogue id, red flags), given on PostgreSQL also as
    COPY text when the caller has made it on its helper thread. A re-score (rescore=True) leaves alone
    anyone whose current assessment is no longer the one it scored: an assessment recorded meanwhile by
    another session, which PostgreSQL re-checks the condition against once that session commits.

    PostgreSQL: COPY into a scratch table and one UPDATE … FROM; SQLite: one prepared UPDATE run. Both far
    faster than the CASE expressions of QuerySet.bulk_update."""
    if not rows:
        return
    table = Person._meta.db_table
    columns = CURRENT_COLUMNS[1:]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Three round trips (each a wait for the server while the helper thread works): statements
            # without parameters go together.
            cursor.execute(
                "SELECT current_setting('enable_hashjoin'), current_setting('enable_mergejoin'); "
                f"CREATE TEMP TABLE IF NOT EXISTS sp_current_stage AS SELECT {', '.join(CURRENT_COLUMNS)} "
                f"FROM {table} WHERE false; "
                "TRUNCATE sp_current_stage"
            )
            settings = cursor.fetchone()
            if not set(settings) <= {"on", "off"}:
                raise ValueError(f"unexpected planner settings {settings!r}")
            with cursor.cursor.copy(
                f"COPY sp_current_stage ({', '.join(CURRENT_COLUMNS)}) FROM STDIN"
            ) as copy:
                if copy_text is not None:
                    copy.write(copy_text)
                else:
                    for row in rows:
                        copy.write_row(row)
            same = " AND p.current_assessment_id = s.current_assessment_id" if rescore else ""
            # Each row finds its person by primary key. Left to itself, the planner may read the whole
            # people table once per batch instead (it prices a lookup as a disk read); at a million people
            # and 10,000 a batch that made a survey round three times slower. So, for this statement only,
            # no hash or merge join (the settings as they were are put back after it).
            cursor.execute(
                "SELECT set_config('enable_hashjoin', 'off', true), "
                "set_config('enable_mergejoin', 'off', true); "
                f"UPDATE {table} AS p SET {', '.join(f'{c} = s.{c}' for c in columns)} "
                f"FROM sp_current_stage AS s WHERE p.id = s.id{same}; "
                f"SELECT set_config('enable_hashjoin', '{settings[0]}', true), "
                f"set_config('enable_mergejoin', '{settings[1]}', true)"
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET {', '.join(f'{c} = %s' for c in columns)} WHERE id = %s"
                + (" AND current_assessment_id = %s" if rescore else ""),
                [(*row[1:], row[0], row[1]) if rescore else (*row[1:], row[0]) for row in rows],
            )


def _streamed(rows: Any, size: int) -> Iterator[list[tuple[Any, ...]]]:
    """A values_list queryset's rows in batches, from one streamed query. On PostgreSQL the driver's rows
    as they come, from a server-side cursor (Django's own iterator spent a second a million rows making
    them again); SQLite gives dates as text, so there Django's rows."""
    if connection.vendor != "postgresql":
        yield from _batches(rows.iterator(chunk_size=size), size)
        return
    sql, params = rows.query.sql_with_params()
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(size):
            yield batch


def catalogue_rescore(*, actor: Any, catalogue: Catalogue | None = None, batch_size: int = 10_000) -> int:
    """Put everyone's current risk on the active catalogue version, from their latest answers.

    For each person whose current risk is under another version, the answers of their current
    assessment (those the new version still asks) are scored under the new one, and that becomes their
    current risk: index, band, multiple vulnerability and deprivation share, with the version. No
    assessment is written or changed: the history shows what was assessed, scored under the version of
    its day. Re-scoring raises no alerts (no answer changed). Returns how many were re-scored.

    Each current assessment's stored answer sheet is read in the new version's order (Scorer.score_sheet),
    so no JSON is parsed; on PostgreSQL a helper thread scores a batch while this one reads the next and
    writes the one before.
    """
    catalogue = catalogue or active_catalogue()
    scorer = scoring.Scorer(catalogue.specs("IH"), catalogue.params())
    catalogue_id = catalogue.pk
    copying = connection.vendor == "postgresql"  # (read here: the helper thread has no connection)
    readings: dict[int, Callable[[str], str]] = {}  # each version's sheets read in the new order

    def rows_of(batch: list[tuple[Any, ...]]) -> tuple[list[tuple[Any, ...]], str | None]:
        """A batch's new current risk, as _set_current rows and (on PostgreSQL) COPY text."""
        rows = []
        for person_id, assessment_id, assessed_on, version, stored, birth_date, birth_year in batch:
            age = scoring.youngest_age(assessed_on, birth_date, birth_year)
            try:
                scored = scorer.score_sheet(readings[version](stored), age)
            except ValueError as error:  # only if a stored sheet were not one of its version
                raise ValueError(f"person {person_id}, assessment {assessment_id}: {error}") from None
            rows.append(
                (
                    person_id,
                    assessment_id,
                    scored.index,
                    scored.band,
                    assessed_on,
                    scored.multiple,
                    scored.deprivation_share,
                    catalogue_id,
                    scoring.flags_text(scored.red_flags),
                )
            )
        text = "".join(map(_current_line, rows)) if copying else None
        return rows, text

    def write(rows: list[tuple[Any, ...]], text: str | None) -> int:
        _set_current(rows, text, rescore=True)
        return len(rows)

    done = 0
    with (
        transaction.atomic(),
        _bulk_mode(),
        _helper("rescoring") as helper,
    ):
        # One streamed query: each person whose current risk is under another version, with their current
        # assessment's version and answer sheet.
        stale = (
            Person.objects.filter(current_assessment__isnull=False)
            .exclude(current_catalogue=catalogue)
            .values_list(
                "pk",
                "current_assessment_id",
                "current_assessed_on",
                "current_assessment__catalogue_id",
                "current_assessment__sheet",
                "birth_date",
                "birth_year",
            )
            .order_by("pk")
        )
        pending: Future[tuple[list[tuple[Any, ...]], str | None]] | None = None
        for batch in _streamed(stale, batch_size):
            if {row[3] for row in batch} - readings.keys():  # (first met: on this thread, which reads)
                readings.update((v, _reading(codes, scorer.codes)) for v, codes in _sheet_orders().items())
            building = helper.submit(rows_of, batch)
            if pending is not None:
                done += write(*pending.result())
            pending = building
        if pending is not None:
            done += write(*pending.result())
        cells.refresh()
        audit_record(
            actor=actor,
            action="registry.catalogue.rescore",
            obj=catalogue,
            changes={"version": catalogue.version, "rescored": done},
        )
    return done
