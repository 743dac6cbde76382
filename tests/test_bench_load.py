"""The load bench's verdict: errors anywhere, or p95 over 300 ms on an endpoint with at least 100 requests,
are misses; a slow endpoint asked fewer than 100 times is shown but not held to the target."""

from safepassage.bench.load import figures


def row(name: str, count: int, failures: int, p95: float, kind: str = "GET") -> dict[str, str]:
    return {
        "Type": kind,
        "Name": name,
        "Request Count": str(count),
        "Failure Count": str(failures),
        "95%": str(p95),
        "Requests/s": "10.0",
    }


def test_misses_are_counted_against_the_targets():
    rows = [
        row("village list", 500, 0, 120),
        row("people search", 150, 0, 340),
        row("sign in (password)", 50, 0, 900, "POST"),
        row("assessment save", 300, 2, 90, "POST"),
        row("Aggregated", 1000, 2, 200, ""),
    ]
    out = {f.measure: f for f in figures(rows, users=50, seconds=300, cores=2)}
    assert out["GET people search (150 req)"].target == "≤ 300 ms"
    assert out["POST sign in (password) (50 req)"].target == ""  # too few requests to hold to a p95
    assert out["POST assessment save errors"].value == 2
    assert out["50 users, 300 s, 2 cores shared"].value == 2  # the search's p95 and the save's errors
    assert out["errors"].value == 2


def test_no_misses_when_every_target_is_met():
    rows = [row("village list", 500, 0, 120), row("Aggregated", 500, 0, 120, "")]
    out = {f.measure: f for f in figures(rows, users=50, seconds=300, cores=2)}
    assert out["50 users, 300 s, 2 cores shared"].value == 0
