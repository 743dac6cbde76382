"""Synthetic sin-space data for the demo province: about 300 workplaces with evidence, employers with
commitments, recruiters with screening results.

Workplaces are where they would be: the sectors in the shares of an inland northern province (orchards and
plantations first, then construction, hotels and restaurants, markets, factories, domestic work and
entertainment; commercial sex and begging rare), each in the districts where that work is (orange orchards
in Fang, tea in the hills, karaoke bars and begging in the provincial town), near a village or the district
town with some scatter. Each employer, the partner agency's own among them, runs sites of its own sector
only (an agricultural company's orchards and its packing house, a builder's sites)."""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safepassage.accounts.models import Agency
from safepassage.geo.demo import contains, to_lat_lon, to_plane
from safepassage.geo.models import Area
from safepassage.registry.demo import person_name
from safepassage.workplaces import services
from safepassage.workplaces.models import Employer, LabourIndicator, Observation, Workplace

BRANDS = [
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
    "Suan Dok",
    "Nakhon Ping",
    "Silver Moon",
    "Wiang",
    "Rose",
]
# How often each sector is among the workplaces the province watches (an inland province: no fishing).
SECTOR_SHARES = {
    "agriculture": 24,
    "construction": 15,
    "hospitality": 14,
    "markets": 10,
    "manufacturing": 10,
    "domestic": 8,
    "entertainment": 8,
    "brick_kilns": 3,
    "other": 3,
    "mining": 2,
    "commercial_sex": 1.5,
    "begging": 1,
}
# The kind of district each is: the provincial town, its suburbs, valleys of orchards and fields, the hills.
CITY = {"5001"}
SUBURBS = {"5007", "5012", "5013", "5014", "5015", "5019"}
HILLS = {"5003", "5008", "5018", "5020", "5025"}
ORANGES = {"5009", "5010", "5021"}  # Fang, Mae Ai, Chai Prakan: orange orchards
# Where each sector is, by kind of district: (city, suburbs, valleys, hills).
WHERE = {
    "agriculture": (0.05, 0.5, 3, 2),
    "construction": (4, 3, 1, 0.3),
    "hospitality": (6, 2, 0.8, 0.4),
    "markets": (5, 2, 1, 0.3),
    "manufacturing": (1, 3, 1, 0.1),
    "domestic": (5, 3, 0.6, 0.1),
    "entertainment": (8, 2, 0.5, 0.05),
    "brick_kilns": (0, 2, 1, 0.1),
    "other": (3, 2, 1, 0.3),
    "mining": (0, 0, 1, 1),
    "commercial_sex": (10, 1, 0.2, 0),
    "begging": (1, 0, 0, 0),
}
# Work in town is close to the town's centre; farms and quarries are out in the fields.
SCATTER_KM = {"agriculture": 1.6, "mining": 2.5, "brick_kilns": 1.2, "construction": 1.0}
TOWN_SECTORS = {
    "construction",
    "hospitality",
    "markets",
    "domestic",
    "entertainment",
    "commercial_sex",
    "begging",
}
KINDS = {
    "markets": ["Market stall", "Night market stall", "Fruit stall", "Fresh market", "Street food stall"],
    "manufacturing": ["Garment factory", "Food processing plant", "Rice mill", "Furniture workshop"],
    "domestic": ["Private household"],
    "entertainment": ["Karaoke bar", "Beer bar", "Pub", "Massage shop"],
    "brick_kilns": ["Brick kiln"],
    "other": ["Car wash", "Garage", "Laundry", "Recycling yard"],
    "mining": ["Quarry", "Sand pit"],
    "commercial_sex": ["Massage parlour", "Bar with rooms upstairs"],
}
# Kinds of place that depend on the kind of district: (city, suburbs, valleys, hills).
KINDS_BY_PLACE = {
    "agriculture": (
        ["Vegetable farm"],
        ["Flower farm", "Strawberry farm", "Vegetable farm", "Longan orchard"],
        ["Longan orchard", "Rice farm", "Corn farm", "Garlic farm", "Mango orchard"],
        ["Tea plantation", "Coffee plantation", "Cabbage farm", "Corn farm", "Lychee orchard"],
    ),
    "construction": (
        ["Condominium site", "Shophouse site", "Hotel extension site"],
        ["Housing estate site", "Condominium site", "Shophouse site", "Road works"],
        ["Housing estate site", "Road works", "Irrigation canal works", "Bridge works"],
        ["Road works", "Bridge works", "Check dam works"],
    ),
    "hospitality": (
        ["Hotel", "Guesthouse", "Restaurant", "Noodle shop"],
        ["Resort", "Restaurant", "Noodle shop", "Guesthouse"],
        ["Restaurant", "Resort", "Noodle shop"],
        ["Homestay", "Resort"],
    ),
}
BEGGING_SPOTS = ["Night Bazaar walkway", "Tha Phae Gate", "Warorot market bridge", "Nimman junction"]
WORKFORCE = {
    "agriculture": (10, 300),
    "construction": (20, 400),
    "manufacturing": (30, 600),
    "hospitality": (5, 80),
    "domestic": (1, 2),
    "entertainment": (5, 40),
    "markets": (2, 20),
    "commercial_sex": (3, 25),
    "begging": (2, 10),
    "brick_kilns": (10, 60),
    "mining": (10, 80),
    "other": (3, 30),
}


@dataclass(frozen=True)
class Site:
    """One of an employer's sites: its sector, kind of place and district."""

    sector: str
    kind: str
    district: str


# The employers, each with sites of its own trade only. The first is the demo's partner agency.
EMPLOYERS: list[tuple[str, list[Site]]] = [
    (
        "Lanna Agro Co., Ltd.",
        [
            Site("agriculture", "Orange orchard", "5009"),
            Site("agriculture", "Orange orchard", "5010"),
            Site("agriculture", "Longan orchard", "5021"),
            Site("agriculture", "Tea plantation", "5020"),
            Site("manufacturing", "Fruit packing house", "5009"),
        ],
    ),
    (
        "Ping River Construction Co., Ltd.",
        [
            Site("construction", "Condominium site", "5001"),
            Site("construction", "Housing estate site", "5014"),
            Site("construction", "Road works", "5006"),
        ],
    ),
    (
        "Northern Fruit Processing Co., Ltd.",
        [
            Site("manufacturing", "Longan drying plant", "5012"),
            Site("manufacturing", "Fruit cannery", "5019"),
        ],
    ),
    (
        "Golden Thread Garment Co., Ltd.",
        [
            Site("manufacturing", "Garment factory", "5013"),
            Site("manufacturing", "Garment factory", "5015"),
        ],
    ),
    (
        "Lanna Heritage Hotels Co., Ltd.",
        [
            Site("hospitality", "Hotel", "5001"),
            Site("hospitality", "Resort", "5007"),
            Site("hospitality", "Restaurant", "5001"),
        ],
    ),
    (
        "San Pa Tong Brick Co., Ltd.",
        [Site("brick_kilns", "Brick kiln", "5012"), Site("brick_kilns", "Brick kiln", "5024")],
    ),
]
RECRUITMENT_AGENCIES = [
    "Northern Manpower Co., Ltd.",
    "Lanna Job Link Co., Ltd.",
    "Ping Labour Services Co., Ltd.",
    "Golden Bridge Recruitment Co., Ltd.",
    "Mae Sai Overseas Employment Co., Ltd.",
    "Chiang Mai Skilled Workers Co., Ltd.",
    "Doi Suthep Employment Agency",
    "Thai-Lao Workforce Co., Ltd.",
    "Mekong Staffing Co., Ltd.",
    "Sky Work Placement Co., Ltd.",
]


def _kind_of(district: str) -> int:
    """0 city, 1 suburbs, 2 valleys, 3 hills."""
    return 0 if district in CITY else 1 if district in SUBURBS else 3 if district in HILLS else 2


def _kind(rng: random.Random, sector: str, district: str) -> str:
    """A kind of place of the sector, as there are in that district (orange orchards in Fang, tea in the
    hills, condominiums in town)."""
    if sector == "agriculture" and district in ORANGES and rng.random() < 0.6:
        return "Orange orchard"
    if sector in KINDS_BY_PLACE:
        return rng.choice(KINDS_BY_PLACE[sector][_kind_of(district)])
    return rng.choice(KINDS.get(sector, ["Workshop"]))


def _place(village: Area) -> str:
    """A village's name without "Ban" and its number: "Ban Mae Sai (Moo 3)" → "Mae Sai"."""
    name = village.name_en.split(" (")[0]
    return name.removeprefix("Ban ").strip() or name


class _Places:
    """The demo villages by district, with the district towns and shapes, to put workplaces in."""

    def __init__(self, villages: list[Area]) -> None:
        self.villages = villages
        self.by_district: dict[str, list[Area]] = {}
        for village in villages:
            self.by_district.setdefault(village.code[:4], []).append(village)
        self.districts = {
            d.code: d for d in Area.objects.filter(level="district", code__in=list(self.by_district))
        }

    def district_for(self, rng: random.Random, sector: str) -> str:
        codes = sorted(self.by_district)
        weights = [WHERE[sector][_kind_of(code)] for code in codes]
        if not any(weights):
            weights = [1.0] * len(codes)
        return rng.choices(codes, weights=weights)[0]

    def village_in(self, rng: random.Random, district: str, sector: str) -> Area:
        villages = self.by_district.get(district) or self.villages
        town = self._town(district)
        if sector not in TOWN_SECTORS or town is None:
            return rng.choice(villages)
        # Town work: villages near the district town are likelier.
        weights = [
            math.exp(-math.dist(town, to_plane(v.centroid_lat, v.centroid_lon)) / 4.0)
            if v.centroid_lat is not None and v.centroid_lon is not None
            else 0.01
            for v in villages
        ]
        return rng.choices(villages, weights=weights)[0]

    def position(self, rng: random.Random, village: Area, sector: str) -> tuple[float, float] | None:
        """A point near the village, scattered as the sector's places are, inside the village's district."""
        if village.centroid_lat is None or village.centroid_lon is None:
            return None
        centre = to_plane(village.centroid_lat, village.centroid_lon)
        shape = self._shape(village.code[:4])
        scatter = SCATTER_KM.get(sector, 0.6)
        for _ in range(20):
            point = (centre[0] + rng.gauss(0, scatter), centre[1] + rng.gauss(0, scatter))
            if shape is None or contains(shape, point):
                break
        else:
            point = centre
        lat, lon = to_lat_lon(point)
        return round(lat, 5), round(lon, 5)

    def _town(self, district: str) -> tuple[float, float] | None:
        area = self.districts.get(district)
        if area is None or area.centroid_lat is None or area.centroid_lon is None:
            return None
        return to_plane(area.centroid_lat, area.centroid_lon)

    def _shape(self, district: str) -> list[tuple[float, float]] | None:
        area = self.districts.get(district)
        boundary = area.boundary if area is not None else None
        if not isinstance(boundary, dict) or boundary.get("type") != "Polygon":
            return None
        return [to_plane(lat, lon) for lon, lat, *_ in boundary["coordinates"][0]]


def _name(rng: random.Random, sector: str, kind: str, village: Area, taken: Counter[str]) -> str:
    if sector == "begging":
        name = f"{rng.choice(BEGGING_SPOTS)} begging spot"
    elif sector == "domestic":
        name = f"{kind}, {_place(village)}"
    elif sector == "agriculture":
        name = f"{_place(village)} {kind.lower()}"
    else:
        name = f"{rng.choice(BRANDS)} {kind.lower()}"
    taken[name] += 1
    return name if taken[name] == 1 else f"{name} {taken[name]}"


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
    places = _Places(villages)
    owner = agencies["cc"]
    employers = [
        services.employer_create(
            actor=None,
            agency=owner,
            legal_name=legal_name,
            partner_agency=employer_agency if n == 0 else None,
            registered=n == 0 or rng.random() < 0.7,
            abides_by_labour_law=n == 0 or rng.random() < 0.6,
            trains_staff=rng.random() < 0.4,
            contacts={"phone": f"08{rng.randint(10000000, 99999999)}"},
        )
        for n, (legal_name, _) in enumerate(EMPLOYERS)
    ]
    for employer in employers[:4]:
        services.commitment_add(
            actor=None,
            employer=employer,
            signed_on=today - timedelta(days=rng.randint(30, 700)),
            text="We employ no one under 18, hold no one's documents and pay on time.",
            signatories=["Owner", "Provincial Coordination Centre"],
        )
    # The employers' own sites first, then workplaces of no known employer.
    plan: list[tuple[str, str, str, Any]] = [
        (site.sector, site.kind, site.district, employer)
        for employer, (_, sites) in zip(employers, EMPLOYERS, strict=True)
        for site in sites
    ]
    sectors, shares = list(SECTOR_SHARES), list(SECTOR_SHARES.values())
    while len(plan) < count:
        sector = rng.choices(sectors, weights=shares)[0]
        district = places.district_for(rng, sector)
        kind = _kind(rng, sector, district)
        plan.append((sector, kind, district, None))
    indicators = LabourIndicator.values
    observations = 0
    taken: Counter[str] = Counter()
    for n, (sector, kind, district, employer) in enumerate(plan[:count]):
        village = places.village_in(rng, district, sector)
        where = places.position(rng, village, sector)
        low, high = WORKFORCE.get(sector, (3, 50))
        workplace = services.workplace_create(
            actor=None,
            agency=owner if employer is not None or rng.random() < 0.8 else agencies.get("labour", owner),
            name=_name(rng, sector, kind, village, taken)
            if employer is None
            else f"{employer.legal_name.split(' Co.,')[0]} {kind.lower()} ({_place(village)})",
            sector=sector,
            village_code=village.code,
            lat=where[0] if where else None,
            lon=where[1] if where else None,
            employer_id=employer.pk if employer is not None else None,
            workforce_estimate=rng.randint(low, high),
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
        if n + 1 >= count:
            break
    recruiters = _recruiters(rng, owner, villages, today)
    _standing(employers[0], today)
    return {
        "workplaces": min(count, len(plan)),
        "observations": observations,
        "employers": len(employers),
        "recruiters": recruiters,
    }


def _recruiters(rng: random.Random, owner: Agency, villages: list[Area], today: date, count: int = 25) -> int:
    """Recruiters: licensed agencies, and brokers (people) working the villages around their own, most of
    them without a licence."""
    agencies = iter(RECRUITMENT_AGENCIES)
    for _ in range(count):
        agency = rng.random() < 0.4
        name = next(agencies, None) if agency else None
        if name is None:
            agency = False
            person = person_name(rng, rng.choice(["female", "male", "male"]))
            name = person.latin
        home = rng.choice(villages)
        near = sorted(
            villages,
            key=lambda v: math.dist(
                (v.centroid_lat or 0.0, v.centroid_lon or 0.0),
                (home.centroid_lat or 0.0, home.centroid_lon or 0.0),
            ),
        )
        if agency:
            licence = rng.choices(["licensed", "expired", "unknown"], weights=[8, 1, 1])[0]
        else:
            licence = rng.choices(["unlicensed", "unknown", "licensed"], weights=[6, 3, 1])[0]
        registered = rng.random() < (0.8 if agency else 0.35)
        recruiter = services.recruiter_create(
            actor=None,
            agency=owner,
            name=name,
            kind="agency" if agency else "person",
            licence_status=licence,
            village_codes=[v.code for v in near[: rng.randint(2, 5)]],
            registered_on=today - timedelta(days=rng.randint(1, 400)) if registered else None,
            registration_office=("Provincial employment office" if agency else "Subdistrict office")
            if registered
            else "",
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
    return count


def _standing(employer: Employer, today: date) -> None:
    """The partner employer: granted the good-employer status from evidence about ten months ago, on a
    quarterly schedule of returns, then withdrawn after an inspection finding notified to it last week."""
    from safepassage.accounts.models import Membership
    from safepassage.workplaces import status_services
    from safepassage.workplaces.models import EmployerStatusDecision
    from safepassage.workplaces.standing import review_date

    if employer.partner_agency_id is None:
        return
    user = Membership.objects.filter(agency_id=employer.partner_agency_id, role="partner").first()
    site = employer.workplaces.order_by("pk").first()
    if user is None or site is None:
        return
    granted = today - timedelta(days=300)
    commitment = employer.commitments.order_by("pk").first()
    if commitment is not None:
        status_services.commitment_check(actor=None, commitment=commitment, kept=True, checked_on=today)
    services.observation_record(
        actor=None,
        workplace=site,
        observed_on=today - timedelta(days=320),
        source="inspection",
        reliability="A",
        indicators=[],
        text="Joint inspection: contracts, payslips and documents in order.",
    )
    status_services.return_schedule_set(
        actor=None, employer=employer, every_months=3, starts_on=date(today.year - 1, 1, 1)
    )
    for row in status_services.returns_of(employer, today):
        if row.state == "open" or row.workplace.pk % 3 == 0:
            continue  # a few returns missing: overdue on the employer's page
        services.submission_create(
            actor=user.user,
            workplace=row.workplace,
            period=row.period.label,
            vacancies={"packer": 3},
            workforce={"sex": {"female": 20, "male": 15}},
            weekly_hours=48,
            lowest_daily_wage=357,
            usual_daily_wage=380,
            wages_on_time=True,
            training_sessions=1,
            people_trained=18,
            training_topics="Labour rights; safety at work",
        )
    try:
        decision = status_services.employer_status_grant(actor=None, employer=employer, note="Demo")
    except ValidationError:
        # A random visit since found something: the labour office inspects again, and finds nothing.
        services.observation_record(
            actor=None, workplace=site, observed_on=today, source="inspection", reliability="A", indicators=[]
        )
        decision = status_services.employer_status_grant(actor=None, employer=employer, note="Demo")
    # Back-date the grant to when the evidence was judged (the demo is built in one go, today).
    EmployerStatusDecision.objects.filter(pk=decision.pk).update(
        effective_on=granted, review_on=review_date(granted)
    )
    Employer.objects.filter(pk=employer.pk).update(status_from=granted, status_review_on=review_date(granted))
    employer.refresh_from_db()
    status_services.employer_violation_add(
        actor=None,
        employer=employer,
        found_on=today - timedelta(days=12),
        law="Labour Protection Act: overtime not paid",
        outcome="Back pay ordered",
        kind="inspection",
        case_reference="INS-2026-031",
        notified_on=today - timedelta(days=7),
        notified_how="Inspection report delivered by the labour office",
    )
    status_services.return_reminders_send(today=today)  # the overdue returns, in the employer's notifications


def generate_links_and_media(*, agencies: dict[str, Agency], today: date | None = None) -> dict[str, int]:
    """Demo for issue 22 part 8: women moved between venues, supply links to buyers, media items to review."""
    from safepassage.workplaces import links

    today = today or timezone.localdate()
    owner = agencies["cc"]
    mine = Workplace.objects.filter(agency=owner).order_by("pk")
    venues = list(mine.filter(sector__in=["entertainment", "commercial_sex", "massage"])[:4])
    if len(venues) < 2:
        venues = list(mine[:4])
    made = {"links": 0, "supplies": 0, "media": 0}
    for n, (src, dst) in enumerate(pairwise(venues)):
        links.link_record(
            actor=None,
            from_workplace=src,
            to_workplace_id=dst.pk,
            kind="people_moved",
            started_on=today - timedelta(days=120 - 30 * n),
            ended_on=today - timedelta(days=90 - 30 * n),
            source="tip",
            reliability="C",
            note="Synthetic demo: women moved between the venues at night.",
        )
        made["links"] += 1
    buyer = Employer.objects.filter(agency=owner).order_by("pk").first()
    for n, workplace in enumerate(mine.filter(sector__in=["seafood", "fishing", "agriculture"])[:3]):
        links.supply_record(
            actor=None,
            workplace=workplace,
            product="Frozen shrimp" if workplace.sector != "agriculture" else "Oranges",
            buyer_id=buyer.pk if buyer and n == 0 else None,
            buyer_name="" if buyer and n == 0 else "Demo Export Trading (brand abroad)",
            buyer_country="" if n == 0 else "JP",
            since=today - timedelta(days=400),
            source="report",
        )
        made["supplies"] += 1
    if venues:
        for title, status in (
            ("Police raid a karaoke bar, girls under 18 found", "pending"),
            ("Venue owner says workers are all adults", "pending"),
            ("Satire page: 'karaoke staff paid in gold'", "rejected"),
        ):
            item = links.media_add(
                actor=None,
                published_on=today - timedelta(days=3),
                outlet="Demo Daily News",
                title=title,
                url="https://example.org/demo-news",
                workplace_id=venues[0].pk,
                indicators=["child_workers"] if "under 18" in title else [],
            )
            reviewer = _demo_reviewer(owner)
            if status == "rejected" and reviewer is not None:
                links.media_reject(actor=reviewer, item=item, reason="Satire, not news")
            made["media"] += 1
    return made


def _demo_reviewer(agency: Agency) -> Any:
    """A demo coordinator of the agency, who reviews media items (none: the item stays in the queue)."""
    from safepassage.accounts.models import Membership

    membership = Membership.objects.filter(agency=agency, role="coordinator").select_related("user").first()
    return membership.user if membership else None
