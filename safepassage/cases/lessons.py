"""Lessons learned: what victims' cases teach about recruitment, movement, exploitation and the legal process.

Aggregates only, over the cases *owned* by the agencies in which the viewer is a coordinator or an analyst
(never cases shared in by a referral), limited to the areas of area-bound memberships as reports are. Nothing
that names a person or a case leaves this module: counts, durations in days and sums of money only.

`lessons()` and `lessons_map.route_map()` are the protected functions: the page, the CSV, the routes map and
the API all call them, and nothing else reads these aggregates. When the scope is exact (the owning agency's
coordinators) figures are exact. Otherwise (an analyst anywhere in the scope) disclosure control survives
differencing (core.disclosure, the cell-key method): every count is perturbed with the sum of the record keys
of exactly the cases in its cell and shown as "<11" when small, stays in a stage are a perturbed mean
(percentiles are always one case's own stay, so they are not shown), sums of money are withheld, a period must
be whole months with both ends (core.periods), and every request is audited with its parameters.
docs/lessons-learned.md explains every figure; docs/disclosure-control.md the method.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Case as SqlCase
from django.db.models import F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.audit.services import audit_report
from safepassage.cases.htcds import (
    CaseStatus,
    ControlMethod,
    Exploitation,
    LabourIndustry,
    PerpetratorRole,
    RecruitmentApp,
    RecruitmentMethod,
    Relationship,
    TraffickingStatus,
)
from safepassage.cases.models import Case, JourneyEvent, LegalEvent, Perpetrator, Stage, Step
from safepassage.cases.rules import LESSON_ROLES
from safepassage.core.access import viewer_for
from safepassage.core.countries import COUNTRY_POSITIONS, country_name
from safepassage.core.dates import parse_day
from safepassage.core.disclosure import KEY_SPACE, SMALL, THRESHOLD, perturbed_mean, shown_count
from safepassage.core.periods import check_whole_months
from safepassage.geo.models import Area, Level
from safepassage.registry.models import Person
from safepassage.reports.selectors import EXACT_ROLES, Scope
from safepassage.workplaces.kinds import sector_labels

AGE_BANDS = ("0-9", "10-14", "15-17", "18-24", "25+", "unknown")
OPEN_STATUSES = (CaseStatus.ACTIVE, CaseStatus.FOLLOW_UP)
RECRUITING_ROLES = {PerpetratorRole.RECRUITER.value, PerpetratorRole.BROKER.value}
NOT_RECORDED = ""  # the code of the "not recorded" row in every table
UNLISTED = "unlisted"  # a stored value that is not in the code list (kept out of sight: it may be free text)
_COUNTRY = re.compile(r"^[A-Z]{2}$")
# Stays longer than this count as this long in the average an analyst reads, so that one stay moves the
# average by at most STAY_SPAN / n days, the size the mean's noise is scaled to (core.disclosure).
STAY_SPAN = 730


# --- who and what --------------------------------------------------------------------------------------


def lesson_scope(viewer: Any) -> Scope:
    """Cases owned by the agencies where the viewer is a coordinator or analyst, within area-bound grants.

    Exact (nothing perturbed) only when every grant in the scope may read those cases' records anyway, the
    rule reports.selectors.report_scope uses: the owning agency's coordinators yes, analysts no. (Of the
    owning agency's case staff only coordinators read lessons learned: administrators and caseworkers do
    not.)"""
    v = viewer_for(viewer)
    q = Q(pk__in=[])
    exact = True
    empty = True
    for grant in v.grants:
        if grant.role not in LESSON_ROLES:
            continue
        grant_q = Q(agency_id=grant.agency_id)
        if grant.area_limited:
            if not grant.area_paths:
                continue
            area_q = Q(pk__in=[])
            for path in grant.area_paths:
                area_q |= Q(area__path__startswith=path)
            grant_q &= area_q
        q |= grant_q
        empty = False
        exact = exact and grant.role in EXACT_ROLES
    return Scope(q=q, exact=exact and not empty, empty=empty)


@dataclass(frozen=True)
class Filters:
    """Which cases to learn from: opened in a period, and the person's sex, age band and nationality."""

    opened_from: date | None = None
    opened_to: date | None = None
    sex: str = ""
    age: str = ""
    nationality: str = ""

    def as_dict(self) -> dict[str, str]:
        """The filters as query-string values ("" when not set)."""
        return {
            "opened_from": self.opened_from.isoformat() if self.opened_from else "",
            "opened_to": self.opened_to.isoformat() if self.opened_to else "",
            "sex": self.sex,
            "age": self.age,
            "nationality": self.nationality,
        }


FILTER_PARAMS = ("opened_from", "opened_to", "sex", "age", "nationality")


def parse_filters(params: Mapping[str, Any]) -> Filters:
    """Read the filters from a query string; every bad value is named in one ValidationError."""
    errors: dict[str, list[str]] = {}
    days: dict[str, date | None] = {}
    for name in ("opened_from", "opened_to"):
        raw = str(params.get(name) or "").strip()
        days[name] = None
        if raw:
            try:
                days[name] = parse_day(raw, end=name == "opened_to")
            except ValueError:
                errors[name] = [_("Write a date as YYYY or YYYY-MM-DD, for example 2024 or 2024-03-31.")]
    start, end = days["opened_from"], days["opened_to"]
    if start and end and start > end:
        errors["opened_to"] = [_("The period starts after it ends.")]
    sex = str(params.get("sex") or "").strip()
    if sex and sex not in Person.Sex.values:
        errors["sex"] = [_("Choose the sex from: %(choices)s.") % {"choices": ", ".join(Person.Sex.values)}]
    # "25+" typed into an address bar arrives as "25 ".
    age = str(params.get("age") or "").replace(" ", "+").strip()
    if age and age not in AGE_BANDS:
        errors["age"] = [_("Choose an age band from: %(choices)s.") % {"choices": ", ".join(AGE_BANDS)}]
    nationality = str(params.get("nationality") or "").strip().upper()
    if nationality and not _COUNTRY.match(nationality):
        errors["nationality"] = [_("Write the nationality as a two-letter country code, for example MM.")]
    if errors:
        raise ValidationError(errors)
    return Filters(opened_from=start, opened_to=end, sex=sex, age=age, nationality=nationality)


def _age_band_q(band: str) -> Q:
    """The filter on the `lesson_age` alias (age at opening, see _with_age) for one band."""
    bounds = {"0-9": (None, 9), "10-14": (10, 14), "15-17": (15, 17), "18-24": (18, 24), "25+": (25, None)}
    if band == "unknown":
        return Q(lesson_age__isnull=True)
    low, high = bounds[band]
    q = Q(lesson_age__isnull=False)
    if low is not None:
        q &= Q(lesson_age__gte=low)
    if high is not None:
        q &= Q(lesson_age__lte=high)
    return q


def _with_age(qs: QuerySet[Case]) -> QuerySet[Case]:
    """The person's age in whole years on the day the case was opened, in SQL, as models.age_on counts it:
    from the birth date when known, else roughly from the birth year."""
    qs = qs.alias(
        lesson_oy=ExtractYear("opened_on"),
        lesson_om=ExtractMonth("opened_on"),
        lesson_od=ExtractDay("opened_on"),
        lesson_by=ExtractYear("person__birth_date"),
        lesson_bm=ExtractMonth("person__birth_date"),
        lesson_bd=ExtractDay("person__birth_date"),
    )
    before_birthday = SqlCase(
        When(
            Q(lesson_om__lt=F("lesson_bm")) | Q(lesson_om=F("lesson_bm"), lesson_od__lt=F("lesson_bd")),
            then=1,
        ),
        default=0,
        output_field=IntegerField(),
    )
    return qs.alias(
        lesson_age=SqlCase(
            When(person__birth_date__isnull=False, then=F("lesson_oy") - F("lesson_by") - before_birthday),
            When(person__birth_year__isnull=False, then=F("lesson_oy") - F("person__birth_year")),
            default=Value(None),
            output_field=IntegerField(),
        )
    )


def check_period(scope: Scope, filters: Filters) -> None:
    """Outside an exact scope a period is whole months with both ends (core.periods), else a ValidationError
    naming the parameter: two open-ended or day-level answers subtracted give the cases of one day. No period
    at all (every case) needs no check."""
    if scope.exact or (filters.opened_from is None and filters.opened_to is None):
        return
    check_whole_months(filters.opened_from, filters.opened_to, start_name="opened_from", end_name="opened_to")


def cases_in_scope(viewer: Any, filters: Filters) -> tuple[QuerySet[Case], Scope]:
    """The viewer's lesson cases after the filters, and the scope (exact or protected). Raises a
    ValidationError for a period a protected scope may not ask for."""
    scope = lesson_scope(viewer)
    check_period(scope, filters)
    qs: QuerySet[Case] = Case.objects.filter(scope.q)
    if filters.opened_from:
        qs = qs.filter(opened_on__gte=filters.opened_from)
    if filters.opened_to:
        qs = qs.filter(opened_on__lte=filters.opened_to)
    if filters.sex:
        qs = qs.filter(person__sex=filters.sex)
    if filters.nationality:
        qs = qs.filter(nationality=filters.nationality)
    if filters.age:
        qs = _with_age(qs).filter(_age_band_q(filters.age))
    return qs, scope


# --- pure helpers ---------------------------------------------------------------------------------------


def percentile(values: Iterable[int | float], p: int) -> int | float | None:
    """The p-th percentile by the nearest-rank method: sort the n values and take the one at rank
    ⌈p/100 × n⌉ (rank 1 for p = 0). Always one of the values, never an interpolation; None for no values."""
    if not 0 <= p <= 100:
        raise ValueError("p is between 0 and 100")
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, -(-p * len(ordered) // 100))  # integer ceiling, so 90 × 10 / 100 is exactly rank 9
    return ordered[rank - 1]


class Tally:
    """A cell being counted: how many records, and the sum of their record keys (core.disclosure)."""

    __slots__ = ("keys", "n")

    def __init__(self) -> None:
        self.n = 0
        self.keys = 0

    def add(self, key: int) -> None:
        self.n += 1
        self.keys += key


def tally(ids: Iterable[int], keys: Mapping[int, int]) -> Tally:
    """A cell holding these records (each once per time it is named), from their keys."""
    cell = Tally()
    for pk in ids:
        cell.add(keys[pk])
    return cell


def other_key(key_sum: int) -> int:
    """A second key for a figure that is not a count of the cell's own records (the workplaces behind a set
    of cases): a fixed scramble of the cell's key sum, so the same cases always give the same value and its
    noise does not follow the cases' count's."""
    return (int(key_sum) * 0x85EBCA6B + 0x27D4EB2F) % KEY_SPACE


def publish(row: dict[str, Any], key: str, n: int, key_sum: int, exact: bool, *, within: str = "") -> None:
    """Set a count in a row: exact, or perturbed by its key sum and "<11" when small (listed in the row's
    `suppressed`). A part of the row's count `within` is "<11" whenever that count is, zeros too: "none of
    these few" says something about each of them."""
    if exact:
        row[key] = n
        return
    shown = shown_count(n, key_sum)
    small = shown.small or bool(within and row[within] == SMALL)
    row[key] = SMALL if small else shown.as_json()
    if small and key not in row["suppressed"]:
        row["suppressed"].append(key)


def _hide(row: dict[str, Any], *keys: str) -> None:
    """Withhold values (a mean on too few records, a sum of money): None, and listed in `suppressed`."""
    for key in keys:
        row[key] = None
        if key not in row["suppressed"]:
            row["suppressed"].append(key)


def rank(value: Any) -> int:
    """A shown count as a number to sort by: "<11" and withheld values sort as nothing."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _labels(choices: type[models.TextChoices]) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


def _code(value: Any, known: Mapping[str, str]) -> str:
    """A stored value as a row code: known codes as they are, anything else lumped as unlisted."""
    if value in (None, ""):
        return NOT_RECORDED
    return str(value) if str(value) in known else UNLISTED


def _codes(values: Any, known: Mapping[str, str]) -> set[str]:
    """The distinct codes of a multi-valued field (a JSON list), or {""} when none are recorded."""
    if not isinstance(values, list) or not values:
        return {NOT_RECORDED}
    return {_code(v, known) for v in values if v not in (None, "")} or {NOT_RECORDED}


def _extra_label(code: str) -> str:
    return _("Not recorded") if code == NOT_RECORDED else _("Not in the code list")


def count_rows(cells: Mapping[str, Tally], labels: Mapping[str, str], exact: bool) -> list[dict[str, Any]]:
    """Rows of (code, label, cases) in code-list order, leaving out codes no case has, with "not in the
    list" and "not recorded" last; each count published (exact, or perturbed by its cell's keys)."""
    codes = [code for code in labels if code in cells and cells[code].n]
    codes += [code for code in (UNLISTED, NOT_RECORDED) if code in cells and cells[code].n]
    rows = []
    for code in codes:
        label = labels[code] if code in labels else _extra_label(code)
        row: dict[str, Any] = {"code": code, "label": label, "suppressed": []}
        publish(row, "cases", cells[code].n, cells[code].keys, exact)
        rows.append(row)
    return rows


def _order_by_cases(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Most cases first, by the numbers shown ("<11" last), so the order gives nothing away; "not in the
    list" and "not recorded" stay at the end."""
    listed = [r for r in rows if r["code"] not in (UNLISTED, NOT_RECORDED)]
    extra = [r for r in rows if r["code"] in (UNLISTED, NOT_RECORDED)]
    listed.sort(key=lambda r: -rank(r["cases"]))  # stable: code-list order among equals and "<11"
    return listed + extra


# --- the tables -----------------------------------------------------------------------------------------


def _table(
    key: str,
    figure: int,
    title: str,
    explanation: str,
    columns: Sequence[tuple[str, str, str]],
    rows: list[dict[str, Any]],
    *,
    note: str = "",
    **extra: Any,
) -> dict[str, Any]:
    """One table: its columns (key, heading, kind: text, count, days or amount), rows and explanation."""
    hidden = [str(r.get("label") or r.get("code") or "") for r in rows if r["suppressed"]]
    return {
        "id": key,
        "figure": figure,
        "title": title,
        "explanation": explanation,
        "columns": [{"key": c, "title": t, "kind": kind} for c, t, kind in columns],
        "rows": rows,
        "suppressed": hidden,
        "note": note,
        **extra,
    }


def _distribution(
    key: str,
    figure: int,
    title: str,
    explanation: str,
    heading: str,
    cells: Mapping[str, Tally],
    labels: Mapping[str, str],
    exact: bool,
) -> dict[str, Any]:
    rows = count_rows(cells, labels, exact)
    return _table(
        key,
        figure,
        title,
        explanation,
        [("label", heading, "text"), ("cases", _("Cases"), "count")],
        _order_by_cases(rows),
    )


def _recruiters(cases: QuerySet[Case], keys: Mapping[int, int], exact: bool) -> dict[str, Any]:
    """Cases that record who recruited the person, by that person's relationship to the victim, and how
    many of them are linked to a recruiter in the registry (counts only: never who).

    A case records its recruiter in two ways: a perpetrator whose role is recruiter or broker, or the
    victim's relationship to the trafficker on the case itself (HTCDS vic_RelationshipToTrafficker, which
    CTDC publishes as the recruiter's relationship, and which intake records when nobody is named). A named
    recruiter speaks for the case; one named without a relationship takes the case's."""
    by_relationship: dict[str, set[int]] = defaultdict(set)
    registered_by: dict[str, set[int]] = defaultdict(set)
    known = _labels(Relationship)
    on_case = dict(
        cases.exclude(relationship_to_trafficker="")
        .order_by()
        .values_list("pk", "relationship_to_trafficker")
    )
    named: set[int] = set()
    for case_id, roles, relationship, recruiter_id in Perpetrator.objects.filter(
        case__in=cases.values("pk")
    ).values_list("case_id", "roles", "relationship", "recruiter_id"):
        if not isinstance(roles, list) or not RECRUITING_ROLES.intersection(map(str, roles)):
            continue
        named.add(case_id)
        code = _code(relationship or on_case.get(case_id, ""), known)
        by_relationship[code].add(case_id)
        if recruiter_id is not None:
            registered_by[code].add(case_id)
    for case_id, relationship in on_case.items():
        if case_id not in named:
            by_relationship[_code(relationship, known)].add(case_id)
    rows = count_rows({c: tally(ids, keys) for c, ids in by_relationship.items()}, known, exact)
    everyone = set().union(*by_relationship.values()) if by_relationship else set()
    linked = set().union(*registered_by.values()) if registered_by else set()
    total: dict[str, Any] = {
        "code": "all",
        "label": _("All cases naming a recruiter or broker"),
        "suppressed": [],
    }
    publish(total, "cases", len(everyone), tally(everyone, keys).keys, exact)
    # Each part is a cell of its own cases, with its own noise: the parts and the total are never all
    # exact together, so no part can be worked out from the others.
    for row, members, registered in [
        *((r, by_relationship[r["code"]], registered_by[r["code"]]) for r in rows),
        (total, everyone, linked),
    ]:
        publish(row, "registered", len(registered), tally(registered, keys).keys, exact, within="cases")
        unregistered = members - registered
        publish(row, "unregistered", len(unregistered), tally(unregistered, keys).keys, exact, within="cases")
    return _table(
        "recruiters",
        2,
        _("Recruiters and brokers named in cases"),
        _(
            "Cases that record who recruited the person, by how that person was related to the victim: "
            "someone named with the role of recruiter, intermediary, broker or travel agent, or else the "
            "relationship to the trafficker recorded on the case. A case naming two such people in "
            "different ways counts in both rows, once in the total. Linked: at least one of them is in "
            "the recruiter registry."
        ),
        [
            ("label", _("Relationship to the victim"), "text"),
            ("cases", _("Cases"), "count"),
            ("registered", _("Linked to a registered recruiter"), "count"),
            ("unregistered", _("Not linked"), "count"),
        ],
        [*_order_by_cases(rows), total],
    )


def _rolled_up(paths: set[str], level: str) -> dict[str, str]:
    """For each area path, the code of its area at `level` (the area itself when it is coarser)."""
    segments = {code for path in paths for code in path.strip("/").split("/") if code}
    at_level = set(Area.objects.filter(code__in=segments, level=level).values_list("code", flat=True))
    result = {}
    for path in paths:
        codes = [c for c in path.strip("/").split("/") if c]
        found = [c for c in codes if c in at_level]
        result[path] = found[0] if found else (codes[-1] if codes else "")
    return result


def _centre(boundary: Any) -> tuple[float, float] | None:
    """The middle of a GeoJSON polygon's bounding box, for areas with a shape but no centroid."""
    points: list[tuple[float, float]] = []

    def walk(node: Any) -> None:
        if isinstance(node, list) and len(node) >= 2 and all(isinstance(x, (int, float)) for x in node[:2]):
            points.append((float(node[0]), float(node[1])))
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk((boundary or {}).get("coordinates") if isinstance(boundary, dict) else None)
    if not points:
        return None
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return (min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2


def _places(codes: set[str]) -> dict[str, dict[str, Any]]:
    """Name, level and map position (lat, lon) of the areas that are ends of routes."""
    places: dict[str, dict[str, Any]] = {}
    for area in Area.objects.filter(code__in=codes).only(
        "code", "level", "name_en", "name_th", "names", "centroid_lat", "centroid_lon"
    ):
        where = None
        if area.centroid_lat is not None and area.centroid_lon is not None:
            where = (area.centroid_lat, area.centroid_lon)
        places[area.code] = {"name": area.name, "level": area.level, "position": where}
    shapeless = [code for code, place in places.items() if place["position"] is None]
    if shapeless:
        for code, boundary in Area.objects.filter(code__in=shapeless).values_list("code", "boundary"):
            places[code]["position"] = _centre(boundary)
    for code in codes - set(places):  # a country code with no area of its own
        places[code] = {"name": str(country_name(code)), "level": Level.COUNTRY, "position": None}
    for code, place in places.items():
        if place["position"] is None and place["level"] == Level.COUNTRY:
            place["position"] = COUNTRY_POSITIONS.get(code)
    return places


def routes(
    cases: QuerySet[Case], keys: Mapping[int, int], exact: bool, level: str = Level.DISTRICT
) -> dict[str, Any]:
    """Origin → destination flows: where each case's first recruitment and first exploitation happened,
    rolled up to `level` (districts for the table; a country when that is all that is known)."""
    first: dict[tuple[int, str], tuple[str, str]] = {}
    for case_id, kind, path, country in (
        JourneyEvent.objects.filter(
            case__in=cases.values("pk"),
            kind__in=[JourneyEvent.Kind.RECRUITMENT, JourneyEvent.Kind.EXPLOITATION],
        )
        .order_by("case_id", "kind", "occurred_on", "id")
        .values_list("case_id", "kind", "area__path", "country")
    ):
        first.setdefault((case_id, kind), (path or "", (country or "").upper()))
    rolled = _rolled_up({path for path, _country in first.values() if path}, level)

    def end(case_id: int, kind: str) -> str:
        path, country = first.get((case_id, kind), ("", ""))
        return rolled.get(path, "") if path else country

    case_ids = {case_id for case_id, _kind in first}
    flows: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for c in case_ids:
        flows[(end(c, JourneyEvent.Kind.RECRUITMENT), end(c, JourneyEvent.Kind.EXPLOITATION))].add(keys[c])
    places = _places({code for flow in flows for code in flow if code})
    rows: list[dict[str, Any]] = []
    for (origin, destination), cell in flows.items():
        o_name = places[origin]["name"] if origin else _("Not recorded")
        d_name = places[destination]["name"] if destination else _("Not recorded")
        rows.append(
            {
                "code": f"{origin}>{destination}",
                "label": f"{o_name} → {d_name}",
                "origin": origin,
                "origin_name": o_name,
                "destination": destination,
                "destination_name": d_name,
                "suppressed": [],
            }
        )
        publish(rows[-1], "cases", cell.n, cell.keys, exact)
    rows.sort(key=lambda r: (r["origin"] == "" or r["destination"] == "", r["origin"], r["destination"]))
    rows.sort(key=lambda r: (r["origin"] == "" or r["destination"] == "", -rank(r["cases"])))
    return _table(
        "routes",
        3,
        _("Routes: from recruitment to exploitation"),
        _(
            "Each case counts once, from the place of its first recruitment to the place of its first "
            "exploitation, both taken up to their district (or the country, when only the country is "
            "known). Cases with neither place recorded are left out."
        ),
        [
            ("origin_name", _("Recruited in"), "text"),
            ("destination_name", _("Exploited in"), "text"),
            ("cases", _("Cases"), "count"),
        ],
        rows,
        places={
            code: {**p, "position": list(p["position"]) if p["position"] else None}
            for code, p in places.items()
        },
    )


def _workplace_sectors(cases: QuerySet[Case], keys: Mapping[int, int], exact: bool) -> dict[str, Any]:
    case_ids: dict[str, set[int]] = defaultdict(set)
    workplaces: dict[str, set[int]] = defaultdict(set)
    for sector, case_id, workplace_id in (
        JourneyEvent.objects.filter(
            case__in=cases.values("pk"), kind=JourneyEvent.Kind.EXPLOITATION, workplace__isnull=False
        )
        .values_list("workplace__sector", "case_id", "workplace_id")
        .distinct()
        .order_by()
    ):
        case_ids[sector].add(case_id)
        workplaces[sector].add(workplace_id)
    known = sector_labels()
    cells = {sector: tally(ids, keys) for sector, ids in case_ids.items()}
    rows = count_rows(cells, known, exact)
    for row in rows:
        # Workplaces carry no record keys: their count takes a second key of the cases behind it.
        cell = cells[row["code"]]
        publish(row, "workplaces", len(workplaces[row["code"]]), other_key(cell.keys), exact, within="cases")
    return _table(
        "workplace_sectors",
        4,
        _("Sectors of the workplaces where people were exploited"),
        _(
            "Cases with an exploitation event at a workplace on file, by that workplace's sector, and how "
            "many different workplaces that is. A case exploited in two sectors counts in both."
        ),
        [
            ("label", _("Sector"), "text"),
            ("cases", _("Cases"), "count"),
            ("workplaces", _("Workplaces"), "count"),
        ],
        _order_by_cases(rows),
    )


def _stages(
    cases: QuerySet[Case],
    case_rows: Sequence[tuple[Any, ...]],
    keys: Mapping[int, int],
    exact: bool,
    today: date,
) -> dict[str, Any]:
    """Completed stays per stage (exact: median, 75th and 90th percentile days; protected: a perturbed
    average), open cases there now and how many have been there longer than the stage's 90th percentile
    ("stalled")."""
    stays: dict[int, list[tuple[int, int]]] = defaultdict(list)  # stage → (case, days)
    previous: tuple[int, int, date] | None = None
    for case_id, stage_id, started_on in (
        Step.objects.filter(case__in=cases.values("pk"))
        .order_by("case_id", "started_on", "stage__position", "id")
        .values_list("case_id", "stage_id", "started_on")
    ):
        if previous is not None and previous[0] == case_id:
            stays[previous[1]].append((case_id, (started_on - previous[2]).days))
        previous = (case_id, stage_id, started_on)
    stages = list(Stage.objects.order_by("position"))
    terminal = {s.pk for s in stages if s.terminal}
    waiting: dict[int, list[tuple[int, int]]] = defaultdict(list)  # stage → (case, days there)
    for case_id, status, stage_id, since in case_rows:
        if status in OPEN_STATUSES and stage_id not in terminal:
            waiting[stage_id].append((case_id, (today - since).days))
    rows: list[dict[str, Any]] = []
    for stage in sorted(stages, key=lambda s: (not s.legal, s.position)):
        done = stays.get(stage.pk, [])
        here = waiting.get(stage.pk, [])
        if not stage.active and not done and not here:
            continue
        durations = [days for _case, days in done]
        p90 = percentile(durations, 90)
        row: dict[str, Any] = {
            "code": stage.code,
            "label": stage.name(),
            "legal": stage.legal,
            "suppressed": [],
        }
        # A case that came back to a stage made two stays: its key counts twice, as it does in the count.
        stay_keys = sum(keys[case_id] for case_id, _days in done)
        publish(row, "stays", len(done), stay_keys, exact)
        if exact:
            row.update(
                median=percentile(durations, 50),
                p75=percentile(durations, 75),
                p90=p90,
            )
        else:
            capped = sum(min(max(days, 0), STAY_SPAN) for days in durations)
            mean = perturbed_mean(capped, len(done), stay_keys, span=STAY_SPAN, digits=0)
            row["mean"] = None if mean is None else int(mean)
            if mean is None and done:
                _hide(row, "mean")
        publish(row, "open", len(here), tally((c for c, _d in here), keys).keys, exact)
        if p90 is None:  # no completed stays, so no 90th percentile to be past
            row["stalled"] = None
        else:
            stalled = [case_id for case_id, days in here if days > p90]
            publish(row, "stalled", len(stalled), tally(stalled, keys).keys, exact, within="open")
        rows.append(row)
    # The stage where cases stall most, by the numbers shown ("<11" never counts), so it gives nothing away.
    candidates = [r for r in rows if rank(r["stalled"])]
    worst = (
        max(
            candidates,
            key=lambda r: (
                rank(r["stalled"]),
                rank(r["stalled"]) / (rank(r["open"]) or rank(r["stalled"])),
                r["legal"],
            ),
        )
        if candidates
        else None
    )
    for row in rows:
        row["stalls_most"] = row is worst
    explanation = _(
        "A stay is the days from the step into a stage to the next step of the same case. Percentiles "
        "use the nearest-rank method: sort the stays and take the one at rank ⌈p/100 × n⌉. Stalled: "
        "open cases in the stage now for longer than its 90th percentile. Legal stages come first."
    )
    if exact:
        days_columns = [
            ("median", _("Median days"), "days"),
            ("p75", _("75th percentile days"), "days"),
            ("p90", _("90th percentile days"), "days"),
        ]
    else:
        explanation += " " + _(
            "Outside the agency that owns the cases, the average stay is shown instead of percentiles (a "
            "percentile is always one case's own stay), moved a little as the counts are, and withheld for "
            "fewer than 11 stays; stays over two years count as two years in it."
        )
        days_columns = [("mean", _("Average days"), "days")]
    return _table(
        "stages",
        6,
        _("Time in each stage of the case"),
        explanation,
        [
            ("label", _("Stage"), "text"),
            ("stays", _("Completed stays"), "count"),
            *days_columns,
            ("open", _("Open cases there now"), "count"),
            ("stalled", _("Stalled"), "count"),
        ],
        rows,
        highlight=(
            {"code": worst["code"], "label": worst["label"], "stalled": worst["stalled"]} if worst else None
        ),
    )


def _verdicts(cases: QuerySet[Case], keys: Mapping[int, int], exact: bool) -> dict[str, Any]:
    latest: dict[int, str] = {}
    for case_id, outcome in (
        LegalEvent.objects.filter(case__in=cases.values("pk"), kind=LegalEvent.Kind.VERDICT)
        .order_by("case_id", "happened_on", "id")
        .values_list("case_id", "outcome")
    ):
        latest[case_id] = outcome or ""
    known = {
        LegalEvent.Outcome.CONVICTED.value: str(LegalEvent.Outcome.CONVICTED.label),
        LegalEvent.Outcome.ACQUITTED.value: str(LegalEvent.Outcome.ACQUITTED.label),
        LegalEvent.Outcome.DISMISSED.value: str(LegalEvent.Outcome.DISMISSED.label),
    }
    cells: dict[str, Tally] = defaultdict(Tally)
    for case_id, outcome in latest.items():
        cells[_code(outcome, known)].add(keys[case_id])
    rows = count_rows(cells, known, exact)
    for row in rows:
        if row["code"] == UNLISTED:
            row["label"] = _("Another outcome")
    return _table(
        "verdicts",
        7,
        _("Verdicts"),
        _("Cases with a verdict, by the outcome of their latest verdict (after any appeal)."),
        [("label", _("Outcome"), "text"), ("cases", _("Cases"), "count")],
        rows,
    )


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _compensation(cases: QuerySet[Case], keys: Mapping[int, int], exact: bool) -> dict[str, Any]:
    ordered: dict[int, Decimal | None] = {}
    paid: dict[int, Decimal | None] = {}
    for case_id, kind, amount in LegalEvent.objects.filter(
        case__in=cases.values("pk"),
        kind__in=[LegalEvent.Kind.COMPENSATION_ORDERED, LegalEvent.Kind.COMPENSATION_PAID],
    ).values_list("case_id", "kind", "amount"):
        into = ordered if kind == LegalEvent.Kind.COMPENSATION_ORDERED else paid
        if amount is not None:
            into[case_id] = (into.get(case_id) or Decimal(0)) + amount
        else:
            into.setdefault(case_id, None)

    def total(amounts: Mapping[int, Decimal | None], ids: Iterable[int]) -> Decimal | None:
        known = [amount for i in ids if (amount := amounts[i]) is not None]
        return sum(known, Decimal(0)) if known else None

    unpaid = set(ordered) - set(paid)
    rows: list[dict[str, Any]] = []
    for code, label, ids, amounts in (
        ("ordered", _("Compensation ordered"), set(ordered), ordered),
        ("paid", _("Compensation paid"), set(paid), paid),
        ("ordered_not_paid", _("Ordered, nothing paid yet"), unpaid, ordered),
    ):
        row: dict[str, Any] = {"code": code, "label": label, "suppressed": []}
        publish(row, "cases", len(ids), tally(ids, keys).keys, exact)
        if exact:
            row["amount"] = _money(total(amounts, ids))
        else:
            # A sum of money moves with one case by any amount: withheld outside the owning agency.
            _hide(row, "amount")
        rows.append(row)
    return _table(
        "compensation",
        7,
        _("Compensation"),
        _(
            "Cases with compensation ordered by a court or agreed, cases with any payment recorded, and "
            "cases ordered but not paid at all; amounts are the sums recorded, in the currency recorded."
        ),
        [
            ("label", _("Compensation"), "text"),
            ("cases", _("Cases"), "count"),
            ("amount", _("Total amount"), "amount"),
        ],
        rows,
        note="" if exact else _("Amounts are shown only to coordinators of the agency that owns the cases."),
    )


CASE_FIELDS = (
    "recruitment_methods",
    "relationship_to_trafficker",
    "recruitment_apps",
    "labour_industry",
    "control_methods",
    "exploitation_types",
    "trafficking_status",
    "status",
    "stage_id",
    "stage_since",
    "pk",
    "record_key",
)


def audit_request(viewer: Any, scope: Scope, filters: Filters, output: str) -> None:
    """Record a protected scope's request: what was asked (the filters and what for), never the figures."""
    if scope.exact or scope.empty:
        return
    with transaction.atomic():
        audit_report(actor=viewer, report="lessons", parameters={**filters.as_dict(), "output": output})


def lessons(
    viewer: Any, filters: Filters | None = None, *, today: date | None = None, output: str = "tables"
) -> dict[str, Any]:
    """Every lessons-learned table for the viewer's cases, after the filters: exact for the owning agency's
    coordinators, else through the cell-key method (module docstring), the request audited with `output`
    (what it was for: "tables", "csv:<table>"). Raises a ValidationError naming the parameter for a period
    a protected scope may not ask for. A handful of queries, whatever the number of cases."""
    filters = filters or Filters()
    today = today or timezone.localdate()
    cases, scope = cases_in_scope(viewer, filters)
    exact = scope.exact
    audit_request(viewer, scope, filters, output)
    labels = {
        "recruitment_methods": _labels(RecruitmentMethod),
        "relationship_to_trafficker": _labels(Relationship),
        "recruitment_apps": _labels(RecruitmentApp),
        "labour_industry": _labels(LabourIndustry),
        "control_methods": _labels(ControlMethod),
        "exploitation_types": _labels(Exploitation),
        "trafficking_status": _labels(TraffickingStatus),
        "status": _labels(CaseStatus),
    }
    multi = {"recruitment_methods", "recruitment_apps", "control_methods", "exploitation_types"}
    cells: dict[str, dict[str, Tally]] = {name: defaultdict(Tally) for name in labels}
    case_rows: list[tuple[Any, ...]] = []
    keys: dict[int, int] = {}  # case → record key, for the tables that count related rows
    everyone = Tally()
    for row in cases.values_list(*CASE_FIELDS).order_by().iterator(chunk_size=2000):
        values = dict(zip(CASE_FIELDS, row, strict=True))
        key = values["record_key"]
        keys[values["pk"]] = key
        everyone.add(key)
        for name, known in labels.items():
            codes = _codes(values[name], known) if name in multi else {_code(values[name], known)}
            for code in codes:
                cells[name][code].add(key)
        # for the stages table
        case_rows.append((values["pk"], values["status"], values["stage_id"], values["stage_since"]))

    def dist(key: str, figure: int, title: str, explanation: str, heading: str) -> dict[str, Any]:
        return _distribution(key, figure, title, explanation, heading, cells[key], labels[key], exact)

    multi_note = _("A case with several of these counts once in each of their rows.")
    tables = [
        dist(
            "recruitment_methods",
            1,
            _("Methods of recruitment"),
            _("Cases by the method of recruitment recorded.") + " " + multi_note,
            _("Method"),
        ),
        dist(
            "relationship_to_trafficker",
            1,
            _("Relationship to the trafficker"),
            _("Cases by how the victim was related to the trafficker."),
            _("Relationship"),
        ),
        dist(
            "recruitment_apps",
            1,
            _("Websites and apps used to recruit"),
            _("Cases by the websites and apps the recruiter used.") + " " + multi_note,
            _("Website or app"),
        ),
        _recruiters(cases, keys, exact),
        routes(cases, keys, exact),
        dist(
            "labour_industry",
            4,
            _("Industries of forced labour"),
            _("Cases by the industry (ISIC section) in which the person was made to work."),
            _("Industry"),
        ),
        _workplace_sectors(cases, keys, exact),
        dist(
            "control_methods",
            5,
            _("Methods of control"),
            _("Cases by the ways the trafficker kept control of the person.") + " " + multi_note,
            _("Method"),
        ),
        dist(
            "exploitation_types",
            5,
            _("Types of exploitation"),
            _("Cases by the type of exploitation.") + " " + multi_note,
            _("Exploitation"),
        ),
        _stages(cases, case_rows, keys, exact, today),
        _verdicts(cases, keys, exact),
        _compensation(cases, keys, exact),
        dist(
            "trafficking_status",
            7,
            _("Trafficking status"),
            _("Cases by the trafficking status decided for the person."),
            _("Status"),
        ),
        dist("status", 7, _("Case status"), _("Cases by where the case stands now."), _("Status")),
    ]
    return {
        "cases": everyone.n if exact else shown_count(everyone.n, everyone.keys).as_json(),
        "exact": exact,
        "perturbed": not exact,
        "suppressed_below": None if exact else THRESHOLD,
        "filters": filters.as_dict(),
        "tables": {table["id"]: table for table in tables},
    }


def figure_titles() -> dict[int, str]:
    """The heading of each figure, in the current language."""
    return {
        1: _("How people were recruited"),
        2: _("Who recruited them"),
        3: _("Where they were taken"),
        4: _("Where they were exploited"),
        5: _("How they were controlled and exploited"),
        6: _("Where cases stall"),
        7: _("Outcomes"),
    }


TABLE_IDS = (
    "recruitment_methods",
    "relationship_to_trafficker",
    "recruitment_apps",
    "recruiters",
    "routes",
    "labour_industry",
    "workplace_sectors",
    "control_methods",
    "exploitation_types",
    "stages",
    "verdicts",
    "compensation",
    "trafficking_status",
    "status",
)
