"""Sin-space benchmark: a bbox map query with filters over 100,000 workplaces, returning GeoJSON."""

from __future__ import annotations

import random

from django.test import Client

from safepassage.bench import Figure, benchmark, percentiles, timed


@benchmark("workplaces-map", "100,000 workplaces: bbox + sector filter as GeoJSON (p50/p95)")
def workplaces_map_bench(quick: bool) -> list[Figure]:
    from safepassage.accounts.models import Agency, Membership, User
    from safepassage.accounts.services import token_issue
    from safepassage.workplaces.kinds import sector_codes
    from safepassage.workplaces.models import Workplace

    count = 10_000 if quick else 100_000
    agency = Agency.objects.create(code="bench-wp", name="Bench", kind="government", country="TH")
    user = User.objects.create_user(username="bench-wp", password=None)
    Membership.objects.create(user=user, agency=agency, role="coordinator")
    rng = random.Random(7)
    sectors = sector_codes()
    batch = []
    for n in range(count):
        batch.append(
            Workplace(
                agency=agency,
                name=f"W{n}",
                sector=rng.choice(sectors),
                lat=rng.uniform(5.7, 20.4),
                lon=rng.uniform(97.4, 105.6),
                risk_band=rng.choice(["none", "low", "medium", "high"]),
            )
        )
        if len(batch) == 10_000:
            Workplace.objects.bulk_create(batch)
            batch = []
    Workplace.objects.bulk_create(batch)
    _, raw = token_issue(actor=None, user=user)
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    url = "/api/v1/workplaces.geojson?bbox=98.0,17.5,100.0,20.0&sector=construction"
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GeoJSON answered {response.status_code}")
    features = len(response.json()["features"])
    samples = [timed(lambda: client.get(url)) * 1000 for _ in range(10 if quick else 50)]
    p50, p95 = percentiles(samples)
    return [
        Figure("workplaces-map", f"features returned (of {count:,})", features, "points"),
        Figure("workplaces-map", "bbox + filter GeoJSON p50", p50, "ms"),
        Figure("workplaces-map", "bbox + filter GeoJSON p95", p95, "ms", "≤ 150 ms"),
    ]
