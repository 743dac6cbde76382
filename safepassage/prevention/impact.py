"""Did it work (R-079, R-080, G-18): for an intervention and an area, the change in risk of the people reached
against comparable people not reached; the harm watch among those reached; package completeness per village;
and the areas that actually had programmes, which feed "push down, pop up" (R-078).

The method (docs/prevention.md, "Did it work"): everyone's risk at the programme's start (their latest scored
assessment on or before `start`) and after it (their latest in (start, end]). People are put in strata by
area (village, or subdistrict for help given to whole villages), risk band and age band at the start. In each
stratum holding both reached and not-reached people, the difference of their mean changes, corrected for the
difference of their starting index by the slope of change on it among those not reached; the estimate is
the average of those differences weighted by the reached in each stratum (the effect on those reached), with
a normal 95 % interval. People reached are usually chosen because their risk was high, and high scores fall
back on their own (regression to the mean): comparing them with people of the same band and starting index
takes that fall out of the estimate.

Figures: exact for the owning agency's case staff; for every other reader (analysts) through the cell-key
method (reports.protect): counts perturbed and "<11" when small, the estimate withheld when either group
shows under 11, else moved by the table's noise for the people reached (at most 1.5 × 200 / n points) with
its interval moved alike. Every such request is audited.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date
from typing import Any

from django.db.models import F, Min, Q
from django.http import Http404
from django.utils import timezone

from safepassage.cases.models import Case
from safepassage.geo.models import Area
from safepassage.migration.models import ReintegrationStep
from safepassage.prevention.models import Delivery, Intervention
from safepassage.prevention.package import people_drifts
from safepassage.registry.cells import age_band_expression
from safepassage.registry.models import Alert, Assessment, Person
from safepassage.reports import protect
from safepassage.reports.selectors import audit_request, report_scope
from safepassage.reports.tables import AREA_LOOKUPS, area_names

BANDS = ("low", "medium", "high")
MATCH_LEVELS = ("village", "subdistrict")
Z95 = 1.959964
RISE = 10.0  # index points: a rise the harm watch names, as does any move to a higher band
SPAN = 200.0  # a change of index lies in [-100, 100]


def _people(scope_q: Q, area: Area) -> Any:
    return Person.objects.filter(scope_q, village__path__startswith=area.path, erased_at__isnull=True)


def _reached(intervention: Intervention, area: Area, start: date, end: date, people: Any) -> dict[int, date]:
    """Person → the first day they were reached in [start, end]: their own help, their household's, or
    their whole village's."""
    deliveries = Delivery.objects.filter(
        intervention=intervention,
        village__path__startswith=area.path,
        started_on__gte=start,
        started_on__lte=end,
    )
    first: dict[int, date] = {}

    def note(pid: int, day: date) -> None:
        if pid not in first or day < first[pid]:
            first[pid] = day

    for pid, day in deliveries.filter(level=Delivery.Level.PERSON).values_list("person_id", "started_on"):
        note(pid, day)
    households = dict(
        deliveries.filter(level=Delivery.Level.HOUSEHOLD)
        .values("household_id")
        .annotate(day=Min("started_on"))
        .values_list("household_id", "day")
    )
    villages = dict(
        deliveries.filter(level=Delivery.Level.VILLAGE)
        .values("village_id")
        .annotate(day=Min("started_on"))
        .values_list("village_id", "day")
    )
    if households or villages:
        for pid, hid, vid in people.filter(
            Q(household_id__in=households) | Q(village_id__in=villages)
        ).values_list("pk", "household_id", "village_id"):
            if hid in households:
                note(pid, households[hid])
            if vid in villages:
                note(pid, villages[vid])
    return first


def _ever_reached(intervention: Intervention, area: Area, end: date, people: Any) -> set[int]:
    """Everyone reached by this intervention up to `end`, whenever: never a comparison person."""
    return set(_reached(intervention, area, date(1900, 1, 1), end, people))


def _risk(ids: list[int], start: date, end: date) -> tuple[dict[int, tuple[float, str]], dict[int, float]]:
    """Each person's scored risk at the start (latest on or before it) and after (latest in (start, end])."""
    before: dict[int, tuple[date, float, str]] = {}
    after: dict[int, tuple[date, float]] = {}
    rows = (
        Assessment.objects.filter(person_id__in=ids, subject_is_village=False, index__isnull=False)
        .exclude(band="incomplete")
        .filter(assessed_on__lte=end)
        .values_list("person_id", "assessed_on", "index", "band")
    )
    for pid, day, value, band in rows.iterator(chunk_size=5000):
        index = float(value or 0)
        if day <= start:
            if pid not in before or day >= before[pid][0]:
                before[pid] = (day, index, band)
        elif pid not in after or day >= after[pid][0]:
            after[pid] = (day, index)
    return {p: (v[1], v[2]) for p, v in before.items()}, {p: v[1] for p, v in after.items()}


Pair = tuple[float, float]  # (risk index at the start, change after it)


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def estimate(strata: dict[Any, tuple[list[Pair], list[Pair]]], *, adjust: bool = True) -> dict[str, Any]:
    """The stratified difference of mean changes, reached (first list) less not reached (second), weighted
    by the reached in each stratum that holds both (the effect on those reached).

    With `adjust`, each stratum's difference is also corrected for a difference in the two groups' index at
    the start, by the slope of change on that index among the people not reached (pooled within strata):
    a band is wide, and a programme that picks the highest scorers inside it would otherwise see their
    larger fall back (regression to the mean) as its effect. The slope is pooled within every stratum that
    has people not reached, including those with nobody reached. Normal 95 % interval from the pooled
    within-stratum residual variance, with the slope's own uncertainty. Pure; None figures when no stratum
    holds both groups."""
    used = {k: v for k, v in strata.items() if v[0] and v[1]}
    n1 = sum(len(a) for a, _b in used.values())
    n0 = sum(len(b) for _a, b in used.values())
    out: dict[str, Any] = {"strata": len(used), "n_reached": n1, "n_others": n0}
    if not used:
        return {
            **out,
            "effect": None,
            "low": None,
            "high": None,
            "change_reached": None,
            "change_others": None,
            "slope": None,
        }
    # the slope of change on the starting index among those not reached, within every stratum that has
    # some (one slope for all: how far a score falls back does not depend on the stratum)
    sxy = sxx = 0.0
    for _a, b in strata.values():
        if len(b) < 2:
            continue
        mx, my = _mean([x for x, _y in b]), _mean([y for _x, y in b])
        sxy += sum((x - mx) * (y - my) for x, y in b)
        sxx += sum((x - mx) ** 2 for x, _y in b)
    slope = sxy / sxx if adjust and sxx > 0 else 0.0
    weight = float(n1)
    effect = gap = 0.0
    for a, b in used.values():
        start_gap = _mean([x for x, _y in a]) - _mean([x for x, _y in b])
        effect += len(a) * (_mean([y for _x, y in a]) - _mean([y for _x, y in b]) - slope * start_gap)
        gap += len(a) * start_gap
    effect /= weight
    gap /= weight
    change_reached = sum(y for a, _b in used.values() for _x, y in a) / n1
    change_others = sum(len(a) * _mean([y for _x, y in b]) for a, b in used.values()) / weight
    squares = 0.0
    cells = 0
    for group in (g for pair in used.values() for g in pair):
        mx, my = _mean([x for x, _y in group]), _mean([y for _x, y in group])
        squares += sum((y - my - slope * (x - mx)) ** 2 for x, y in group)
        cells += 1
    free = n1 + n0 - cells - (1 if slope else 0)
    low = high = None
    if free >= 2:
        pooled = squares / free
        variance = sum(len(a) ** 2 * pooled * (1 / len(a) + 1 / len(b)) for a, b in used.values()) / weight**2
        if slope and sxx > 0:
            variance += gap**2 * pooled / sxx
        half = Z95 * math.sqrt(variance)
        low, high = effect - half, effect + half
    return {
        **out,
        "effect": effect,
        "low": low,
        "high": high,
        "change_reached": change_reached,
        "change_others": change_others,
        "slope": slope if adjust else None,
    }


def verdict(low: float | None, high: float | None) -> str:
    """lower, higher, or no_clear_change (the interval holds 0), or unknown."""
    if low is None or high is None:
        return "unknown"
    if high < 0:
        return "lower"
    if low > 0:
        return "higher"
    return "no_clear_change"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def impact(
    *,
    viewer: Any,
    intervention: Intervention,
    area: Area,
    start: date | None = None,
    end: date | None = None,
    match: str = "",
    adjust: bool = True,
) -> dict[str, Any]:
    """The change in risk of those reached against comparable people not reached, and the harm watch.
    `adjust=False` leaves out the correction for the index at the start (to show what it does)."""
    scope = report_scope(viewer)
    if scope.empty:
        raise Http404
    end = end or timezone.localdate()
    if start is None:
        first = Delivery.objects.filter(
            intervention=intervention, village__path__startswith=area.path
        ).aggregate(day=Min("started_on"))["day"]
        start = first or end
    village_wide = Delivery.objects.filter(
        intervention=intervention, village__path__startswith=area.path, level=Delivery.Level.VILLAGE
    ).exists()
    match = match if match in MATCH_LEVELS else ("subdistrict" if village_wide else "village")
    people = _people(scope.q, area)
    rows = list(
        people.annotate(age=age_band_expression(start), parent_id=F("village__parent_id")).values_list(
            "pk", "village_id", "parent_id", "age", "record_key"
        )
    )
    in_scope = {r[0] for r in rows}
    reached_on = {p: d for p, d in _reached(intervention, area, start, end, people).items() if p in in_scope}
    excluded = _ever_reached(intervention, area, end, people) - set(reached_on)
    ids = [r[0] for r in rows if r[0] not in excluded]
    before, after = _risk(ids, start, end)
    strata: dict[Any, tuple[list[Pair], list[Pair]]] = defaultdict(lambda: ([], []))
    keys: dict[Any, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    reached_keys: list[int] = []
    for pid, village_id, parent_id, age, key in rows:
        if pid in excluded:
            continue
        if pid in reached_on:
            reached_keys.append(key)
        if pid not in before or pid not in after:
            continue
        index, band = before[pid]
        stratum = (village_id if match == "village" else parent_id, band, age)
        side = 0 if pid in reached_on else 1
        strata[stratum][side].append((index, after[pid] - index))
        keys[stratum][side].append(key)
    result = estimate(strata, adjust=adjust)
    used = [k for k, (a, b) in strata.items() if a and b]
    key_reached = sum(k for s in used for k in keys[s][0])
    key_others = sum(k for s in used for k in keys[s][1])
    figures: dict[str, Any] = {
        "reached": len(reached_keys),
        "compared_reached": result["n_reached"],
        "compared_others": result["n_others"],
        "strata": result["strata"],
        "effect": _round(result["effect"]),
        "low": _round(result["low"]),
        "high": _round(result["high"]),
        "change_reached": _round(result["change_reached"]),
        "change_others": _round(result["change_others"]),
    }
    if not scope.exact:
        figures = _protected(figures, result, sum(reached_keys), key_reached, key_others)
    harm = harm_watch(
        viewer=viewer, scope=scope, reached_on=reached_on, before=before, after=after, rows=rows
    )
    audit_request(
        viewer,
        scope,
        "prevention.impact",
        {"intervention": intervention.code, "area": area.code, "start": start, "end": end, "match": match},
    )
    return {
        "intervention": intervention.code,
        "intervention_name": intervention.title,
        "area": area.code,
        "area_name": area.name,
        "start": start,
        "end": end,
        "match": match,
        "perturbed": not scope.exact,
        **figures,
        "verdict": verdict(figures["low"], figures["high"]),
        "harm": harm,
    }


def _protected(
    figures: dict[str, Any], result: dict[str, Any], key_all: int, key_reached: int, key_others: int
) -> dict[str, Any]:
    """The figures as a reader outside the owning agency's case staff sees them (cell-key method)."""
    shown: dict[str, Any] = {
        "reached": protect.count(figures["reached"], key_all),
        "compared_reached": protect.count(result["n_reached"], key_reached),
        "compared_others": protect.count(result["n_others"], key_others),
        "strata": None,
        "change_reached": None,
        "change_others": None,
        "effect": None,
        "low": None,
        "high": None,
    }
    if (
        result["effect"] is None
        or not protect.is_shown(shown["compared_reached"])
        or not protect.is_shown(shown["compared_others"])
    ):
        return shown
    n = int(result["n_reached"])
    # The estimate moved by the table's noise for the people reached, as a mean of values in [0, SPAN].
    moved = protect.mean((result["effect"] + SPAN / 2) * n, n, key_reached, span=SPAN, digits=4)
    if moved is None:
        return shown
    noise = moved - SPAN / 2 - result["effect"]
    shown["effect"] = _round(result["effect"] + noise)
    if result["low"] is not None:
        shown["low"] = _round(result["low"] + noise)
        shown["high"] = _round(result["high"] + noise)
    return shown


def harm_watch(
    *,
    viewer: Any,
    scope: Any,
    reached_on: dict[int, date],
    before: dict[int, tuple[float, str]],
    after: dict[int, float],
    rows: list[tuple[Any, ...]],
) -> dict[str, Any]:
    """Among those reached: whose risk rose (by RISE points or to a higher band), who had a risk alert, whose
    case was opened, and which children were found back in child labour at a reintegration follow-up, after
    they were reached (R-079: monitoring for safety, not only effect)."""
    key_of = {r[0]: r[4] for r in rows}
    rose = []
    for pid in reached_on:
        if pid in before and pid in after:
            index, band = before[pid]
            later = after[pid]
            if later - index >= RISE or _band_of(later) > BANDS.index(band):
                rose.append(pid)
    alerted = {
        pid
        for pid, created in Alert.objects.filter(person_id__in=list(reached_on)).values_list(
            "person_id", "created_at"
        )
        if timezone.localdate(created) >= reached_on[pid]
    }
    cased = {
        pid
        for pid, opened in Case.objects.filter(person_id__in=list(reached_on)).values_list(
            "person_id", "opened_on"
        )
        if opened >= reached_on[pid]
    }
    # a child withdrawn from child labour found back in it at a reintegration follow-up after being reached
    back_in_labour = {
        pid
        for pid, seen in ReintegrationStep.objects.filter(
            registration__person_id__in=list(reached_on),
            back_in_child_labour=True,
            followed_up_on__isnull=False,
        ).values_list("registration__person_id", "followed_up_on")
        if seen is not None and seen >= reached_on[pid]
    }
    out: dict[str, Any] = {}
    for name, found in (
        ("risk_rose", rose),
        ("alerts", alerted),
        ("cases", cased),
        ("child_labour", back_in_labour),
    ):
        n = len(found)
        out[name] = n if scope.exact else protect.count(n, sum(key_of.get(p, 0) for p in found))
    out["people"] = []
    if scope.exact:
        visible = Person.objects.visible_to(viewer).filter(pk__in=set(rose) | alerted | back_in_labour)
        out["people"] = [
            {
                "id": p.pk,
                "name": str(p),
                "risk_rose": p.pk in rose,
                "alert": p.pk in alerted,
                "child_labour": p.pk in back_in_labour,
            }
            for p in visible.order_by("pk")[:200]
        ]
    return out


def _band_of(index: float) -> int:
    """The band an index falls in by the default thresholds (harm watch only: a move to a higher band)."""
    return 2 if index > 66 else 1 if index >= 34 else 0


# ----------------------------------------------------------------------------- package completeness report


def package_report(*, viewer: Any, area: Area) -> dict[str, Any]:
    """Per village of the area: people reached by any help, and those whose package drifts (R-074, W-19).
    Exact for case staff, protected for everyone else."""
    scope = report_scope(viewer)
    if scope.empty:
        raise Http404
    people = list(_people(scope.q, area).only("pk", "village_id", "household_id", "record_key"))
    found = people_drifts(people)
    by_village: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for p in people:
        if p.pk not in found:
            continue
        cell = by_village[p.village_id]
        cell[0] += 1
        cell[1] += p.record_key
        if found[p.pk]:
            cell[2] += 1
            cell[3] += p.record_key
    names = dict(Area.objects.filter(pk__in=list(by_village)).values_list("pk", "code"))
    titles = area_names(set(names.values()))
    rows = []
    for vid, (n, key, drifting, dkey) in sorted(by_village.items(), key=lambda kv: names.get(kv[0], "")):
        rows.append(
            {
                "village": names.get(vid, ""),
                "village_name": titles.get(names.get(vid, ""), ""),
                "reached": n if scope.exact else protect.count(n, key),
                "drifting": drifting if scope.exact else protect.count(drifting, dkey),
            }
        )
    audit_request(viewer, scope, "prevention.packages", {"area": area.code})
    return {"area": area.code, "area_name": area.name, "perturbed": not scope.exact, "rows": rows}


# -------------------------------------------------------------------------------------- displacement feed


def programme_areas(*, viewer: Any, level: str, since: date, until: date) -> list[str]:
    """The areas at `level` where the viewer's agencies (within their areas) had a programme running at any
    time in [since, until]: what feeds "push down, pop up" (reports.selectors.displacement)."""
    if level not in AREA_LOOKUPS:
        return []
    scope = report_scope(viewer)
    if scope.empty:
        return []
    running = Delivery.objects.filter(scope.q, started_on__lte=until).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=since)
    )
    return sorted({c for c in running.values_list(AREA_LOOKUPS[level], flat=True).distinct() if c})


def reached_total(*, viewer: Any) -> int:
    """How many deliveries are in the viewer's scope (for the page's empty state)."""
    scope = report_scope(viewer)
    return 0 if scope.empty else Delivery.objects.filter(scope.q).count()
