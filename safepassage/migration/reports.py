"""Safe-migration reports: registrations by origin, destination, sector and recruiter; arrivals confirmed;
time to the first check-in; people out of contact now; problems reported at check-ins by workplace and by
recruiter. Counts only: nothing here names a registered person.

Scope: the registrations of channels at whose ends the viewer's agencies are, for their administrators,
coordinators and caseworkers (Channel.ends_q), and the registrations of their own agency's channels for
analysts; never through an enforcement agency (working_agencies, PRODUCT.md rule 2). Exact numbers, with
workplace and recruiter names, only where reports.selectors.report_scope's rule allows them (every grant in
the scope may read those records: no analyst among them); otherwise every count from 1 to 10 is hidden, with a
second one where a hidden count could be worked out from the others (k = 11, PRODUCT.md rule 6), and each
table says what it hid. A handful of queries whatever the number of registrations: counts are grouped in SQL.
docs/migration.md explains every figure.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.cases.lessons import percentile, suppress_cells, suppress_column
from safepassage.core.access import viewer_for
from safepassage.core.dates import parse_day
from safepassage.core.roles import Role
from safepassage.geo.models import Area
from safepassage.migration.models import STAFF, Channel, CheckIn, Registration, working_agencies
from safepassage.reports.selectors import EXACT_ROLES, Scope
from safepassage.reports.suppression import K, suppress_row
from safepassage.workplaces.models import Sector

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


def registrations_in_scope(viewer: Any, filters: Filters) -> tuple[QuerySet[Registration], Scope]:
    """The registrations counted for this viewer and these filters."""
    scope = report_scope(viewer)
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
    for key in keys:
        row[key] = None
        if key not in row["suppressed"]:
            row["suppressed"].append(key)


def _order(rows: list[dict[str, Any]], count_key: str) -> list[dict[str, Any]]:
    """Most first by the numbers shown (hidden ones after, in label order, so the order gives nothing away);
    the "not known" row last."""
    known = [r for r in rows if r["code"] != NOT_RECORDED]
    extra = [r for r in rows if r["code"] == NOT_RECORDED]
    known.sort(key=lambda r: -(r[count_key] or 0))  # stable: rows came in label order
    return known + extra


def _table(
    key: str,
    title: str,
    explanation: str,
    columns: Sequence[tuple[str, str, str]],
    rows: list[dict[str, Any]],
) -> dict[str, Any]:
    """One table: columns (key, heading, kind: text, count, days or percent), rows, and what it hides — the
    rows that lost a number, or for a one-row table the figures hidden."""
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


def _rows(counts: Mapping[str, int], labels: Mapping[str, str]) -> list[dict[str, Any]]:
    """Rows of (code, label, people) in label order, leaving out codes nobody has."""
    return [
        {"code": code, "label": labels.get(code, code), "people": n, "suppressed": []}
        for code, n in sorted(counts.items(), key=lambda item: str(labels.get(item[0], item[0])))
        if n
    ]


# --- the report -----------------------------------------------------------------------------------------


def migration_report(viewer: Any, filters: Filters, *, today: date | None = None) -> dict[str, Any]:
    """Every table of the safe-migration report for this viewer (about ten queries, none per registration)."""
    today = today or timezone.localdate()
    qs, scope = registrations_in_scope(viewer, filters)
    exact = scope.exact
    withdrawn = Q(status=Registration.Status.WITHDRAWN)
    missed = Exists(
        CheckIn.objects.filter(registration=OuterRef("pk"), done_on__isnull=True, due_on__lt=today)
    )
    traced = Q(tracing=True) & ~withdrawn
    totals = qs.annotate(has_missed=missed).aggregate(
        n=Count("pk"),
        expected=Count("pk", filter=Q(expected_arrival__lt=today) & ~withdrawn),
        confirmed=Count("pk", filter=Q(expected_arrival__lt=today, arrived_on__isnull=False) & ~withdrawn),
        traced=Count("pk", filter=traced),
        unreachable=Count("pk", filter=traced & Q(unreachable_since__isnull=False)),
        missed=Count("pk", filter=traced & Q(has_missed=True)),
        out=Count("pk", filter=traced & (Q(unreachable_since__isnull=False) | Q(has_missed=True))),
    )
    totals = {key: value or 0 for key, value in totals.items()}

    origins: Counter[str] = Counter()
    for row in qs.values("person__village__path").annotate(n=Count("pk")).order_by():
        origins[district_code(row["person__village__path"])] += row["n"]
    destinations: Counter[str] = Counter()
    places: dict[str, str] = {}
    for row in (
        qs.values("destination_area__path", "channel__destination_country", "channel__destination_place")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        code = district_code(row["destination_area__path"])
        if not code:
            country, place = row["channel__destination_country"], row["channel__destination_place"]
            code = f"{country}:{place}"
            places[code] = f"{place} ({country})" if place else country
        destinations[code] += row["n"]
    sectors: Counter[str] = Counter()
    for row in qs.values("sector").annotate(n=Count("pk")).order_by():
        sectors[row["sector"] or NOT_RECORDED] += row["n"]
    recruiter_counts: Counter[int | None] = Counter()
    recruiter_names: dict[int, str] = {}
    for row in qs.values("recruiter_id", "recruiter__name").annotate(n=Count("pk")).order_by():
        recruiter_counts[row["recruiter_id"]] += row["n"]
        if row["recruiter_id"]:
            recruiter_names[row["recruiter_id"]] = row["recruiter__name"]
    waits = [
        (first - arrived).days
        for arrived, first in qs.filter(arrived_on__isnull=False)
        .annotate(first=Min("checkins__done_on", filter=Q(checkins__kind=CheckIn.Kind.SCHEDULED)))
        .filter(first__isnull=False)
        .order_by()
        .values_list("arrived_on", "first")
    ]
    problem_rows = list(
        CheckIn.objects.filter(registration__in=qs.values("pk"))
        .exclude(problems=[])
        .values(
            "registration_id",
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

    sector_names = {value: str(label) for value, label in Sector.choices}
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
    by_recruiter = Counter({recruiter_code[pk]: n for pk, n in recruiter_counts.items()})

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
    shown_n: int | None = totals["n"]
    if not exact and 0 < totals["n"] < K:
        shown_n = None
    return {
        "count": shown_n,
        "exact": exact,
        "suppressed_below": None if exact else K,
        "filters": filters.as_dict(),
        "as_of": today.isoformat(),
        "tables": {table["id"]: table for table in tables},
    }


def _people_table(
    key: str,
    title: str,
    explanation: str,
    heading: str,
    counts: Mapping[str, int],
    labels: Mapping[str, str],
    exact: bool,
) -> dict[str, Any]:
    """People by one grouping; the rows add up to the registrations counted, so a lone hidden count takes
    the next smallest with it."""
    rows = _rows(counts, labels)
    if not exact:
        suppress_column(rows, "people")
    columns = [("label", heading, "text"), ("people", _("People"), "count")]
    return _table(key, title, explanation, columns, _order(rows, "people"))


def _arrivals(totals: Mapping[str, int], exact: bool) -> dict[str, Any]:
    expected, confirmed = totals["expected"], totals["confirmed"]
    row: dict[str, Any] = {
        "expected": expected,
        "confirmed": confirmed,
        "not_confirmed": expected - confirmed,
        "share": round(100 * confirmed / expected) if expected else None,
        "suppressed": [],
    }
    if not exact:
        if 0 < expected < K:
            _hide(row, "expected", "confirmed", "not_confirmed", "share")
        else:
            _shown, hidden = suppress_row({"confirmed": confirmed, "not_confirmed": expected - confirmed})
            _hide(row, *hidden)
            if hidden:
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


def _first_checkin(waits: list[int], exact: bool) -> dict[str, Any]:
    row: dict[str, Any] = {
        "people": len(waits),
        "median": percentile(waits, 50),
        "p90": percentile(waits, 90),
        "suppressed": [],
    }
    if not exact and 0 < len(waits) < K:
        _hide(row, "people", "median", "p90")
    return _table(
        "first_checkin",
        _("Time to the first check-in"),
        _(
            "For the people who arrived and have had a scheduled check-in, the days from arrival to the "
            "first one made (reached or not): the middle value, and the value 9 in 10 stay under (nearest "
            "rank)."
        ),
        [
            ("people", _("People"), "count"),
            ("median", _("Median (days)"), "days"),
            ("p90", _("9 in 10 within (days)"), "days"),
        ],
        [row],
    )


def _contact(totals: Mapping[str, int], exact: bool) -> dict[str, Any]:
    row: dict[str, Any] = {
        "traced": totals["traced"],
        "out_of_contact": totals["out"],
        "unreachable": totals["unreachable"],
        "missed": totals["missed"],
        "suppressed": [],
    }
    if not exact:
        # Out of contact and in contact add up to the people traced: a small one hides both.
        _shown, hidden = suppress_row(
            {"out_of_contact": totals["out"], "in": totals["traced"] - totals["out"]}
        )
        if 0 < totals["traced"] < K:
            _hide(row, "traced")
        if "out_of_contact" in hidden or "in" in hidden or row["traced"] is None:
            _hide(row, "out_of_contact", "unreachable", "missed")
        suppress_cells([row], "unreachable")
        suppress_cells([row], "missed")
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
    sector) and by recruiter: people who reported at least one, and the problems in all."""
    people: dict[str, set[int]] = defaultdict(set)
    problems: Counter[str] = Counter()
    sector_of: dict[str, str] = {}
    workplace_labels: dict[str, str] = {NOT_RECORDED: _("Workplace not known")}
    by_recruiter: dict[str, set[int]] = defaultdict(set)
    recruiter_problems: Counter[str] = Counter()
    for row in problem_rows:
        found = len(row["problems"] or [])
        if not found:
            continue
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
        people[code].add(row["registration_id"])
        problems[code] += found
        recruiter = recruiter_code.get(row["registration__recruiter_id"], NOT_RECORDED)
        by_recruiter[recruiter].add(row["registration_id"])
        recruiter_problems[recruiter] += found

    def rows_of(
        groups: Mapping[str, set[int]], counts: Counter[str], labels: Mapping[str, str]
    ) -> list[dict[str, Any]]:
        rows = [
            {
                "code": code,
                "label": labels.get(code, code),
                "sector": sector_names.get(sector_of.get(code, ""), "") if code in sector_of else "",
                "people": len(members),
                "problems": counts[code],
                "suppressed": [],
            }
            for code, members in sorted(groups.items(), key=lambda item: str(labels.get(item[0], item[0])))
        ]
        if not exact:
            suppress_column(rows, "people")
            for row in rows:
                if row["people"] is None:
                    _hide(row, "problems")
            suppress_cells(rows, "problems")
        return _order(rows, "people")

    counts = [("people", _("People who reported problems"), "count"), ("problems", _("Problems"), "count")]
    workplace_columns = [("label", _("Workplace"), "text"), ("sector", _("Sector"), "text"), *counts]
    if not exact:
        workplace_columns = [("label", _("Sector of the workplace"), "text"), *counts]
    return [
        _table(
            "problems_workplaces",
            _("Problems reported at check-ins, by workplace"),
            _(
                "How many people reported problems at their check-ins, and how many problems in all, by the "
                "workplace they were going to (by its kind of work only, for analysts)."
            ),
            workplace_columns,
            rows_of(people, problems, workplace_labels),
        ),
        _table(
            "problems_recruiters",
            _("Problems reported at check-ins, by recruiter"),
            _(
                "How many people reported problems at their check-ins, and how many problems in all, by the "
                "registered recruiter who brought them the job."
            ),
            [("label", _("Recruiter"), "text"), *counts],
            rows_of(by_recruiter, recruiter_problems, recruiter_labels),
        ),
    ]


def csv_columns(table: Mapping[str, Any]) -> list[str]:
    """A table's CSV columns: the row code where it has one, its columns, and what each row hides."""
    keys = [c["key"] for c in table["columns"]]
    return (["code"] if "label" in keys else []) + keys + ["suppressed"]
