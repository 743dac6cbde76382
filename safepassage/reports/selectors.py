"""Risk aggregates in SQL: counts by band and mean index, trends, prioritisation and displacement (drivers
are in drivers.py).

Every aggregate is over the people the viewer may report on (their agencies' people, limited to their
areas). Case staff of the owning agency (administrators, coordinators, caseworkers) see exact figures; every
other reader gets each figure through the cell-key method (protect.py, docs/disclosure-control.md), whole
calendar months for periods, and an audit event for the request. Each report has one public function here
that does all three; pages, the API and the CSV downloads call it, and nothing else reads raw aggregates for
those readers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.audit.services import audit_report
from safepassage.core.access import viewer_for
from safepassage.core.roles import Role
from safepassage.geo.models import Area, Level
from safepassage.registry.models import Assessment, Person, RiskCell
from safepassage.reports import protect
from safepassage.reports.tables import (  # noqa: F401 (AGE_BANDS, DIMENSION_LABELS, MAX_DIMENSIONS: for callers)
    AGE_BANDS,
    AREA_LOOKUPS,
    BANDS,
    CELL_LOOKUPS,
    DIMENSION_LABELS,
    DIMENSIONS,
    INDEX_SPAN,
    MAX_DIMENSIONS,
    SCORED_BANDS,
    Period,
    Scope,
    area_names,
    band_sums,
    check_group_by,
    check_periods,
    dimension_expressions,
    finish,
    period_text,
    publish,
    raw_sums,
)

REPORT_ROLES = {Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER, Role.ANALYST}
EXACT_ROLES = {Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER}


def report_scope(viewer: Any, prefix: str = "") -> Scope:
    """People of the viewer's agencies (within their areas) for report roles; `prefix` for related lookups."""
    v = viewer_for(viewer)
    q = Q(pk__in=[]) if not prefix else Q(**{f"{prefix}pk__in": []})
    exact = True  # exact numbers only when every grant in the scope may see those people's records
    empty = True
    for grant in v.grants:
        if grant.role not in REPORT_ROLES:
            continue
        grant_q = Q(**{f"{prefix}agency_id": grant.agency_id})
        if grant.area_limited:
            if not grant.area_paths:
                continue
            area_q = Q(pk__in=[]) if not prefix else Q(**{f"{prefix}pk__in": []})
            for path in grant.area_paths:
                area_q |= Q(**{f"{prefix}village__path__startswith": path})
            grant_q &= area_q
        q |= grant_q
        empty = False
        exact = exact and grant.role in EXACT_ROLES
    return Scope(q=q, exact=exact and not empty, empty=empty)


def may_report(viewer: Any) -> bool:
    """Holds a role that sees aggregates."""
    return not report_scope(viewer).empty


def has_report_data(viewer: Any) -> bool:
    """Whether the risk reports can show this viewer anything: someone in their scope has been assessed.
    (An office that keeps no people, such as a labour office, has no risk reports until it does.)"""
    scope = report_scope(viewer)
    return not scope.empty and Person.objects.filter(scope.q).exclude(current_band="").exists()


def dimensions_for(viewer: Any) -> list[str]:
    """The groupings this viewer may ask for: outside the owning agency's case staff, only what the report
    cells are counted by (area, sex, age band)."""
    if report_scope(viewer).exact:
        return list(DIMENSIONS)
    return [d for d in DIMENSIONS if d in CELL_LOOKUPS]


def audit_request(viewer: Any, scope: Scope, report: str, parameters: Mapping[str, Any]) -> None:
    """Record the request of a reader outside the owning agency's case staff (what was asked, never the
    figures); case staff's own reports are not recorded here."""
    if not scope.exact and not scope.empty:
        audit_report(actor=viewer, report=report, parameters=parameters)


def _cells(scope: Scope, area: Area | None) -> QuerySet[RiskCell]:
    qs = RiskCell.objects.filter(scope.q)
    return qs.filter(village__path__startswith=area.path) if area is not None else qs


def _from_cells(scope: Scope, group_by: Sequence[str], area: Area | None) -> list[dict[str, Any]]:
    """Raw rows summed from the pre-counted cells (counts, index sums and record-key sums)."""
    fields = {f"g_{g}": F(CELL_LOOKUPS[g]) for g in group_by}

    def count(on: Q | None) -> Any:
        return Sum("n", filter=on)

    def key(on: Q | None) -> Any:
        return Sum("key_sum", filter=on)

    sums = band_sums(count, None if scope.exact else key, "band")
    sums["r_index_sum"] = Sum("index_sum")
    sums["r_index_n"] = Sum("index_n")
    rows = _cells(scope, area).annotate(**fields).values(*fields).annotate(**sums).order_by()
    return [raw_sums(r) for r in rows]


def _from_people(
    scope: Scope, group_by: Sequence[str], area: Area | None, as_of: date
) -> list[dict[str, Any]]:
    """Raw rows counted from people (exact viewers only: hometown, a past day's age bands, or no cells)."""
    qs: QuerySet[Person] = Person.objects.filter(scope.q).exclude(current_band="")
    if area is not None:
        qs = qs.filter(village__path__startswith=area.path)
    expressions = dimension_expressions(group_by, as_of)
    sums = band_sums(lambda on: Count("id", filter=on), None, "current_band")
    scored = ~Q(current_band="incomplete")
    sums["r_index_sum"] = Sum("current_index", filter=scored)
    sums["r_index_n"] = Count("current_index", filter=scored)
    return [raw_sums(r) for r in qs.annotate(**expressions).values(*expressions).annotate(**sums).order_by()]


def risk_rows(scope: Scope, group_by: Sequence[str], area: Area | None, as_of: date | None) -> dict[str, Any]:
    """The current-risk table, published for this scope (no audit: the public functions write it)."""
    if not scope.exact:
        raw = _from_cells(scope, group_by, area)  # the only source for readers outside: keys in the cells
    elif as_of is None and "hometown" not in group_by and RiskCell.objects.exists():
        raw = _from_cells(scope, group_by, area)
    else:
        raw = _from_people(scope, group_by, area, as_of or timezone.localdate())
    return {
        "group_by": list(group_by),
        "perturbed": not scope.exact,
        "suppressed_below": None if scope.exact else protect.THRESHOLD,
        "rows": finish([publish(r, scope.exact) for r in raw], group_by),
    }


def risk_report(
    *, viewer: Any, group_by: Sequence[str], area: Area | None = None, as_of: date | None = None
) -> dict[str, Any]:
    """Counts by band and mean index of people's current risk, grouped by up to three of DIMENSIONS.

    Read from the report cells (registry/cells.py). Case staff of the owning agency get exact figures (also
    counted from people, for hometown or a past day's age bands with `as_of`); every other reader gets them
    through the cell-key method, from the cells only, and the request is audited."""
    scope = report_scope(viewer)
    check_group_by(group_by, scope)
    audit_request(viewer, scope, "risk", {"group_by": ",".join(group_by), "area": area.code if area else ""})
    return risk_rows(scope, group_by, area, as_of)


def headline(*, viewer: Any) -> dict[str, Any]:
    """A home page's figures about people, for a viewer who may report: how many are assessed and how many
    at high risk, by province, from the same protected table as the risk report (for readers outside the
    owning agency's case staff: perturbed, "<11" when small). The one door for such figures on a home
    page."""
    scope = report_scope(viewer)
    if scope.empty:
        return {"rows": [], "suppressed_below": None, "perturbed": False}
    audit_request(viewer, scope, "headline", {"group_by": "province"})
    report = risk_rows(scope, ["province"], None, None)
    rows = [
        {
            "area": row["province"],
            "area_name": row.get("province_name", ""),
            "n": row["n"],
            "high": row["high"],
            "suppressed": row["suppressed"],
        }
        for row in report["rows"]
    ]
    return {"rows": rows, "suppressed_below": report["suppressed_below"], "perturbed": report["perturbed"]}


def _latest_in_period(scope: Scope, start: date, end: date) -> QuerySet[Assessment]:
    """Each person's latest assessment within [start, end].

    On PostgreSQL the latest ones are found in one pass (DISTINCT ON the person) and the rest joins them by
    hash: asked per row instead (a subquery for each assessment), the planner guessed a few dozen rows where
    there were thousands and joined the areas row by row, 1.6 s instead of 0.1 s at 20,000 people."""
    in_period = Assessment.objects.filter(
        subject_is_village=False, assessed_on__gte=start, assessed_on__lte=end
    )
    if connection.vendor == "postgresql":
        latest_ids = in_period.order_by("person_id", "-assessed_on", "-id").distinct("person_id").values("id")
        return in_period.filter(scope.q).filter(id__in=latest_ids)
    latest = (
        Assessment.objects.filter(person=OuterRef("person"), assessed_on__gte=start, assessed_on__lte=end)
        .order_by("-assessed_on", "-id")
        .values("id")[:1]
    )
    return in_period.filter(scope.q).filter(id=Subquery(latest))


def _period_rows(
    viewer: Any, group_by: Sequence[str], period: Period, area: Area | None
) -> list[dict[str, Any]]:
    """The risk table over each person's latest assessment within a period, published for the viewer.

    There are no cells for periods, so the record keys of the people counted are summed in the same query
    that counts them (the assessments' own rows, joined to their people for scoping already)."""
    exact = report_scope(viewer).exact
    scope = report_scope(viewer, prefix="person__")
    start, end = period
    qs = _latest_in_period(scope, start, end)
    if area is not None:
        qs = qs.filter(village__path__startswith=area.path)
    expressions = dimension_expressions(group_by, end, prefix="person__")
    for name in group_by:
        if name in AREA_LOOKUPS:  # where the person lived at the time of that assessment
            expressions[f"g_{name}"] = F(AREA_LOOKUPS[name])

    def key(on: Q | None) -> Any:
        return Sum("person__record_key", filter=on)

    sums = band_sums(lambda on: Count("id", filter=on), None if exact else key, "band")
    scored = ~Q(band="incomplete")
    sums["r_index_sum"] = Sum("index", filter=scored)
    sums["r_index_n"] = Count("index", filter=scored)
    sums["r_multiple"] = Count("id", filter=Q(multiple=True))
    if not exact:
        sums["r_multiple_key"] = key(Q(multiple=True))
    rows = qs.annotate(**expressions).values(*expressions).annotate(**sums).order_by()
    return finish([publish(raw_sums(r), exact, extra=("multiple",)) for r in rows], group_by)


def _trend_rows(
    viewer: Any, group_by: Sequence[str], first: Period, second: Period, area: Area | None
) -> list[dict[str, Any]]:
    before = {tuple(r[g] for g in group_by): r for r in _period_rows(viewer, group_by, first, area)}
    after = _period_rows(viewer, group_by, second, area)
    rows = []
    keys = set(before)
    for row in after:
        key = tuple(row[g] for g in group_by)
        keys.discard(key)
        rows.append(_trend_row(group_by, row, before.get(key, {})))
    for key in sorted(keys, key=str):
        rows.append(_trend_row(group_by, {}, before[key]))
    return rows


def level_trend(*, viewer: Any, level: str, first: Period, second: Period) -> list[dict[str, Any]]:
    """The two periods compared by area of one level over the viewer's whole scope, for prioritisation and
    displacement to share (each still checks and records its own request). Not audited itself: it is
    nothing shown until one of them shows it."""
    _check_level(level)
    check_periods(report_scope(viewer), {"first": first, "second": second})
    return _trend_rows(viewer, [level], first, second, None)


def trend(
    *,
    viewer: Any,
    group_by: Sequence[str],
    first: Period,
    second: Period,
    area: Area | None = None,
) -> list[dict[str, Any]]:
    """Two periods side by side, with the change in mean index and in the high-risk count (the change of the
    figures shown, so it reveals nothing they do not)."""
    scope = report_scope(viewer)
    check_group_by(group_by, scope)
    check_periods(scope, {"first": first, "second": second})
    audit_request(
        viewer,
        scope,
        "trend",
        {
            "group_by": ",".join(group_by),
            "first": period_text(first),
            "second": period_text(second),
            "area": area.code if area else "",
        },
    )
    return _trend_rows(viewer, group_by, first, second, area)


def _trend_row(group_by: Sequence[str], new: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    source = new or old
    row = {g: source.get(g) for g in group_by}
    row.update({f"{g}_name": source.get(f"{g}_name") for g in group_by if f"{g}_name" in source})
    for key in ("n", "high", "mean_index"):
        row[f"{key}_before"] = old.get(key)
        row[f"{key}_after"] = new.get(key)
        row[f"{key}_change"] = protect.change(new.get(key), old.get(key))
    return row


def _check_level(level: str) -> None:
    if level not in AREA_LOOKUPS:
        raise ValidationError({"level": _("Choose village, subdistrict, district or province.")})


def prioritisation(
    *,
    viewer: Any,
    level: str = Level.DISTRICT,
    first: Period | None = None,
    second: Period | None = None,
    area: Area | None = None,
    trend: Sequence[Mapping[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Areas ranked for programming: high-risk count, Alkire-Foster H, A and M0, and change since before.

    Counts, the high-risk count and the mean index come from the report cells, so an area shows the same
    figures here as in the risk report; H and A need who is multiply vulnerable, which the cells do not
    hold, so those are counted from people (with their record keys, for readers outside). `trend`: what
    level_trend gave for the same viewer, level, periods and area (a page showing the ranking and the
    displacement reads the two periods once)."""
    _check_level(level)
    if bool(first) != bool(second):
        missing = "second" if first else "first"
        raise ValidationError({missing: _("Give both periods to compare, or neither.")})
    scope = report_scope(viewer)
    check_periods(scope, {"first": first, "second": second})
    audit_request(
        viewer,
        scope,
        "priorities",
        {
            "level": level,
            "first": period_text(first),
            "second": period_text(second),
            "area": area.code if area else "",
        },
    )
    rows = _priority_rows(scope, level, area)
    change: dict[str, Mapping[str, Any]] = {}
    if first and second:
        if trend is None:
            trend = _trend_rows(viewer, [level], first, second, area)
        change = {r[level]: r for r in trend}
    for row in rows:
        c = change.get(row["area"], {})
        row["high_change"] = c.get("high_change")
        row["mean_index_change"] = c.get("mean_index_change")
    rows.sort(key=lambda r: (-protect.number(r["M0"]), -protect.number(r["high"])))
    return rows


def _priority_rows(scope: Scope, level: str, area: Area | None) -> list[dict[str, Any]]:
    """The areas' published figures (without the change)."""
    if scope.exact and not RiskCell.objects.exists():
        raw_rows = _priority_people(scope, level, area)
    else:
        raw_rows = _priority_cells(scope, level, area)
    people = Person.objects.filter(scope.q, current_band__in=SCORED_BANDS, current_multiple=True)
    if area is not None:
        people = people.filter(village__path__startswith=area.path)
    multiple = {
        r["g"]: r
        for r in people.values(g=F(AREA_LOOKUPS[level]))
        .annotate(q=Count("id"), q_key=Sum("record_key"), shares=Sum("current_deprivation_share"))
        .order_by()
    }
    names = area_names({r["g"] for r in raw_rows})
    out = []
    for raw in raw_rows:
        m = multiple.get(raw["g"], {})
        q, shares = int(m.get("q") or 0), float(m.get("shares") or 0.0)
        row: dict[str, Any] = {"area": raw["g"], "area_name": names.get(raw["g"], "")}
        if scope.exact:
            row.update(_priority_exact(raw, q, shares))
        else:
            row.update(_priority_protected(raw, q, m.get("q_key"), shares))
        out.append(row)
    return out


def _priority_exact(raw: Mapping[str, Any], q: int, shares: float) -> dict[str, Any]:
    n = int(raw["n"])
    H = q / n if n else 0.0
    A = shares / q if q else 0.0
    return {
        "n": n,
        "high": int(raw["high"]),
        "mean_index": round(raw["index_sum"] / raw["index_n"], 1) if raw["index_n"] else None,
        "H": round(H, 4),
        "A": round(A, 4),
        "M0": round(H * A, 4),
    }


def _priority_protected(raw: Mapping[str, Any], q: int, q_key: Any, shares: float) -> dict[str, Any]:
    """H is the share of the area's people who are multiply vulnerable (withheld when they, or the rest,
    are under 11); A their mean deprivation share (values in [0, 1]); M0 = H × A of the published two."""
    n = int(raw["n"])
    shown_n = protect.count(n, raw["n_key"])
    if shown_n == protect.SMALL:
        return {"n": shown_n, "high": protect.SMALL, "mean_index": None, "H": None, "A": None, "M0": None}
    H = protect.share(q, n, raw["n_key"], q_key)
    if H is None:
        A = None
    elif q == 0:
        A = 0.0
    else:
        A = protect.mean(shares, q, q_key, span=1.0, digits=4)
    return {
        "n": shown_n,
        "high": protect.count(raw["high"], raw["high_key"]),
        # the mean over the same people as the risk report's (the scored), so the same figure
        "mean_index": protect.mean(raw["index_sum"], raw["index_n"], raw["n_key"], span=INDEX_SPAN),
        "H": H,
        "A": A,
        "M0": round(H * A, 4) if H is not None and A is not None else None,
    }


def _priority_cells(scope: Scope, level: str, area: Area | None) -> list[dict[str, Any]]:
    """Raw rows of the scored people (not incomplete) per area, from the report cells."""
    rows = (
        _cells(scope, area)
        .filter(band__in=SCORED_BANDS)
        .values(g=F(CELL_LOOKUPS[level]))
        .annotate(
            r_n=Sum("n"),
            r_n_key=Sum("key_sum"),
            r_high=Sum("n", filter=Q(band="high")),
            r_high_key=Sum("key_sum", filter=Q(band="high")),
            r_index_sum=Sum("index_sum"),
            r_index_n=Sum("index_n"),
        )
        .order_by()
    )
    return [{**raw_sums(r), "g": r["g"]} for r in rows]


def _priority_people(scope: Scope, level: str, area: Area | None) -> list[dict[str, Any]]:
    """Exact viewers before any cell is counted: the same raw rows, counted from people."""
    qs = Person.objects.filter(scope.q, current_band__in=SCORED_BANDS)
    if area is not None:
        qs = qs.filter(village__path__startswith=area.path)
    rows = (
        qs.values(g=F(AREA_LOOKUPS[level]))
        .annotate(
            r_n=Count("id"),
            r_high=Count("id", filter=Q(current_band="high")),
            r_index_sum=Sum("current_index"),
            r_index_n=Count("current_index"),
        )
        .order_by()
    )
    return [{**raw_sums(r), "g": r["g"]} for r in rows]


def displacement(
    *,
    viewer: Any,
    level: str,
    first: Period,
    second: Period,
    programme_areas: Sequence[str] = (),
    threshold: float = 5.0,
    trend: Sequence[Mapping[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """ "Push down, pop up": areas whose mean index rose while a neighbour fell (a neighbour with a programme,
    when programme areas are given). Neighbours are areas with the same parent. The rise and fall are the
    changes of the means as the trend shows them, so an area whose mean is withheld never appears. `trend`:
    as for prioritisation (the whole scope, no area)."""
    _check_level(level)
    scope = report_scope(viewer)
    check_periods(scope, {"first": first, "second": second})
    audit_request(
        viewer,
        scope,
        "displacement",
        {
            "level": level,
            "first": period_text(first),
            "second": period_text(second),
            "programme_areas": ",".join(programme_areas),
        },
    )
    rows = trend if trend is not None else _trend_rows(viewer, [level], first, second, None)
    by_code = {r[level]: r for r in rows if r[level]}
    parents = dict(Area.objects.filter(code__in=list(by_code)).values_list("code", "parent__code"))
    found = []
    for code, row in by_code.items():
        rise = row.get("mean_index_change")
        if rise is None or rise < threshold:
            continue
        for other, other_row in by_code.items():
            if other == code or parents.get(other) != parents.get(code):
                continue
            if programme_areas and other not in programme_areas:
                continue
            fall = other_row.get("mean_index_change")
            if fall is not None and fall <= -threshold:
                found.append(
                    {
                        "area": code,
                        "area_name": row.get(f"{level}_name"),
                        "rise": rise,
                        "neighbour": other,
                        "neighbour_name": other_row.get(f"{level}_name"),
                        "fall": fall,
                    }
                )
    return sorted(found, key=lambda r: -(r["rise"] - r["fall"]))
