"""Disclosure control for aggregates that leave the owning agency: the cell-key method.

This is the method of the Australian Bureau of Statistics' TableBuilder, used by statistical offices for
tables that users may request in any shape. Each record (a person, a case, a registration) carries a random
record key, drawn once when it is made. A table cell's key is the sum of its records' keys, modulo the key
space, read as a fraction in [0, 1). A fixed perturbation table turns (count, cell key) into a small noise
added to the count. So:

- the same set of records always gets the same value, however the query is phrased (grouped by village
  then summed, or asked for directly): rephrasing a query teaches nothing;
- two tables that differ by one person differ by a noise that is not known, so subtracting one table from
  another gives the hidden person's cell only by chance (DIFFERENCE_EXACT_RATE, worked out from the table);
- counts under THRESHOLD after perturbation are shown as "<11", and averages (mean index, durations) are
  withheld there and, elsewhere, moved by a noise whose size is the most one person can move them.

Pure functions: report code sums the keys (in its report cells, never by reading people at query time) and
calls these.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from itertools import accumulate

# Record keys are whole numbers in [0, KEY_SPACE): sums of a million of them fit a 64-bit column.
KEY_SPACE = 2**32
# Counts under this are never shown exactly outside the owning agency (CTDC's k as well).
THRESHOLD = 11
SMALL = "<11"

# The perturbation table: noise added to a count, with its probability. Zero is kept most often; no noise
# is larger than 3. Its variance is 2.1 (a standard deviation of 1.45 people).
NOISE = (-3, -2, -1, 0, 1, 2, 3)
WEIGHTS = (0.05, 0.10, 0.20, 0.30, 0.20, 0.10, 0.05)
# Averages: the noise for a mean is this many times the most one record can move it (span / count).
MEAN_NOISE = (-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5)

# How often a difference of two perturbed counts, each with the table's noise, is exactly the true
# difference: sum of the squared probabilities (for counts away from the table's lower edge).
DIFFERENCE_EXACT_RATE = round(sum(w * w for w in WEIGHTS), 4)


def new_record_key() -> int:
    """A fresh record key, from the operating system's random source."""
    return secrets.randbelow(KEY_SPACE)


def cell_key(key_sum: int) -> float:
    """A cell's key in [0, 1) from the sum of its records' keys."""
    return (int(key_sum) % KEY_SPACE) / KEY_SPACE


def _second_key(key_sum: int) -> float:
    """A second fraction from the same cell (Knuth's multiplicative hash of its key), so that a mean's noise
    does not follow its count's."""
    return ((int(key_sum) % KEY_SPACE) * 2654435761 % KEY_SPACE) / KEY_SPACE


def _pick(key: float, values: tuple[float, ...], weights: tuple[float, ...]) -> float:
    total = sum(weights)
    for value, upto in zip(values, accumulate(weights), strict=True):
        if key < upto / total:
            return value
    return values[-1]


def count_noise(count: int, key_sum: int) -> int:
    """The noise the table gives a non-empty cell of `count` records with this key sum. A cell never
    becomes empty or negative: noises that would take it below 1 are left out of the draw."""
    allowed = [(d, w) for d, w in zip(NOISE, WEIGHTS, strict=True) if count + d >= 1]
    values, weights = zip(*allowed, strict=True)
    return int(_pick(cell_key(key_sum), values, weights))


def perturbed_count(count: int, key_sum: int) -> int:
    """The count as published: empty cells stay empty (0); others get their noise."""
    if count <= 0:
        return 0
    return count + count_noise(count, key_sum)


@dataclass(frozen=True)
class Shown:
    """A cell as a reader outside the owning agency sees it: a count (perturbed) or "<11"."""

    value: int | None  # None when under the threshold
    small: bool

    def __str__(self) -> str:
        return SMALL if self.small else str(self.value)

    def as_json(self) -> int | str:
        return SMALL if self.small else int(self.value or 0)


def shown_count(count: int, key_sum: int) -> Shown:
    """A cell's count for a reader outside the owning agency: perturbed, and "<11" when that is under 11
    (an empty cell shows 0: "nobody" reveals nobody)."""
    value = perturbed_count(count, key_sum)
    if 0 < value < THRESHOLD:
        return Shown(None, True)
    return Shown(value, False)


def perturbed_mean(total: float, count: int, key_sum: int, *, span: float, digits: int = 1) -> float | None:
    """A cell's mean (of values between 0 and `span`) for a reader outside the owning agency: withheld
    (None) when the cell shows under 11 by its perturbed count or holds under 11 records, else moved by a
    noise of up to 1.5 × span / count (one record moves a mean by at most span / count), kept inside
    [0, span]."""
    if count < THRESHOLD or shown_count(count, key_sum).small:
        return None
    mean = total / count
    noise = _pick(_second_key(key_sum), MEAN_NOISE, WEIGHTS) * span / count
    return round(min(max(mean + noise, 0.0), span), digits)
