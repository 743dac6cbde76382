"""Small-cell suppression for aggregates that leave the owning agency (CTDC uses k = 11). Pure functions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

K = 11


def suppress_row(counts: Mapping[str, int], *, k: int = K) -> tuple[dict[str, int | None], list[str]]:
    """Hide counts from 1 to k-1; if only one is hidden, hide the next smallest too so it cannot be
    worked out from the total. Zeros stay: "none" reveals nobody. Returns the row and the hidden keys."""
    shown: dict[str, int | None] = dict(counts)
    hidden = [key for key, value in counts.items() if 0 < value < k]
    if len(hidden) == 1:
        others = sorted((v, key) for key, v in counts.items() if key not in hidden and v > 0)
        if others:
            hidden.append(others[0][1])
    for key in hidden:
        shown[key] = None
    return shown, hidden


def suppress_table(
    rows: Sequence[dict[str, Any]],
    count_keys: Sequence[str],
    total_key: str,
    value_keys: Sequence[str] = (),
    *,
    k: int = K,
) -> list[dict[str, Any]]:
    """Suppress a whole table: rows whose total is under k are hidden entirely (with their averages);
    in other rows, small counts are hidden as in suppress_row. Each row says what it hides."""
    result = []
    for row in rows:
        out = dict(row)
        total = row.get(total_key) or 0
        if 0 < total < k:
            for key in (total_key, *count_keys, *value_keys):
                out[key] = None
            out["suppressed"] = [total_key, *count_keys, *value_keys]
        else:
            shown, hidden = suppress_row({key: row.get(key) or 0 for key in count_keys}, k=k)
            out.update(shown)
            out["suppressed"] = hidden
        result.append(out)
    return result
