"""Figures as a reader outside the owning agency's case staff sees them: every count, mean and share through
the cell-key method (core.disclosure), from the counts and the record-key sums of exactly the records counted.

Pure functions over numbers the report queries have already summed; docs/disclosure-control.md explains the
method and what it costs.
"""

from __future__ import annotations

from typing import Any

from safepassage.core import disclosure

SMALL = disclosure.SMALL
THRESHOLD = disclosure.THRESHOLD

# The number types of a published count: a whole number, or "<11".
Published = int | str


def count(n: int | None, key_sum: Any) -> Published:
    """A count as published: perturbed, "<11" when that is under 11, 0 for nobody."""
    return disclosure.shown_count(int(n or 0), int(key_sum or 0)).as_json()


def is_shown(value: Any) -> bool:
    """A published count that is a number (not "<11", not withheld)."""
    return isinstance(value, int) and not isinstance(value, bool)


def mean(total: float | None, n: int | None, key_sum: Any, *, span: float, digits: int = 1) -> float | None:
    """A mean of values between 0 and `span` over n records: withheld under 11 (by count or as shown), else
    moved by the table's noise for this set of records."""
    if not n:
        return None
    return disclosure.perturbed_mean(float(total or 0), int(n), int(key_sum or 0), span=span, digits=digits)


def share(part: int, whole: int, whole_key: Any, part_key: Any, *, digits: int = 4) -> float | None:
    """The share `part / whole` (a mean of ones and zeros over the whole): withheld when the part or the
    rest is under 11 by any route, since share × whole would give it back; 0 and 1 stay exact ("nobody",
    "everybody" reveal nobody)."""
    part, whole = int(part or 0), int(whole or 0)
    rest = whole - part
    if not whole or 0 < part < THRESHOLD or 0 < rest < THRESHOLD:
        return None
    if count(whole, whole_key) == SMALL or (part and count(part, part_key) == SMALL):
        return None
    if part == 0:
        return 0.0
    if rest == 0:
        return 1.0
    return mean(part, whole, whole_key, span=1, digits=digits)


def change(after: Any, before: Any, digits: int = 1) -> float | None:
    """The difference of two published figures (so it says nothing they do not), or None when either is
    hidden."""
    if isinstance(after, bool) or isinstance(before, bool):
        return None
    if isinstance(after, (int, float)) and isinstance(before, (int, float)):
        return round(after - before, digits)
    return None


def number(value: Any) -> float:
    """A published figure as a number for sorting: hidden ones sort as 0."""
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0
