"""Report tables: the groupings a report may ask for, checks of its parameters (a 400 naming the parameter),
and its rows, from the raw sums of a query (each count with the sum of its records' keys) to the figures a
viewer sees: exact for the owning agency's case staff, else through the cell-key method (protect.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from safepassage.core.periods import check_whole_months
from safepassage.geo.models import Area
from safepassage.registry.cells import age_band_expression
from safepassage.reports import protect

BANDS = ("low", "medium", "high", "incomplete")
SCORED_BANDS = ("low", "medium", "high")
AGE_BANDS = ("0-9", "10-14", "15-17", "18-24", "25+", "unknown")
INDEX_SPAN = 100.0  # the risk index runs from 0 to 100
# group_by name → the lookup from Person (or from Assessment, with the "person__" prefix added) to its value
AREA_LOOKUPS = {
    "village": "village__code",
    "subdistrict": "village__parent__code",
    "district": "village__parent__parent__code",
    "province": "village__parent__parent__parent__code",
}
DIMENSIONS = (*AREA_LOOKUPS, "sex", "age_band", "hometown")
# What the report cells are counted by, so what they can answer (not hometown).
CELL_LOOKUPS = {**AREA_LOOKUPS, "sex": "sex", "age_band": "age_band"}
# At most this many groupings at once: a finer table is a list of people, not a report.
MAX_DIMENSIONS = 3
DIMENSION_LABELS = {
    "village": _lazy("Village"),
    "subdistrict": _lazy("Subdistrict"),
    "district": _lazy("District"),
    "province": _lazy("Province"),
    "sex": _lazy("Sex"),
    "age_band": _lazy("Age"),
    "hometown": _lazy("Hometown"),
}

Period = tuple[date, date]


@dataclass(frozen=True)
class Scope:
    """Which people a viewer may report on, and whether the figures may be exact (else protected)."""

    q: Q
    exact: bool
    empty: bool


def check_group_by(group_by: Sequence[str], scope: Scope, name: str = "group_by") -> None:
    """Unknown, repeated or too many groupings, and hometown outside the owning agency: a 400 naming it."""
    unknown = [g for g in group_by if g not in DIMENSIONS]
    if unknown:
        raise ValidationError(
            {
                name: _("Unknown grouping %(names)s; choose from %(choices)s.")
                % {"names": ", ".join(unknown), "choices": ", ".join(DIMENSIONS)}
            }
        )
    if not group_by:
        raise ValidationError({name: _("Choose at least one grouping.")})
    if len(set(group_by)) != len(group_by):
        raise ValidationError({name: _("Name each grouping once.")})
    if len(group_by) > MAX_DIMENSIONS:
        raise ValidationError(
            {name: _("Choose at most %(max)s groupings at once.") % {"max": MAX_DIMENSIONS}}
        )
    if not scope.exact and "hometown" in group_by:
        raise ValidationError(
            {
                name: _(
                    "Outside the agency that holds the people, figures are grouped by area, sex and age only."
                )
            }
        )


def check_periods(scope: Scope, periods: Mapping[str, Period | None]) -> None:
    """Each period starts before it ends; outside the owning agency's case staff, whole calendar months."""
    errors: dict[str, list[str]] = {}
    for name, period in periods.items():
        if period is None:
            continue
        start, end = period
        try:
            if not scope.exact:
                check_whole_months(start, end, start_name=name, end_name=name)
            elif start > end:
                raise ValidationError({name: _("The period starts after it ends.")})
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(m for m in messages if m not in errors.get(field, []))
    if errors:
        raise ValidationError(errors)


def period_text(period: Period | None) -> str:
    """A period as the API writes it (`a..b`), for the audit trail."""
    return f"{period[0].isoformat()}..{period[1].isoformat()}" if period else ""


# Rows: raw sums as the queries give them, then published. A raw row holds, for each count it carries, the
# count and its record-key sum (`low`, `low_key`), and the index's sum and count over scored people.


def band_sums(count: Callable[..., Any], key: Callable[..., Any] | None, band_field: str) -> dict[str, Any]:
    """The aggregates of one row: people, each band, and the index over the scored (not incomplete)."""
    scored = ~Q(**{band_field: "incomplete"})
    sums: dict[str, Any] = {"r_n": count(None)}
    for band in BANDS:
        sums[f"r_{band}"] = count(Q(**{band_field: band}))
    if key is not None:
        sums["r_n_key"] = key(None)
        sums["r_scored_key"] = key(scored)
        for band in BANDS:
            sums[f"r_{band}_key"] = key(Q(**{band_field: band}))
    return sums


def raw_sums(row: Mapping[str, Any]) -> dict[str, Any]:
    """A query's row with its group values (g_…) and sums (r_…) renamed; empty sums as 0."""
    out: dict[str, Any] = {}
    for name, value in row.items():
        if name.startswith("g_"):
            out[name] = value
        elif name.startswith("r_"):
            out[name[2:]] = value if value is not None else 0
    return out


def publish(raw: Mapping[str, Any], exact: bool, extra: Sequence[str] = ()) -> dict[str, Any]:
    """A row's figures as the viewer sees them: exact for case staff, else through the cell-key method.

    When the row's own count shows as "<11", every count in it shows so (zeros too: "nobody of sex X in
    this small group is at high risk" would say something about each of them) and its mean is withheld."""
    counts = ("n", *BANDS, *extra)
    row = {name: value for name, value in raw.items() if name.startswith("g_")}
    if exact:
        for name in counts:
            row[name] = int(raw.get(name) or 0)
        row["mean_index"] = round(raw["index_sum"] / raw["index_n"], 1) if raw.get("index_n") else None
        row["suppressed"] = []
        return row
    row["n"] = protect.count(raw["n"], raw.get("n_key"))
    small = row["n"] == protect.SMALL
    for name in counts[1:]:
        row[name] = protect.SMALL if small else protect.count(raw.get(name), raw.get(f"{name}_key"))
    row["mean_index"] = (
        None
        if small
        else protect.mean(raw.get("index_sum"), raw.get("index_n"), raw.get("scored_key"), span=INDEX_SPAN)
    )
    row["suppressed"] = [name for name in counts if row[name] == protect.SMALL]
    if row["mean_index"] is None and raw.get("index_n"):
        row["suppressed"].append("mean_index")
    return row


def area_names(codes: set[str]) -> dict[str, str]:
    """Areas' names by code."""
    return {a.code: a.name for a in Area.objects.filter(code__in=[c for c in codes if c])}


def finish(rows: list[dict[str, Any]], group_by: Sequence[str]) -> list[dict[str, Any]]:
    """Published rows with their groups named (areas by name) and sorted."""
    names = area_names(
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
        out.append(item)
    out.sort(key=lambda r: [str(r[g] or "") for g in group_by])
    return out


def dimension_expressions(group_by: Sequence[str], as_of: date, prefix: str = "") -> dict[str, Any]:
    """Each grouping as an SQL expression over people (`prefix`: from a related model); ages on `as_of`."""
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
