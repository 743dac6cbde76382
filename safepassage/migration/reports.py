"""Safe-migration reports: registrations by origin, destination, sector and recruiter; arrivals confirmed;
time to the first check-in; people out of contact now; problems reported at check-ins by workplace and by
recruiter. Counts only: nothing here names a registered person.

Scope: the registrations of channels at whose ends the viewer's agencies are, for their administrators,
coordinators and caseworkers (Channel.ends_q), and the registrations of their own agency's channels for
analysts; never through an enforcement agency (working_agencies, PRODUCT.md rule 2).

`migration_report()` is the protected function: the page, the CSV and the API call it, and nothing else
reads these aggregates. Exact numbers, with workplace and recruiter names, only where report_scope's rule
allows them (every grant in the scope is case staff at a channel's end: no analyst among them). Otherwise
disclosure control survives differencing (core.disclosure, the cell-key method; PRODUCT.md rule 6): every
count is perturbed with the sum of the record keys of exactly the registrations in its cell and shown as
"<11" when small; the share confirmed, the days to the first check-in and the problems per person are
perturbed means (no percentiles: a percentile is always one person's own value); workplaces are grouped by
sector and recruiters lettered; a travel period must be whole months with both ends (core.periods); and
every request is audited with its parameters. A handful of queries whatever the number of registrations:
counts and key sums are grouped in SQL. docs/migration.md explains every figure; docs/disclosure-control.md
the method.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.audit.services import audit_report
from safepassage.cases.lessons import Tally, percentile, publish, rank
from safepassage.core.access import viewer_for
from safepassage.core.dates import parse_day
from safepassage.core.disclosure import THRESHOLD, perturbed_mean, shown_count
from safepassage.core.periods import check_whole_months
from safepassage.core.roles import Role
from safepassage.geo.models import Area
from safepassage.migration.models import STAFF, Channel, CheckIn, Problem, Registration, working_agencies
from safepassage.reports import protect
from safepassage.reports.selectors import EXACT_ROLES, Scope
from safepassage.workplaces.kinds import sector_labels

TABLES = (
    "arrivals",
    "first_checkin",
    "contact",
    "origins",
    "destinations",
    "sectors",
    "recruiters",
    "problems_workplaces",
    "problems_recruiters",
)
FILTER_PARAMS = ("channel", "travel_from", "travel_to")
NOT_RECORDED = ""  # the code of the "not known" row of a table
# Means an analyst reads are of values capped at a span, so one person moves a mean by at most span / n,
# the size its noise is scaled to (core.disclosure): days from arrival to the first check-in (the longest
# default schedule is 180 days), and problems per person (each kind counted once per check-in).
WAIT_SPAN = 180
PROBLEM_SPAN = len(Problem.choices)


# --- who and what --------------------------------------------------------------------------------------


def report_scope(viewer: Any) -> Scope:
    """Registrations the viewer reports on, and whether the numbers may be exact (report_scope's rule)."""
    v = viewer_for(viewer)
    staff = working_agencies(v, STAFF)
    analysts = working_agencies(v, (Role.ANALYST,))
    q = Q(pk__in=[])
    exact, empty = True, True
    for grant in v.grants:
        if grant.role in STAFF and grant.agency_id in staff:
            q |= (
                Q(channel__agency_id=grant.agency_id)
                | Q(channel__origin_organisation__member_agency_id=grant.agency_id)
                | Q(channel__destination_organisation__member_agency_id=grant.agency_id)
            )
        elif grant.role == Role.ANALYST and grant.agency_id in analysts:
            q |= Q(channel__agency_id=grant.agency_id)
        else:
            continue
        empty = False
        exact = exact and grant.role in EXACT_ROLES
    return Scope(q=q, exact=exact and not empty, empty=empty)


def report_channels(viewer: Any) -> QuerySet[Channel]:
    """The channels the viewer reports on: the ones the channel filter offers."""
    v = viewer_for(viewer)
    analysts = working_agencies(v, (Role.ANALYST,))
    return Channel.objects.filter(Channel.ends_q(v, STAFF) | Q(agency_id__in=analysts)).order_by("name")


@dataclass(frozen=True)
class Filters:
    """Which registrations to count: one channel, and a period of travel dates."""

    channel_id: int | None = None
    travel_from: date | None = None
    travel_to: date | None = None

    def as_dict(self) -> dict[str, str]:
        """The filters as query-string values ("" when not set)."""
        return {
            "channel": str(self.channel_id or ""),
            "travel_from": self.travel_from.isoformat() if self.travel_from else "",
            "travel_to": self.travel_to.isoformat() if self.travel_to else "",
        }


def parse_filters(params: Mapping[str, Any], *, viewer: Any = None) -> Filters:
    """Read the filters from a query string; every bad value is named in one ValidationError, each message
    naming its field. With `viewer`, the channel must be one they report on (else it does not exist)."""
    errors: dict[str, list[str]] = {}
    channel_id = None
    raw = str(params.get("channel") or "").strip()
    if raw:
        known = raw.isdigit() and (viewer is None or report_channels(viewer).filter(pk=int(raw)).exists())
        if known:
            channel_id = int(raw)
        else:
            errors["channel"] = [
                _("Channel: there is no such channel among yours; choose one from the list.")
            ]
    days: dict[str, date | None] = {}
    messages = {
        "travel_from": _(
            "Travel date from: write a date as YYYY or YYYY-MM-DD, for example 2025 or 2025-03-31."
        ),
        "travel_to": _("Travel date to: write a date as YYYY or YYYY-MM-DD, for example 2025 or 2025-12-31."),
    }
    for name in ("travel_from", "travel_to"):
        text = str(params.get(name) or "").strip()
        days[name] = None
        if text:
            try:
                days[name] = parse_day(text, end=name == "travel_to")
            except ValueError:
                errors[name] = [messages[name]]
    start, end = days["travel_from"], days["travel_to"]
    if start and end and start > end:
        errors["travel_to"] = [_("Travel date to: the period ends before it starts.")]
    if errors:
        raise ValidationError(errors)
    return Filters(channel_id=channel_id, travel_from=start, travel_to=end)


def check_period(scope: Scope, filters: Filters) -> None:
    """Outside an exact scope a travel period is whole months with both ends (core.periods), else a
    ValidationError naming the parameter: stepping an open-ended period a day at a time counts the people
    leaving each day. No period at all (every registration) needs no check."""
    if scope.exact or (filters.travel_from is None and filters.travel_to is None):
        return
    try:
        check_whole_months(
            filters.travel_from, filters.travel_to, start_name="travel_from", end_name="travel_to"
        )
    except ValidationError as exc:
        # Named as the page names the fields, as this module's other messages are.
        names = {"travel_from": _("Travel date from"), "travel_to": _("Travel date to")}
        raise ValidationError(
            {
                field: [_("%(field)s: %(message)s") % {"field": names[field], "message": m} for m in messages]
                for field, messages in exc.message_dict.items()
            }
        ) from None


def registrations_in_scope(viewer: Any, filters: Filters) -> tuple[QuerySet[Registration], Scope]:
    """The registrations counted for this viewer and these filters. Raises a ValidationError for a period a
    protected scope may not ask for."""
    scope = report_scope(viewer)
    check_period(scope, filters)
    if scope.empty:
        return Registration.objects.none(), scope
    qs = Registration.objects.filter(scope.q)
    if filters.channel_id:
        qs = qs.filter(channel_id=filters.channel_id)
    if filters.travel_from:
        qs = qs.filter(travel_date__gte=filters.travel_from)
    if filters.travel_to:
        qs = qs.filter(travel_date__lte=filters.travel_to)
    return qs, scope


# --- pure helpers ---------------------------------------------------------------------------------------


def district_code(path: str | None) -> str:
    """The district's code from an area path (country/province/district/…); an area above a district is
    itself ("" for none)."""
    parts = [p for p in (path or "").split("/") if p]
    if not parts:
        return NOT_RECORDED
    return parts[2] if len(parts) >= 3 else parts[-1]


def letters(n: int) -> str:
    """1 → A, 26 → Z, 27 → AA: a name that stands for something without naming it."""
    name = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def _hide(row: dict[str, Any], *keys: str) -> None:
    """Withhold values (a mean over too few people): None, and listed in the row's `suppressed`."""
    for key in keys:
        row[key] = None
        if key not in row["suppressed"]:
            row["suppressed"].append(key)


def _mean(
    row: dict[str, Any], key: str, total: float, n: int, key_sum: int, *, span: float, digits: int
) -> None:
    """Set a protected mean in a row: perturbed with the cell's key, or withheld (None; listed in
    `suppressed` unless nobody is in the cell)."""
    value = perturbed_mean(total, n, key_sum, span=span, digits=digits)
    if value is None:
        row[key] = None
        if n:
            _hide(row, key)
        return
    row[key] = int(value) if digits == 0 else value


def _order(rows: list[dict[str, Any]], count_key: str) -> list[dict[str, Any]]:
    """Most first by the numbers shown ("<11" after, in label order, so the order gives nothing away); the
    "not known" row last."""
    known = [r for r in rows if r["code"] != NOT_RECORDED]
    extra = [r for r in rows if r["code"] == NOT_RECORDED]
    known.sort(key=lambda r: -rank(r[count_key]))  # stable: rows came in label order
    return known + extra


def _table(
    key: str,
    title: str,
    explanation: str,
    columns: Sequence[tuple[str, str, str]],
    rows: list[dict[str, Any]],
) -> dict[str, Any]:
    """One table: columns (key, heading, kind: text, count, days, number or percent), rows, and what it
    shows as "<11" or withholds — the rows that did, or for a one-row table the figures."""
    titles = {c: t for c, t, _kind in columns}
    if any(c == "label" for c, _t, _k in columns):
        hidden = [str(r["label"]) for r in rows if r["suppressed"]]
    else:
        hidden = [titles[k] for r in rows for k in r["suppressed"] if k in titles]
    return {
        "id": key,
        "title": title,
        "explanation": explanation,
        "columns": [{"key": c, "title": t, "kind": kind} for c, t, kind in columns],
        "rows": rows,
        "suppressed": hidden,
    }


def _rows(cells: Mapping[str, Tally], labels: Mapping[str, str], exact: bool) -> list[dict[str, Any]]:
    """Rows of (code, label, people) in label order, leaving out codes nobody has."""
    rows = []
    for code, cell in sorted(cells.items(), key=lambda item: str(labels.get(item[0], item[0]))):
        if not cell.n:
            continue
        row: dict[str, Any] = {"code": code, "label": labels.get(code, code), "suppressed": []}
        publish(row, "people", cell.n, cell.keys, exact)
        rows.append(row)
    return rows


def _grouped(rows: Iterable[Mapping[str, Any]], code: Any) -> dict[Any, Tally]:
    """Cells from grouped rows (n, keys), each row's code given by `code(row)`; codes may repeat (villages
    rolled up to districts): the counts and key sums add up."""
    cells: dict[Any, Tally] = defaultdict(Tally)
    for row in rows:
        cell = cells[code(row)]
        cell.n += row["n"]
        cell.keys += int(row["keys"] or 0)
    return cells


# --- the report -----------------------------------------------------------------------------------------


def audit_request(viewer: Any, scope: Scope, filters: Filters, output: str) -> None:
    """Record a protected scope's request: what was asked (the filters and what for), never the figures."""
    if scope.exact or scope.empty:
        return
    with transaction.atomic():
        audit_report(actor=viewer, report="migration", parameters={**filters.as_dict(), "output": output})


def migration_report(
    viewer: Any, filters: Filters, *, today: date | None = None, output: str = "tables"
) -> dict[str, Any]:
    """Every table of the safe-migration report for this viewer (about ten queries, none per registration):
    exact for case staff at the channels' ends, else through the cell-key method (module docstring), the
    request audited with `output` (what it was for: "tables", "csv:<table>"). Raises a ValidationError
    naming the parameter for a period a protected scope may not ask for."""
    today = today or timezone.localdate()
    qs, scope = registrations_in_scope(viewer, filters)
    exact = scope.exact
    audit_request(viewer, scope, filters, output)
    withdrawn = Q(status=Registration.Status.WITHDRAWN)
    missed = Exists(
        CheckIn.objects.filter(registration=OuterRef("pk"), done_on__isnull=True, due_on__lt=today)
    )
    traced = Q(tracing=True) & ~withdrawn
    cells = {
        "n": Q(),
        "expected": Q(expected_arrival__lt=today) & ~withdrawn,
        "confirmed": Q(expected_arrival__lt=today, arrived_on__isnull=False) & ~withdrawn,
        "traced": traced,
        "unreachable": traced & Q(unreachable_since__isnull=False),
        "missed": traced & Q(has_missed=True),
        "out": traced & (Q(unreachable_since__isnull=False) | Q(has_missed=True)),
    }
    # Each cell's count and the sum of its registrations' record keys, in the same query.
    aggregated = qs.annotate(has_missed=missed).aggregate(
        **{name: Count("pk", filter=q) for name, q in cells.items()},
        **{f"{name}_keys": Sum("record_key", filter=q) for name, q in cells.items()},
    )
    totals: dict[str, Tally] = {}
    for name in cells:
        totals[name] = Tally()
        totals[name].n = int(aggregated[name] or 0)
        totals[name].keys = int(aggregated[f"{name}_keys"] or 0)

    counted = {"n": Count("pk"), "keys": Sum("record_key")}
    origins = _grouped(
        qs.values("person__village__path").annotate(**counted).order_by(),
        lambda row: district_code(row["person__village__path"]),
    )
    places: dict[str, str] = {}

    def destination(row: Mapping[str, Any]) -> str:
        code = district_code(row["destination_area__path"])
        if not code:
            country, place = row["channel__destination_country"], row["channel__destination_place"]
            code = f"{country}:{place}"
            places[code] = f"{place} ({country})" if place else country
        return code

    destinations = _grouped(
        qs.values("destination_area__path", "channel__destination_country", "channel__destination_place")
        .annotate(**counted)
        .order_by(),
        destination,
    )
    sectors = _grouped(
        qs.values("sector").annotate(**counted).order_by(), lambda row: row["sector"] or NOT_RECORDED
    )
    recruiter_rows = list(qs.values("recruiter_id", "recruiter__name").annotate(**counted).order_by())
    recruiter_names: dict[int, str] = {
        row["recruiter_id"]: row["recruiter__name"] for row in recruiter_rows if row["recruiter_id"]
    }
    waits = [
        ((first - arrived).days, int(key))
        for arrived, first, key in qs.filter(arrived_on__isnull=False)
        .annotate(first=Min("checkins__done_on", filter=Q(checkins__kind=CheckIn.Kind.SCHEDULED)))
        .filter(first__isnull=False)
        .order_by()
        .values_list("arrived_on", "first", "record_key")
    ]
    problem_rows = list(
        CheckIn.objects.filter(registration__in=qs.values("pk"))
        .exclude(problems=[])
        .values(
            "registration_id",
            "registration__record_key",
            "registration__planned_workplace_id",
            "registration__planned_workplace__name",
            "registration__planned_workplace__sector",
            "registration__recruiter_id",
            "problems",
        )
    )
    codes = set(origins) | set(destinations)
    area_names = {
        a.code: a.name for a in Area.objects.filter(code__in=[c for c in codes if c and ":" not in c])
    }

    sector_names = sector_labels()
    sector_names[NOT_RECORDED] = _("Not said")
    # Staff read recruiters' names; analysts read "Recruiter A, B…" (code A, B…), lettered in the order the
    # recruiters were recorded, never by their counts (which may be hidden).
    recruiter_code: dict[int | None, str] = {None: NOT_RECORDED}
    recruiter_labels: dict[str, str] = {NOT_RECORDED: _("No recruiter")}
    for n, pk in enumerate(sorted(recruiter_names), start=1):
        recruiter_code[pk] = str(pk) if exact else letters(n)
        recruiter_labels[recruiter_code[pk]] = (
            recruiter_names[pk] if exact else _("Recruiter %(letter)s") % {"letter": letters(n)}
        )
    by_recruiter = _grouped(recruiter_rows, lambda row: recruiter_code[row["recruiter_id"]])

    tables = [
        _arrivals(totals, exact),
        _first_checkin(waits, exact),
        _contact(totals, exact),
        _people_table(
            "origins",
            _("Registrations by home district"),
            _("How many people registered, by the district of their home village."),
            _("District"),
            origins,
            {**area_names, NOT_RECORDED: _("Not known")},
            exact,
        ),
        _people_table(
            "destinations",
            _("Registrations by destination"),
            _(
                "How many people registered, by the district they were going to, or the place and country "
                "of the channel's far end when it is outside our areas."
            ),
            _("Destination"),
            destinations,
            {**area_names, **places},
            exact,
        ),
        _people_table(
            "sectors",
            _("Registrations by kind of work"),
            _("How many people registered, by the kind of work they said they would do."),
            _("Kind of work"),
            sectors,
            sector_names,
            exact,
        ),
        _people_table(
            "recruiters",
            _("Registrations by recruiter"),
            _(
                "How many people registered, by the registered recruiter who brought them the job (names for "
                "staff of the agencies at the ends; for others each number stands for one recruiter)."
            ),
            _("Recruiter"),
            by_recruiter,
            recruiter_labels,
            exact,
        ),
        *_problem_tables(problem_rows, sector_names, recruiter_code, recruiter_labels, exact),
    ]
    everyone = totals["n"]
    return {
        "count": everyone.n if exact else shown_count(everyone.n, everyone.keys).as_json(),
        "exact": exact,
        "perturbed": not exact,
        "suppressed_below": None if exact else THRESHOLD,
        "filters": filters.as_dict(),
        "as_of": today.isoformat(),
        "tables": {table["id"]: table for table in tables},
    }


def _people_table(
    key: str,
    title: str,
    explanation: str,
    heading: str,
    cells: Mapping[str, Tally],
    labels: Mapping[str, str],
    exact: bool,
) -> dict[str, Any]:
    """People by one grouping, each row a cell of its own registrations (with its own noise when
    protected)."""
    rows = _rows(cells, labels, exact)
    columns = [("label", heading, "text"), ("people", _("People"), "count")]
    return _table(key, title, explanation, columns, _order(rows, "people"))


def _arrivals(totals: Mapping[str, Tally], exact: bool) -> dict[str, Any]:
    expected, confirmed = totals["expected"], totals["confirmed"]
    row: dict[str, Any] = {"suppressed": []}
    publish(row, "expected", expected.n, expected.keys, exact)
    publish(row, "confirmed", confirmed.n, confirmed.keys, exact, within="expected")
    not_confirmed = expected.keys - confirmed.keys
    publish(row, "not_confirmed", expected.n - confirmed.n, not_confirmed, exact, within="expected")
    if exact:
        row["share"] = round(100 * confirmed.n / expected.n) if expected.n else None
    else:
        # A perturbed share, withheld when the confirmed or the others are under 11 (share × expected
        # would give them back): reports.protect's rule for every share.
        share = protect.share(confirmed.n, expected.n, expected.keys, confirmed.keys, digits=2)
        row["share"] = None if share is None else round(100 * share)
        if share is None and expected.n:
            _hide(row, "share")
    return _table(
        "arrivals",
        _("Arrivals confirmed"),
        _(
            "Of the people whose expected arrival date has passed (leaving out those who withdrew their "
            "consent), how many the destination end confirmed as arrived, how many not, and the share "
            "confirmed in per cent."
        ),
        [
            ("expected", _("Should have arrived"), "count"),
            ("confirmed", _("Arrival confirmed"), "count"),
            ("not_confirmed", _("Not confirmed"), "count"),
            ("share", _("Share confirmed (%)"), "percent"),
        ],
        [row],
    )


def _first_checkin(waits: list[tuple[int, int]], exact: bool) -> dict[str, Any]:
    days = [d for d, _key in waits]
    key_sum = sum(key for _d, key in waits)
    row: dict[str, Any] = {"suppressed": []}
    publish(row, "people", len(waits), key_sum, exact)
    explanation = _(
        "For the people who arrived and have had a scheduled check-in, the days from arrival to the "
        "first one made (reached or not): the middle value, and the value 9 in 10 stay under (nearest "
        "rank)."
    )
    if exact:
        row.update(median=percentile(days, 50), p90=percentile(days, 90))
        columns = [("median", _("Median (days)"), "days"), ("p90", _("9 in 10 within (days)"), "days")]
    else:
        capped = sum(min(max(d, 0), WAIT_SPAN) for d in days)
        _mean(row, "mean", capped, len(days), key_sum, span=WAIT_SPAN, digits=0)
        explanation = _(
            "For the people who arrived and have had a scheduled check-in, the average days from arrival to "
            "the first one made (reached or not), moved a little as the counts are and withheld for fewer "
            "than 11 people; waits over 180 days count as 180."
        )
        columns = [("mean", _("Average (days)"), "days")]
    return _table(
        "first_checkin",
        _("Time to the first check-in"),
        explanation,
        [("people", _("People"), "count"), *columns],
        [row],
    )


def _contact(totals: Mapping[str, Tally], exact: bool) -> dict[str, Any]:
    row: dict[str, Any] = {"suppressed": []}
    publish(row, "traced", totals["traced"].n, totals["traced"].keys, exact)
    for key, cell in (
        ("out_of_contact", totals["out"]),
        ("unreachable", totals["unreachable"]),
        ("missed", totals["missed"]),
    ):
        publish(row, key, cell.n, cell.keys, exact, within="traced")
    return _table(
        "contact",
        _("Out of contact now"),
        _(
            "Of the people still traced, those out of contact now: nobody could reach them at the last try "
            "(cannot be reached), or a check-in is past its date and not made (missed check-in); one person "
            "can be both."
        ),
        [
            ("traced", _("Still traced"), "count"),
            ("out_of_contact", _("Out of contact"), "count"),
            ("unreachable", _("Cannot be reached"), "count"),
            ("missed", _("With a missed check-in"), "count"),
        ],
        [row],
    )


def _problem_tables(
    problem_rows: Iterable[Mapping[str, Any]],
    sector_names: Mapping[str, str],
    recruiter_code: Mapping[int | None, str],
    recruiter_labels: Mapping[str, str],
    exact: bool,
) -> list[dict[str, Any]]:
    """Problems reported at check-ins by the workplace people went to (staff: by name, analysts: by its
    sector) and by recruiter: people who reported at least one, and the problems in all (staff) or per
    person (analysts: a perturbed mean)."""
    # code → registration → problems it reported, across its check-ins
    people: dict[str, Counter[int]] = defaultdict(Counter)
    by_recruiter: dict[str, Counter[int]] = defaultdict(Counter)
    keys: dict[int, int] = {}
    sector_of: dict[str, str] = {}
    workplace_labels: dict[str, str] = {NOT_RECORDED: _("Workplace not known")}
    for row in problem_rows:
        found = len(row["problems"] or [])
        if not found:
            continue
        registration = row["registration_id"]
        keys[registration] = int(row["registration__record_key"])
        workplace = row["registration__planned_workplace_id"]
        sector = row["registration__planned_workplace__sector"] or NOT_RECORDED
        if workplace is None:
            code = NOT_RECORDED
        elif exact:
            code = str(workplace)
            workplace_labels[code] = row["registration__planned_workplace__name"]
            sector_of[code] = sector
        else:
            code = f"sector:{sector}"
            workplace_labels[code] = sector_names.get(sector, sector)
        people[code][registration] += found
        recruiter = recruiter_code.get(row["registration__recruiter_id"], NOT_RECORDED)
        by_recruiter[recruiter][registration] += found

    def rows_of(groups: Mapping[str, Counter[int]], labels: Mapping[str, str]) -> list[dict[str, Any]]:
        rows = []
        for code, members in sorted(groups.items(), key=lambda item: str(labels.get(item[0], item[0]))):
            row: dict[str, Any] = {"code": code, "label": labels.get(code, code), "suppressed": []}
            if exact:
                row["sector"] = sector_names.get(sector_of[code], "") if code in sector_of else ""
            key_sum = sum(keys[r] for r in members)
            publish(row, "people", len(members), key_sum, exact)
            if exact:
                row["problems"] = sum(members.values())
            else:
                capped = sum(min(n, PROBLEM_SPAN) for n in members.values())
                _mean(row, "per_person", capped, len(members), key_sum, span=PROBLEM_SPAN, digits=1)
            rows.append(row)
        return _order(rows, "people")

    counts = [("people", _("People who reported problems"), "count")]
    if exact:
        counts.append(("problems", _("Problems"), "count"))
        workplace_columns = [("label", _("Workplace"), "text"), ("sector", _("Sector"), "text"), *counts]
        explanations = (
            _(
                "How many people reported problems at their check-ins, and how many problems in all, by the "
                "workplace they were going to (by its kind of work only, for analysts)."
            ),
            _(
                "How many people reported problems at their check-ins, and how many problems in all, by the "
                "registered recruiter who brought them the job."
            ),
        )
    else:
        counts.append(("per_person", _("Problems per person (average)"), "number"))
        workplace_columns = [("label", _("Sector of the workplace"), "text"), *counts]
        explanations = (
            _(
                "How many people reported problems at their check-ins, and how many problems each reported "
                "on average (moved a little as the counts are, withheld for fewer than 11 people), by the "
                "kind of work of the workplace they were going to."
            ),
            _(
                "How many people reported problems at their check-ins, and how many problems each reported "
                "on average (moved a little as the counts are, withheld for fewer than 11 people), by the "
                "registered recruiter who brought them the job."
            ),
        )
    return [
        _table(
            "problems_workplaces",
            _("Problems reported at check-ins, by workplace"),
            explanations[0],
            workplace_columns,
            rows_of(people, workplace_labels),
        ),
        _table(
            "problems_recruiters",
            _("Problems reported at check-ins, by recruiter"),
            explanations[1],
            [("label", _("Recruiter"), "text"), *counts],
            rows_of(by_recruiter, recruiter_labels),
        ),
    ]


def csv_columns(table: Mapping[str, Any]) -> list[str]:
    """A table's CSV columns: the row code where it has one, its columns, and what each row shows as "<11"
    or withholds."""
    keys = [c["key"] for c in table["columns"]]
    return (["code"] if "label" in keys else []) + keys + ["suppressed"]
