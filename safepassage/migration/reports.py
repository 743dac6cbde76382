"""Safe-migration reports: registrations by origin, destination, sector and recruiter; arrivals confirmed;
time to first check-in; people out of contact; problems by workplace and recruiter.

Scope: registrations of channels at whose ends the viewer's agencies are (never through an enforcement
agency). Staff of those agencies read exact numbers; analysts read the same tables with every count from 1 to
10 hidden (k = 11, PRODUCT.md rule 6) and no workplace or recruiter names.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from safepassage.core.access import viewer_for
from safepassage.core.roles import Role
from safepassage.geo.models import Area
from safepassage.migration.models import CheckIn, Registration, working_agencies
from safepassage.reports.suppression import K, suppress_table
from safepassage.workplaces.models import Sector

EXACT_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER)
REPORT_ROLES = (*EXACT_ROLES, Role.ANALYST)
TABLES = (
    "origins",
    "destinations",
    "sectors",
    "recruiters",
    "arrivals",
    "first_checkin",
    "contact",
    "problems_workplaces",
    "problems_recruiters",
)


@dataclass(frozen=True)
class Filters:
    channel_id: int | None = None
    travel_from: date | None = None
    travel_to: date | None = None


def _day(value: str, field: str, end: bool) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        if len(value) == 4:
            year = int(value)
            if year > 2400:  # a Thai Buddhist-era year
                year -= 543
            return date(year, 12, 31) if end else date(year, 1, 1)
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError({field: [_("Give a date as YYYY-MM-DD or a year.")]}) from None


def parse_filters(params: Mapping[str, Any]) -> Filters:
    """Filters from a query string; every bad value is named in one message."""
    errors: dict[str, list[str]] = {}
    channel_id = None
    if params.get("channel"):
        try:
            channel_id = int(params["channel"])
        except (TypeError, ValueError):
            errors["channel"] = [_("Choose a channel from the list.")]
    days: dict[str, date | None] = {}
    for name, end in (("travel_from", False), ("travel_to", True)):
        try:
            days[name] = _day(str(params.get(name, "")), name, end)
        except ValidationError as error:
            errors.update(error.message_dict)
    if days.get("travel_from") and days.get("travel_to") and days["travel_from"] > days["travel_to"]:  # type: ignore[operator]
        errors["travel_to"] = [_("The end comes before the start.")]
    if errors:
        raise ValidationError(errors)
    return Filters(
        channel_id=channel_id, travel_from=days.get("travel_from"), travel_to=days.get("travel_to")
    )


@dataclass(frozen=True)
class Scope:
    q: Q
    exact: bool
    empty: bool


def report_scope(user: Any) -> Scope:
    """Registrations the viewer reports on, and whether the numbers may be exact."""
    viewer = viewer_for(user)
    allowed = working_agencies(viewer, REPORT_ROLES)
    q = Q(pk__in=[])
    exact, empty = True, True
    for grant in viewer.grants:
        if grant.role not in REPORT_ROLES or grant.agency_id not in allowed:
            continue
        q |= (
            Q(channel__agency_id=grant.agency_id)
            | Q(channel__origin_organisation__member_agency_id=grant.agency_id)
            | Q(channel__destination_organisation__member_agency_id=grant.agency_id)
        )
        empty = False
        exact = exact and grant.role in EXACT_ROLES
    return Scope(q=q, exact=exact and not empty, empty=empty)


def _registrations(scope: Scope, filters: Filters) -> QuerySet[Registration]:
    qs = Registration.objects.filter(scope.q)
    if filters.channel_id:
        qs = qs.filter(channel_id=filters.channel_id)
    if filters.travel_from:
        qs = qs.filter(travel_date__gte=filters.travel_from)
    if filters.travel_to:
        qs = qs.filter(travel_date__lte=filters.travel_to)
    return qs


def _district_names(paths: Iterable[str]) -> dict[str, str]:
    """District name for each area path (the fourth code of the path: country/province/district/…)."""
    codes = {p.strip("/").split("/")[2] for p in paths if p and len(p.strip("/").split("/")) >= 3}
    return {a.code: a.name for a in Area.objects.filter(code__in=codes)}


def _district_of(path: str) -> str | None:
    parts = path.strip("/").split("/") if path else []
    return parts[2] if len(parts) >= 3 else None


def _count_table(
    name: str, title: Any, explain: Any, label: Any, counts: Counter[str], exact: bool
) -> dict[str, Any]:
    rows = [{"label": key, "n": n} for key, n in counts.most_common()]
    if not exact:
        rows = suppress_table(rows, count_keys=[], total_key="n")
        rows.sort(key=lambda r: r["n"] is None)  # hidden rows last, so their order reveals nothing
    else:
        for row in rows:
            row["suppressed"] = []
    return {
        "name": name,
        "title": title,
        "explain": explain,
        "columns": [
            {"key": "label", "title": label, "kind": "label"},
            {"key": "n", "title": _("People"), "kind": "count"},
        ],
        "rows": rows,
    }


def _hide_small(row: dict[str, Any], keys: Iterable[str], exact: bool) -> dict[str, Any]:
    row.setdefault("suppressed", [])
    if exact:
        return row
    for key in keys:
        value = row.get(key)
        if isinstance(value, int) and 0 < value < K:
            row[key] = None
            row["suppressed"].append(key)
    return row


def nearest_rank(values: list[int], p: int) -> int | None:
    """The p-th percentile by nearest rank (always one of the values)."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, -(-p * len(ordered) // 100))
    return ordered[rank - 1]


def migration_report(user: Any, filters: Filters, today: date | None = None) -> dict[str, Any]:
    """Every table of the report for this viewer (a handful of queries, none per registration)."""
    today = today or timezone.localdate()
    scope = report_scope(user)
    qs = _registrations(scope, filters) if not scope.empty else Registration.objects.none()
    exact = scope.exact
    rows = list(
        qs.values(
            "pk",
            "person__village__path",
            "destination_area__path",
            "destination_place",
            "channel__destination_country",
            "sector",
            "recruiter_id",
            "recruiter__name",
            "expected_arrival",
            "arrived_on",
            "unreachable_since",
            "tracing",
            "status",
            "planned_workplace_id",
            "planned_workplace__name",
            "planned_workplace__sector",
        )
    )
    origin_names = _district_names(r["person__village__path"] for r in rows)
    dest_names = _district_names(r["destination_area__path"] or "" for r in rows)
    sectors = dict(Sector.choices)

    origins: Counter[str] = Counter()
    destinations: Counter[str] = Counter()
    by_sector: Counter[str] = Counter()
    recruiters: Counter[str] = Counter()
    recruiter_labels: dict[int, str] = {}
    for r in rows:
        code = _district_of(r["person__village__path"])
        origins[origin_names.get(code or "", _("Not known"))] += 1
        dest = _district_of(r["destination_area__path"] or "")
        if dest:
            destinations[dest_names.get(dest, dest)] += 1
        else:
            place = r["destination_place"] or ""
            destinations[f"{place} ({r['channel__destination_country']})".strip()] += 1
        by_sector[str(sectors.get(r["sector"], _("Not said")))] += 1
        if r["recruiter_id"]:
            if r["recruiter_id"] not in recruiter_labels:
                recruiter_labels[r["recruiter_id"]] = (
                    r["recruiter__name"] if exact else _("Recruiter %(n)s") % {"n": len(recruiter_labels) + 1}
                )
            recruiters[recruiter_labels[r["recruiter_id"]]] += 1
        else:
            recruiters[str(_("No recruiter"))] += 1

    expected = [
        r for r in rows if r["expected_arrival"] < today and r["status"] != Registration.Status.WITHDRAWN
    ]
    confirmed = sum(1 for r in expected if r["arrived_on"])
    arrivals = _hide_small(
        {"expected": len(expected), "confirmed": confirmed}, ("expected", "confirmed"), exact
    )
    arrivals["share"] = (
        round(100 * confirmed / len(expected)) if expected and not arrivals["suppressed"] else None
    )

    ids = [r["pk"] for r in rows]
    firsts = (
        CheckIn.objects.filter(registration_id__in=ids, kind=CheckIn.Kind.SCHEDULED, done_on__isnull=False)
        .values("registration_id")
        .annotate(first=Min("done_on"))
    )
    arrived = {r["pk"]: r["arrived_on"] for r in rows if r["arrived_on"]}
    waits = [
        (f["first"] - arrived[f["registration_id"]]).days for f in firsts if f["registration_id"] in arrived
    ]
    first_checkin = _hide_small({"n": len(waits)}, ("n",), exact)
    first_checkin["median"] = nearest_rank(waits, 50) if not first_checkin["suppressed"] else None
    first_checkin["p90"] = nearest_rank(waits, 90) if not first_checkin["suppressed"] else None

    missed = set(
        CheckIn.objects.filter(registration_id__in=ids, done_on__isnull=True, due_on__lt=today).values_list(
            "registration_id", flat=True
        )
    )
    traced = [r for r in rows if r["tracing"]]
    contact = _hide_small(
        {
            "unreachable": sum(1 for r in traced if r["unreachable_since"]),
            "missed": sum(1 for r in traced if r["pk"] in missed),
            "traced": len(traced),
        },
        ("unreachable", "missed", "traced"),
        exact,
    )

    problem_rows = (
        CheckIn.objects.filter(registration_id__in=ids)
        .exclude(problems=[])
        .values("registration_id", "problems")
    )
    by_registration: dict[int, list[str]] = defaultdict(list)
    for row in problem_rows:
        by_registration[row["registration_id"]].extend(row["problems"] or [])
    workplace_counts: Counter[str] = Counter()
    recruiter_problem_counts: Counter[str] = Counter()
    for r in rows:
        found = by_registration.get(r["pk"])
        if not found:
            continue
        if r["planned_workplace_id"]:
            sector = str(sectors.get(r["planned_workplace__sector"], ""))
            key = f"{r['planned_workplace__name']} · {sector}" if exact else sector
        else:
            key = str(_("Workplace not known"))
        workplace_counts[key] += len(found)
        if r["recruiter_id"]:
            recruiter_problem_counts[recruiter_labels[r["recruiter_id"]]] += len(found)

    return {
        "exact": exact,
        "empty": scope.empty,
        "count": len(rows),
        "tables": {
            "origins": _count_table(
                "origins",
                _lazy("Registrations by home district"),
                _lazy("How many people registered, by the district of their home village."),
                _lazy("District"),
                origins,
                exact,
            ),
            "destinations": _count_table(
                "destinations",
                _lazy("Registrations by destination"),
                _lazy("By the district they go to, or the place and country outside our areas."),
                _lazy("Destination"),
                destinations,
                exact,
            ),
            "sectors": _count_table(
                "sectors",
                _lazy("Registrations by kind of work"),
                _lazy("The sector they said they would work in."),
                _lazy("Sector"),
                by_sector,
                exact,
            ),
            "recruiters": _count_table(
                "recruiters",
                _lazy("Registrations by recruiter"),
                _lazy("Who recruited them (registered recruiters only; names for staff only)."),
                _lazy("Recruiter"),
                recruiters,
                exact,
            ),
            "problems_workplaces": _count_table(
                "problems_workplaces",
                _lazy("Problems reported at check-ins, by workplace"),
                _lazy("How many problems people reported at check-ins, by the workplace they went to."),
                _lazy("Workplace"),
                workplace_counts,
                exact,
            ),
            "problems_recruiters": _count_table(
                "problems_recruiters",
                _lazy("Problems reported at check-ins, by recruiter"),
                _lazy("How many problems were reported by people each recruiter placed."),
                _lazy("Recruiter"),
                recruiter_problem_counts,
                exact,
            ),
        },
        "arrivals": arrivals,
        "first_checkin": first_checkin,
        "contact": contact,
        "as_of": today,
    }


def summary_rows(report: dict[str, Any], name: str) -> tuple[list[str], list[dict[str, Any]]]:
    """The summary figures as one-row tables for CSV."""
    if name == "arrivals":
        return ["expected", "confirmed", "share"], [report["arrivals"]]
    if name == "first_checkin":
        return ["n", "median", "p90"], [report["first_checkin"]]
    if name == "contact":
        return ["traced", "unreachable", "missed"], [report["contact"]]
    table = report["tables"][name]
    return ["label", "n"], table["rows"]
