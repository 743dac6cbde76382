"""Synthetic sin-space data for the demo province: about 300 workplaces across sectors with evidence,
employers with commitments, recruiters with screening results."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from safepassage.accounts.models import Agency
from safepassage.geo.models import Area
from safepassage.workplaces import services
from safepassage.workplaces.models import LabourIndicator, Observation, Sector

NAMES = [
    "Golden",
    "Lanna",
    "Ping River",
    "Doi",
    "Northern",
    "Green Valley",
    "Star",
    "Lucky",
    "Royal",
    "Mountain",
]
KINDS = {
    "agriculture": "Farm",
    "construction": "Site",
    "manufacturing": "Factory",
    "entertainment": "Karaoke",
    "hospitality": "Guesthouse",
    "markets": "Market stall",
    "domestic": "Household",
    "brick_kilns": "Brick kiln",
    "seafood": "Processing",
    "fishing": "Boat",
    "mining": "Quarry",
    "commercial_sex": "Massage parlour",
    "begging": "Begging spot",
    "other": "Workshop",
}


@transaction.atomic
def generate_workplaces(
    *,
    agencies: dict[str, Agency],
    employer_agency: Agency | None = None,
    count: int = 300,
    seed: int = 4,
    today: date | None = None,
) -> dict[str, int]:
    """Create workplaces with evidence in the demo villages; the first employer is a partner agency."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    villages = list(Area.objects.filter(level="village").order_by("code"))
    if not villages:
        return {"workplaces": 0}
    owner = agencies["cc"]
    employers = [
        services.employer_create(
            actor=None,
            agency=owner,
            legal_name=f"{rng.choice(NAMES)} {kind} Co., Ltd.",
            partner_agency=employer_agency if n == 0 else None,
            registered=rng.random() < 0.7,
            abides_by_labour_law=rng.random() < 0.6,
            trains_staff=rng.random() < 0.4,
            contacts={"phone": f"08{rng.randint(10000000, 99999999)}"},
        )
        for n, kind in enumerate(["Agro", "Construction", "Seafood", "Garment", "Hospitality", "Brick"])
    ]
    for employer in employers[:4]:
        services.commitment_add(
            actor=None,
            employer=employer,
            signed_on=today - timedelta(days=rng.randint(30, 700)),
            text="We employ no one under 18, hold no one's documents and pay on time.",
            signatories=["Owner", "Provincial Coordination Centre"],
        )
    sectors = [s for s in Sector.values if s not in ("fishing", "seafood")]  # an inland province
    indicators = LabourIndicator.values
    observations = 0
    for n in range(count):
        village = rng.choice(villages)
        sector = rng.choice(sectors)
        assert village.centroid_lat is not None and village.centroid_lon is not None
        workplace = services.workplace_create(
            actor=None,
            agency=owner if rng.random() < 0.8 else agencies.get("labour", owner),
            name=f"{rng.choice(NAMES)} {KINDS[sector]} {n + 1}",
            sector=sector,
            village_code=village.code,
            lat=round(village.centroid_lat + rng.uniform(-0.02, 0.02), 5),
            lon=round(village.centroid_lon + rng.uniform(-0.02, 0.02), 5),
            employer_id=rng.choice(employers).pk if rng.random() < 0.4 else None,
            workforce_estimate=rng.randint(3, 400),
            watch_listed=rng.random() < 0.08,
            watch_reason="Repeated tips from the village committee" if rng.random() < 0.5 else "",
        )
        for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
            seen = rng.sample(indicators, rng.choice([0, 1, 1, 2, 3]))
            services.observation_record(
                actor=None,
                workplace=workplace,
                observed_on=today - timedelta(days=rng.randint(0, 900)),
                source=rng.choice(Observation.Source.values),
                reliability=rng.choice("ABBCCDE"),
                indicators=seen,
                text="Synthetic demo observation.",
                informant="(demo informant)" if rng.random() < 0.3 else "",
            )
            observations += 1
    for n in range(25):
        recruiter = services.recruiter_create(
            actor=None,
            agency=owner,
            name=f"Recruiter {n + 1}",
            kind=rng.choice(["person", "agency"]),
            licence_status=rng.choice(["licensed", "unlicensed", "expired", "unknown"]),
            village_codes=[v.code for v in rng.sample(villages, 3)],
            registered_on=today - timedelta(days=rng.randint(1, 400)) if rng.random() < 0.6 else None,
            registration_office="Subdistrict office" if rng.random() < 0.6 else "",
        )
        result = rng.choice(["pending", "cleared", "concerns"])
        if result != "pending":
            services.recruiter_screen(
                actor=None,
                recruiter=recruiter,
                result=result,
                red_flags=rng.sample(
                    ["deposit_demanded", "fees_charged", "holds_documents", "false_promises"], 2
                )
                if result == "concerns"
                else [],
            )
    return {"workplaces": count, "observations": observations, "employers": len(employers), "recruiters": 25}
