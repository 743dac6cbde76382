"""What disclosure control costs in accuracy: each cell of the risk report as a reader outside the owning
agency sees it (the cell-key method) against the exact cell over the same people. Run on the server by
`safepassage reports accuracy --user NAME` (docs/disclosure-control.md gives the figures for the demo)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from safepassage.reports import protect
from safepassage.reports.selectors import BANDS, report_scope, risk_rows

GROUPINGS: tuple[tuple[str, ...], ...] = (
    ("district",),
    ("subdistrict",),
    ("village",),
    ("district", "sex"),
    ("district", "sex", "age_band"),
    ("village", "sex"),
    ("sex", "age_band"),
)


@dataclass
class Cost:
    """One grouping's cells compared: how many, how many hidden, and how far the published figures moved."""

    grouping: str
    cells: int = 0  # rows × the counts in each (people and the four bands), non-empty
    small: int = 0  # shown as "<11"
    exact_small: int = 0  # truly 1 to 10
    changed: int = 0  # shown, and not the exact count
    total_change: int = 0  # sum of |shown - exact| over the shown
    largest_change: int = 0
    shown_people: int = 0  # sum of the exact counts of the shown (for the relative change)
    means: int = 0  # rows with a mean index, exactly
    means_withheld: int = 0
    total_mean_change: float = 0.0
    largest_mean_change: float = 0.0

    @property
    def shown(self) -> int:
        return self.cells - self.small

    def as_row(self) -> dict[str, Any]:
        published_means = self.means - self.means_withheld
        return {
            "grouping": self.grouping,
            "cells": self.cells,
            "shown_as_small": self.small,
            "truly_under_11": self.exact_small,
            "mean_abs_change": round(self.total_change / self.shown, 3) if self.shown else None,
            "share_changed": round(self.changed / self.shown, 3) if self.shown else None,
            "largest_change": self.largest_change,
            "relative_change": round(self.total_change / self.shown_people, 4) if self.shown_people else None,
            "means_withheld": f"{self.means_withheld}/{self.means}",
            "mean_abs_change_of_mean_index": round(self.total_mean_change / published_means, 2)
            if published_means
            else None,
            "largest_change_of_mean_index": round(self.largest_mean_change, 1),
        }


def compare(
    exact: Sequence[dict[str, Any]], shown: Sequence[dict[str, Any]], grouping: Sequence[str]
) -> Cost:
    """Compare the rows of one table, exact and published (the same groups, in the same order)."""
    cost = Cost(" × ".join(grouping))
    published = {tuple(r[g] for g in grouping): r for r in shown}
    for row in exact:
        other = published[tuple(row[g] for g in grouping)]
        for name in ("n", *BANDS):
            true, seen = int(row[name]), other[name]
            if not true:
                continue
            cost.cells += 1
            cost.exact_small += true < protect.THRESHOLD
            if not protect.is_shown(seen):
                cost.small += 1
                continue
            change = abs(int(seen) - true)
            cost.changed += change > 0
            cost.total_change += change
            cost.largest_change = max(cost.largest_change, change)
            cost.shown_people += true
        if row["mean_index"] is not None:
            cost.means += 1
            if other["mean_index"] is None:
                cost.means_withheld += 1
            else:
                change_of_mean = abs(other["mean_index"] - row["mean_index"])
                cost.total_mean_change += change_of_mean
                cost.largest_mean_change = max(cost.largest_mean_change, change_of_mean)
    return cost


def accuracy(*, viewer: Any, groupings: Sequence[Sequence[str]] = GROUPINGS) -> list[dict[str, Any]]:
    """For a reader outside the owning agency's case staff, each grouping's cost: their published table
    against the exact table over the same people (computed here, on the server, never shown to them)."""
    scope = report_scope(viewer)
    if scope.exact or scope.empty:
        raise ValueError("Give a reader outside the owning agency's case staff, such as an analyst.")
    rows = []
    for grouping in groupings:
        shown = risk_rows(scope, grouping, None, None)["rows"]
        exact = risk_rows(replace(scope, exact=True), grouping, None, None)["rows"]
        rows.append(compare(exact, shown, grouping).as_row())
    return rows
