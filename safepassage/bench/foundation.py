"""Foundation benchmarks: importing a country's area tree, and the cost of an authenticated API call."""

from __future__ import annotations

from django.test import Client

from safepassage.bench import Figure, benchmark, percentiles, timed
from safepassage.geo.parsing import AreaRow
from safepassage.geo.services import areas_import


def country_rows(provinces: int, districts: int, subdistricts: int, villages: int) -> list[AreaRow]:
    """A made-up country tree of the given fan-out."""
    rows = [AreaRow(row=1, code="XX", level="country", name_en="Benchland")]
    for p in range(provinces):
        pc = f"{p + 10:02d}"
        rows.append(AreaRow(row=len(rows) + 1, code=pc, level="province", parent_code="XX", name_en=f"P{pc}"))
        for d in range(districts):
            dc = f"{pc}{d + 1:02d}"
            rows.append(
                AreaRow(row=len(rows) + 1, code=dc, level="district", parent_code=pc, name_en=f"D{dc}")
            )
            for s in range(subdistricts):
                sc = f"{dc}{s + 1:02d}"
                rows.append(
                    AreaRow(
                        row=len(rows) + 1,
                        code=sc,
                        level="subdistrict",
                        parent_code=dc,
                        name_en=f"S{sc}",
                        name_th=f"ต{sc}",
                    )
                )
                rows.extend(
                    AreaRow(
                        row=len(rows) + v + 1,
                        code=f"{sc}{v + 1:02d}",
                        level="village",
                        parent_code=sc,
                        name_en=f"Ban {sc}{v + 1:02d}",
                        lat=15.0,
                        lon=100.0,
                    )
                    for v in range(villages)
                )
    return rows


@benchmark("areas-import", "import a country-sized area tree (77 provinces, ~75,000 villages)")
def areas_import_bench(quick: bool) -> list[Figure]:
    rows = country_rows(*((3, 5, 4, 5) if quick else (77, 12, 8, 10)))
    seconds = timed(lambda: areas_import(actor=None, rows=rows, source="bench"))
    return [
        Figure("areas-import", f"{len(rows):,} areas", seconds, "s"),
        Figure("areas-import", "rows per second", len(rows) / seconds, "rows/s"),
    ]


@benchmark("api-me", "GET /api/v1/me with a bearer token (auth + scoping + JSON)")
def api_me_bench(quick: bool) -> list[Figure]:
    from safepassage.accounts.models import Agency, Membership, User
    from safepassage.accounts.services import token_issue

    agency = Agency.objects.create(code="bench", name="Bench", kind="ngo", country="TH")
    user = User.objects.create_user(username="bench-user", password=None)  # signs in by token only
    Membership.objects.create(user=user, agency=agency, role="coordinator")
    _, raw = token_issue(actor=None, user=user)
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    response = client.get("/api/v1/me")  # warm up, and make sure we time a real answer
    if response.status_code != 200:
        raise RuntimeError(f"GET /api/v1/me answered {response.status_code}")
    samples = [timed(lambda: client.get("/api/v1/me")) * 1000 for _ in range(50 if quick else 500)]
    p50, p95 = percentiles(samples)
    return [
        Figure("api-me", "p50 latency", p50, "ms"),
        Figure("api-me", "p95 latency", p95, "ms", "≤ 50 ms"),
    ]
