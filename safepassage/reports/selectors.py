"""Risk aggregates in SQL: counts by band, mean index, prioritisation, trends, displacement and drivers.

Every aggregate is over the people the viewer may report on (their agencies' people, limited to their
areas), and small cells are suppressed unless the viewer may see those people's records anyway.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from safepassage.core.access import viewer_for
from safepassage.core.roles import Role
from safepassage.geo.models import Area, Level
from safepassage.registry import scoring
from safepassage.registry.cells import age_band_expression
from safepassage.registry.models import Assessment, Catalogue, Person, RiskCell
from safepassage.reports.suppression import suppress_table

REPORT_ROLES = {Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER, Role.ANALYST}
EXACT_ROLES = {Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER}
BANDS = ("low", "medium", "high", "incomplete")
AGE_BANDS = ("0-9", "10-14", "15-17", "18-24", "25+", "unknown")
# group_by name → the lookup from Person (or from Assessment, with the "person__" prefix added) to its value
AREA_LOOKUPS = {
    "village": "village__code",
    "subdistrict": "village__parent__code",
    "district": "village__parent__parent__code",
    "province": "village__parent__parent__parent__code",
}
DIMENSIONS = (*AREA_LOOKUPS, "sex", "age_band", "hometown")
DIMENSION_LABELS = {
    "village": _lazy("Village"),
    "subdistrict": _lazy("Subdistrict"),
    "district": _lazy("District"),
    "province": _lazy("Province"),
    "sex": _lazy("Sex"),
    "age_band": _lazy("Age"),
    "hometown": _lazy("Hometown"),
}


@dataclass(frozen=True)
class Scope:
    """Which people a viewer may report on, and whether small cells must be hidden."""

    q: Q
    exact: bool
    empty: bool


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


def _dimension_expressions(group_by: Sequence[str], as_of: date, prefix: str = "") -> dict[str, Any]:
    unknown = [g for g in group_by if g not in DIMENSIONS]
    if unknown:
        raise ValidationError(
            {
                "group_by": _("Unknown grouping %(names)s; choose from %(choices)s.")
                % {"names": ", ".join(unknown), "choices": ", ".join(DIMENSIONS)}
            }
        )
    expressions: dict[str, Any] = {}
    for name in group_by:
        if name in AREA_LOOKUPS:
            expressions[f"g_{name}"] = F(prefix + AREA_LOOKUPS[name])
        elif name == "sex":
            expressions["g_sex"] = F(prefix + "sex")
        elif name == "hometown":
            expressions["g_hometown"] = F(prefix + "hometown__code")
        else:
            expressions["g_age_band"] = age_band_expression(as_of, prefix + "birth_year")
    return expressions


def _band_counts(band_field: str, index_field: str) -> dict[str, Any]:
    counts: dict[str, Any] = {"n": Count("id")}
    for band in BANDS:
        counts[band] = Count("id", filter=Q(**{band_field: band}))
    counts["mean_index"] = Avg(index_field, filter=~Q(**{band_field: "incomplete"}))
    return counts


def _area_names(codes: set[str]) -> dict[str, str]:
    return {a.code: a.name for a in Area.objects.filter(code__in=[c for c in codes if c])}


def _finish(rows: list[dict[str, Any]], group_by: Sequence[str], scope: Scope) -> list[dict[str, Any]]:
    names = _area_names(
        {row.get(f"g_{g}") or "" for row in rows for g in group_by if g in (*AREA_LOOKUPS, "hometown")}
    )
    out = []
    for row in rows:
        item: dict[str, Any] = {}
        for g in group_by:
            value = row.pop(f"g_{g}")
            item[g] = value
            if g in (*AREA_LOOKUPS, "hometown"):
                item[f"{g}_name"] = names.get(value or "", "")
        item.update(row)
        if item.get("mean_index") is not None:
            item["mean_index"] = round(item["mean_index"], 1)
        out.append(item)
    out.sort(key=lambda r: [str(r[g] or "") for g in group_by])
    if not scope.exact:
        out = suppress_table(out, BANDS, "n", ("mean_index",))
    else:
        for item in out:
            item["suppressed"] = []
    return out


CELL_LOOKUPS = {**AREA_LOOKUPS, "sex": "sex", "age_band": "age_band"}


def _from_cells(scope: Scope, group_by: Sequence[str], area: Area | None) -> list[dict[str, Any]] | None:
    """The report from the pre-counted cells, or None when they cannot answer it (hometown, no cells yet)."""
    if "hometown" in group_by or not RiskCell.objects.exists():
        return None
    qs = RiskCell.objects.filter(scope.q)
    if area is not None:
        qs = qs.filter(village__path__startswith=area.path)
    fields = {f"g_{g}": F(CELL_LOOKUPS[g]) for g in group_by}
    # Aggregate aliases must not reuse the cell's own field names.
    sums: dict[str, Any] = {"s_n": Sum("n"), "s_index": Sum("index_sum"), "s_scored": Sum("index_n")}
    for band in BANDS:
        sums[f"s_{band}"] = Coalesce(Sum("n", filter=Q(band=band)), 0)
    rows = []
    for raw in qs.annotate(**fields).values(*fields).annotate(**sums).order_by():
        row = {key: value for key, value in raw.items() if key.startswith("g_")}
        row["n"] = raw["s_n"]
        row.update({band: raw[f"s_{band}"] for band in BANDS})
        row["mean_index"] = raw["s_index"] / raw["s_scored"] if raw["s_scored"] else None
        rows.append(row)
    return rows


def risk_report(
    *, viewer: Any, group_by: Sequence[str], area: Area | None = None, as_of: date | None = None
) -> dict[str, Any]:
    """Counts by band and mean index of people's current risk, grouped by any of DIMENSIONS.

    Read from the report cells (see registry/cells.py) when they can answer, else counted from people."""
    scope = report_scope(viewer)
    _dimension_expressions(group_by, timezone.localdate())  # names every unknown grouping
    if as_of is None:
        rows = _from_cells(scope, group_by, area)
        if rows is not None:
            return {
                "group_by": list(group_by),
                "suppressed_below": None if scope.exact else 11,
                "rows": _finish(rows, group_by, scope),
            }
    as_of = as_of or timezone.localdate()
    qs: QuerySet[Person] = Person.objects.filter(scope.q).exclude(current_band="")
    if area is not None:
        qs = qs.filter(village__path__startswith=area.path)
    expressions = _dimension_expressions(group_by, as_of)
    rows = list(
        qs.annotate(**expressions)
        .values(*expressions)
        .annotate(**_band_counts("current_band", "current_index"))
        .order_by()
    )
    return {
        "group_by": list(group_by),
        "suppressed_below": None if scope.exact else 11,
        "rows": _finish(rows, group_by, scope),
    }


def headline(*, viewer: Any) -> dict[str, Any]:
    """A home page's figures about people, for a viewer who may report: how many are assessed and how many
    at high risk, by province, taken from risk_report so that small numbers are hidden exactly as in the
    reports (for analysts: under 11). The one door for such figures on a home page; when suppression
    changes (a cell-key method), they change with it."""
    if not may_report(viewer):
        return {"rows": [], "suppressed_below": None}
    report = risk_report(viewer=viewer, group_by=["province"])
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
    return {"rows": rows, "suppressed_below": report["suppressed_below"]}


def _latest_in_period(scope: Scope, start: date, end: date) -> QuerySet[Assessment]:
    """Each person's latest assessment within [start, end]."""
    latest = (
        Assessment.objects.filter(person=OuterRef("person"), assessed_on__gte=start, assessed_on__lte=end)
        .order_by("-assessed_on", "-id")
        .values("id")[:1]
    )
    return (
        Assessment.objects.filter(subject_is_village=False, assessed_on__gte=start, assessed_on__lte=end)
        .filter(scope.q)
        .filter(id=Subquery(latest))
    )


def period_report(
    *, viewer: Any, group_by: Sequence[str], start: date, end: date, area: Area | None = None
) -> list[dict[str, Any]]:
    """Like risk_report, over each person's latest assessment within a period."""
    if start > end:
        raise ValidationError({"period": _("The period starts after it ends.")})
    scope = report_scope(viewer, prefix="person__")
    qs = _latest_in_period(scope, start, end)
    if area is not None:
        qs = qs.filter(village__path__startswith=area.path)
    expressions = {}
    for key, expr in _dimension_expressions(group_by, end, prefix="person__").items():
        expressions[key] = expr
    for name in group_by:
        if name in AREA_LOOKUPS:  # where the person lived at the time of that assessment
            expressions[f"g_{name}"] = F(AREA_LOOKUPS[name])
    counts = _band_counts("band", "index")
    counts["multiple"] = Count("id", filter=Q(multiple=True))
    rows = list(qs.annotate(**expressions).values(*expressions).annotate(**counts).order_by())
    return _finish(rows, group_by, report_scope(viewer))


def trend(
    *,
    viewer: Any,
    group_by: Sequence[str],
    first: tuple[date, date],
    second: tuple[date, date],
    area: Area | None = None,
) -> list[dict[str, Any]]:
    """Two periods side by side, with the change in mean index and in the high-risk count."""
    before = {
        tuple(r[g] for g in group_by): r
        for r in period_report(viewer=viewer, group_by=group_by, start=first[0], end=first[1], area=area)
    }
    after = period_report(viewer=viewer, group_by=group_by, start=second[0], end=second[1], area=area)
    rows = []
    keys = set(before)
    for row in after:
        key = tuple(row[g] for g in group_by)
        keys.discard(key)
        old = before.get(key, {})
        rows.append(_trend_row(group_by, row, old))
    for key in sorted(keys, key=str):
        rows.append(_trend_row(group_by, {}, before[key]))
    return rows


def _trend_row(group_by: Sequence[str], new: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    source = new or old
    row = {g: source.get(g) for g in group_by}
    row.update({f"{g}_name": source.get(f"{g}_name") for g in group_by if f"{g}_name" in source})
    for key in ("n", "high", "mean_index"):
        row[f"{key}_before"] = old.get(key)
        row[f"{key}_after"] = new.get(key)
        a, b = new.get(key), old.get(key)
        row[f"{key}_change"] = (
            round(a - b, 1) if isinstance(a, (int, float)) and isinstance(b, (int, float)) else None
        )
    return row


def prioritisation(
    *,
    viewer: Any,
    level: str = Level.DISTRICT,
    first: tuple[date, date] | None = None,
    second: tuple[date, date] | None = None,
    area: Area | None = None,
) -> list[dict[str, Any]]:
    """Areas ranked for programming: high-risk count, Alkire-Foster H, A and M0, and change since before."""
    if level not in AREA_LOOKUPS:
        raise ValidationError({"level": _("Choose village, subdistrict, district or province.")})
    scope = report_scope(viewer)
    qs = Person.objects.filter(scope.q).exclude(current_band="").exclude(current_band="incomplete")
    if area is not None:
        qs = qs.filter(village__path__startswith=area.path)
    rows = list(
        qs.annotate(g=F(AREA_LOOKUPS[level]))
        .values("g")
        .annotate(
            n=Count("id"),
            high=Count("id", filter=Q(current_band="high")),
            mean_index=Avg("current_index"),
            q=Count("id", filter=Q(current_multiple=True)),
            intensity=Avg("current_deprivation_share", filter=Q(current_multiple=True)),
        )
        .order_by()
    )
    change: dict[str, dict[str, Any]] = {}
    if first and second:
        change = {
            r[level]: r for r in trend(viewer=viewer, group_by=[level], first=first, second=second, area=area)
        }
    names = _area_names({r["g"] for r in rows})
    out = []
    for r in rows:
        n, q = r["n"], r["q"]
        H = q / n if n else 0.0
        A = r["intensity"] or 0.0
        c = change.get(r["g"], {})
        out.append(
            {
                "area": r["g"],
                "area_name": names.get(r["g"], ""),
                "n": n,
                "high": r["high"],
                "mean_index": round(r["mean_index"], 1) if r["mean_index"] is not None else None,
                "H": round(H, 4),
                "A": round(A, 4),
                "M0": round(H * A, 4),
                "high_change": c.get("high_change"),
                "mean_index_change": c.get("mean_index_change"),
            }
        )
    if not scope.exact:
        for row, raw in zip(out, rows, strict=True):
            if 0 < raw["q"] < 11:  # H × n would give the number of multiply vulnerable people
                row["H"] = row["A"] = row["M0"] = None
        out = suppress_table(
            out, ["high"], "n", ["mean_index", "H", "A", "M0", "high_change", "mean_index_change"]
        )
    out.sort(key=lambda r: (-(r["M0"] or 0), -(r["high"] or 0)))
    return out


def displacement(
    *,
    viewer: Any,
    level: str,
    first: tuple[date, date],
    second: tuple[date, date],
    programme_areas: Sequence[str] = (),
    threshold: float = 5.0,
) -> list[dict[str, Any]]:
    """ "Push down, pop up": areas whose mean index rose while a neighbour fell (a neighbour with a programme,
    when programme areas are given). Neighbours are areas with the same parent."""
    rows = trend(viewer=viewer, group_by=[level], first=first, second=second)
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


def drivers(*, viewer: Any, area: Area, catalogue: Catalogue) -> dict[str, Any]:
    """Which indicators drive an area's risk: the share of assessed people at 3 on each, and each
    indicator's contribution to the area's M0 (Alkire-Foster)."""
    scope = report_scope(viewer)
    people = Person.objects.filter(
        scope.q, village__path__startswith=area.path, current_assessment__isnull=False
    )
    scores = list(people.values_list("current_assessment__scores", flat=True).iterator(chunk_size=5000))
    specs = catalogue.specs("IH")
    poverty = scoring.alkire_foster(scores, specs, catalogue.params().k)
    n = len(scores)
    rows: list[dict[str, Any]] = []
    for spec in specs:
        at_3 = sum(1 for s in scores if s.get(spec.code) == 3)
        answered = sum(1 for s in scores if spec.code in s)
        rows.append(
            {
                "code": spec.code,
                "answered": answered,
                "at_3": at_3,
                "share_at_3": round(at_3 / answered, 4) if answered else None,
                "contribution": poverty.contributions.get(spec.code, 0.0),
            }
        )
    rows.sort(key=lambda r: (-(r["contribution"] or 0), -(r["share_at_3"] or 0)))
    result: dict[str, Any] = {
        "area": area.code,
        "area_name": area.name,
        "n": n,
        "H": poverty.H,
        "A": poverty.A,
        "M0": poverty.M0,
        "indicators": rows,
    }
    if not scope.exact:
        if 0 < poverty.q < 11:
            result["H"] = result["A"] = result["M0"] = None
        if 0 < n < 11:
            return {
                "area": area.code,
                "area_name": area.name,
                "n": None,
                "suppressed": True,
                "indicators": [],
            }
        for row in rows:
            for key in ("answered", "at_3"):
                if 0 < row[key] < 11:
                    row[key] = None
                    row["share_at_3"] = None
    return result
