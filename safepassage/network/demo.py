"""A synthetic network directory for the demo province: offices, shelters and services, about 60 responders
of every role (the demo volunteers among them, with their accounts), committees, and cross-border focal
points under the seeded return agreements. Names, phones and addresses are made up; the seed fixes them."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from safepassage.accounts.models import Agency, User
from safepassage.geo.models import Area
from safepassage.network import services
from safepassage.network.kinds import expertise_codes
from safepassage.network.models import Organisation, Responder

PROVINCE = "50"
GIVEN = [
    "Somchai",
    "Malee",
    "Niran",
    "Kanya",
    "Arun",
    "Suda",
    "Wichai",
    "Prasert",
    "Ratana",
    "Somsak",
    "Anong",
    "Boonmee",
    "Chalerm",
    "Duangjai",
    "Ekkachai",
    "Jintana",
    "Kittipong",
    "Lamai",
    "Manop",
    "Nittaya",
    "Orathai",
    "Pornthip",
    "Sakchai",
    "Thanakorn",
    "Usa",
    "Wanida",
    "Yupin",
    "Pakorn",
]
FAMILY = [
    "Saengkham",
    "Inta",
    "Kaewmanee",
    "Srisuk",
    "Boonyarit",
    "Chaiwong",
    "Thongdee",
    "Wongsa",
    "Panyawong",
    "Kanthawong",
    "Suriya",
    "Intharasak",
    "Jaidee",
    "Phromma",
]
# Names of the borderlands for interpreters, NGO workers and volunteers from migrant communities.
BORDER_NAMES = [
    "Nang Hseng",
    "Sai Mong",
    "Naw Paw",
    "Saw Htoo",
    "Aye Aye Win",
    "Ko Min",
    "Nang Kham",
    "Ja Seng",
]
# (role type, how many, languages besides Thai to choose from, expertise, area level: d/s/v/p/none)
ROLES: list[tuple[str, int, list[str], list[str], str]] = [
    ("police", 8, ["en", "my", "nod"], ["investigation", "sexual_exploitation"], "d"),
    (
        "social_worker",
        10,
        ["my", "shn", "kar", "nod", "en"],
        ["child_protection", "psychosocial", "family_tracing"],
        "s",
    ),
    ("prosecutor", 3, ["en"], ["legal", "investigation"], "p"),
    ("labour_inspector", 5, ["my", "en", "lo"], ["labour", "safe_migration"], "d"),
    ("health", 6, ["my", "kar", "en", "lhu"], ["health", "psychosocial"], "d"),
    ("education", 5, ["kar", "lhu", "ahk", "hmn", "nod"], ["education", "child_protection"], "v"),
    ("interpreter", 6, ["my", "shn", "kar", "lo", "km", "zh", "lhu", "ahk"], ["interpretation"], "none"),
    (
        "ngo_worker",
        8,
        ["my", "shn", "kar", "en", "zh"],
        ["child_protection", "shelter", "vocational", "safe_migration"],
        "d",
    ),
    ("volunteer", 6, ["nod", "kar", "lhu", "shn"], ["child_protection", "safe_migration"], "v"),
]
COURSES = [
    ("Victim identification and referral", "Ministry of Social Development and Human Security"),
    ("Child-friendly interviewing", "Provincial Coordination Centre"),
    ("Labour inspection of fishing and agriculture", "Department of Labour Protection and Welfare"),
    ("Psychological first aid", "Provincial Hospital"),
    ("Safe migration counselling", "Northern Child Safety Foundation"),
]


def _phone(rng: random.Random) -> str:
    return f"08{rng.randint(1, 9)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"


def _areas(rng: random.Random, level: str) -> list[str]:
    """Area codes of the demo province (25 districts, 4 subdistricts each, 6 villages each)."""
    district = f"50{rng.randint(1, 25):02d}"
    subdistrict = f"{district}{rng.randint(1, 4):02d}"
    if level == "p":
        return [PROVINCE]
    if level == "d":
        return [district] if rng.random() < 0.8 else [district, f"50{rng.randint(1, 25):02d}"]
    if level == "s":
        return [subdistrict] if rng.random() < 0.7 else [district]
    if level == "v":
        return sorted({f"{subdistrict}{rng.randint(1, 6):02d}" for _ in range(rng.randint(1, 3))})
    return []


def _organisations(agencies: dict[str, Agency]) -> dict[str, Organisation]:
    cc, ngo, labour = (
        agencies["cc"],
        agencies.get("ngo", agencies["cc"]),
        agencies.get("labour", agencies["cc"]),
    )
    rows: list[tuple[str, Agency, dict[str, Any]]] = [
        (
            "cc",
            cc,
            {
                "name": "Provincial Coordination Centre for Children and Women",
                "kind": "member",
                "member_agency_code": cc.code,
                "area_code": PROVINCE,
                "phone": "053 000 100",
                "services": ["child_protection", "repatriation", "family_tracing"],
            },
        ),
        (
            "cc_fang",
            cc,
            {
                "name": "Coordination Centre, Fang district office",
                "kind": "member",
                "member_agency_code": cc.code,
                "area_code": "5009",
                "phone": "053 000 109",
            },
        ),
        (
            "cc_chiang_dao",
            cc,
            {
                "name": "Coordination Centre, Chiang Dao district office",
                "kind": "member",
                "member_agency_code": cc.code,
                "area_code": "5004",
                "phone": "053 000 104",
            },
        ),
        (
            "ngo",
            ngo,
            {
                "name": "Northern Child Safety Foundation",
                "kind": "ngo",
                "member_agency_code": ngo.code,
                "area_code": "5018",
                "phone": "053 000 200",
                "services": ["child_protection", "psychosocial", "vocational", "safe_migration"],
            },
        ),
        (
            "shelter_children",
            ngo,
            {
                "name": "Rainbow House children's shelter",
                "kind": "shelter",
                "area_code": "5001",
                "address": "(demo) 12 Soi 5, Mueang Chiang Mai",
                "services": ["shelter", "psychosocial", "education"],
            },
        ),
        (
            "shelter_women",
            cc,
            {
                "name": "Provincial Protection and Occupational Development Centre",
                "kind": "shelter",
                "area_code": "5006",
                "address": "(demo) 88 Moo 3, Mae Taeng",
                "services": ["shelter", "vocational", "legal"],
            },
        ),
        (
            "hospital",
            cc,
            {
                "name": "Provincial Hospital, One Stop Crisis Centre",
                "kind": "hospital",
                "area_code": "5001",
                "phone": "053 000 300",
                "services": ["health", "psychosocial"],
            },
        ),
        (
            "legal_aid",
            cc,
            {
                "name": "Lanna Legal Aid Clinic",
                "kind": "legal_aid",
                "area_code": "5001",
                "phone": "053 000 400",
                "services": ["legal"],
            },
        ),
        (
            "labour",
            labour,
            {
                "name": "Provincial Labour Protection and Welfare Office",
                "kind": "labour_office",
                "member_agency_code": labour.code,
                "area_code": PROVINCE,
                "phone": "053 000 500",
                "services": ["labour", "safe_migration"],
            },
        ),
        (
            "police_att",
            cc,
            {
                "name": "Provincial Police, Anti-Trafficking Unit",
                "kind": "police",
                "area_code": PROVINCE,
                "phone": "053 000 191",
                "services": ["investigation"],
            },
        ),
        ("police_fang", cc, {"name": "Fang District Police Station", "kind": "police", "area_code": "5009"}),
        (
            "police_mae_ai",
            cc,
            {"name": "Mae Ai District Police Station", "kind": "police", "area_code": "5010"},
        ),
        (
            "school_fang",
            cc,
            {
                "name": "Fang Community School",
                "kind": "school",
                "area_code": "5009",
                "services": ["education"],
            },
        ),
        (
            "school_omkoi",
            cc,
            {
                "name": "Omkoi Border Patrol Police School",
                "kind": "school",
                "area_code": "5018",
                "services": ["education"],
            },
        ),
        (
            "consulate_mm",
            cc,
            {
                "name": "Consulate of Myanmar in Chiang Mai (demo entry)",
                "kind": "consulate",
                "area_code": "5001",
                "services": ["repatriation"],
                "languages": ["my", "en"],
            },
        ),
        (
            "dsw_mm",
            cc,
            {
                "name": "Department of Social Welfare, Myanmar (demo entry)",
                "kind": "social_services",
                "country": "MM",
                "services": ["repatriation", "family_tracing"],
                "languages": ["my", "en"],
            },
        ),
        (
            "mlsw_la",
            cc,
            {
                "name": "Ministry of Labour and Social Welfare, Lao PDR (demo entry)",
                "kind": "social_services",
                "country": "LA",
                "services": ["repatriation"],
                "languages": ["lo", "en"],
            },
        ),
        (
            "mosvy_kh",
            cc,
            {
                "name": "Ministry of Social Affairs, Cambodia (demo entry)",
                "kind": "social_services",
                "country": "KH",
                "services": ["repatriation"],
                "languages": ["km", "en"],
            },
        ),
    ]
    return {
        key: services.organisation_create(actor=None, agency=owner, **fields) for key, owner, fields in rows
    }


ROLE_HOME = {
    "police": ["police_att", "police_fang", "police_mae_ai"],
    "social_worker": ["cc", "cc_fang", "cc_chiang_dao", "ngo"],
    "prosecutor": ["legal_aid"],
    "labour_inspector": ["labour"],
    "health": ["hospital"],
    "education": ["school_fang", "school_omkoi"],
    "interpreter": ["ngo", "cc", "consulate_mm"],
    "ngo_worker": ["ngo", "shelter_children"],
    "volunteer": ["cc", "ngo"],
}


@transaction.atomic
def generate_directory(
    *, agencies: dict[str, Agency], seed: int = 5, today: date | None = None
) -> dict[str, int]:
    """Create the demo directory; the demo accounts of volunteers and staff get responder profiles."""
    if not Area.objects.filter(code=PROVINCE).exists():
        return {"organisations": 0, "responders": 0}
    rng = random.Random(seed)
    today = today or timezone.localdate()
    organisations = _organisations(agencies)
    keeper = {key: org.agency for key, org in organisations.items()}
    responders: list[Responder] = []

    def add(
        home: str, name: str, role_type: str, languages: list[str], expertise: list[str], **kw: Any
    ) -> Responder:
        responder = services.responder_create(
            actor=None,
            agency=keeper[home],
            organisation_id=organisations[home].pk,
            name=name,
            role_type=role_type,
            languages=languages,
            expertise=expertise,
            phone=kw.pop("phone", _phone(rng)),
            availability=kw.pop(
                "availability",
                rng.choices(["available", "on_call", "busy", "away"], weights=[60, 20, 15, 5])[0],
            ),
            **kw,
        )
        responders.append(responder)
        return responder

    # The demo accounts that respond themselves: alerts about the villages they cover reach them.
    own: list[tuple[str, str, str, str, list[str], list[str], list[str]]] = [
        (
            "cc.volunteer",
            "cc",
            "Ploy (demo)",
            "volunteer",
            ["th", "nod", "my"],
            ["child_protection"],
            ["50070101", "50070102", "50070103"],
        ),
        (
            "ngo.volunteer",
            "ngo",
            "Aye (demo)",
            "volunteer",
            ["th", "my", "shn"],
            ["child_protection", "safe_migration"],
            ["50180101", "50180102"],
        ),
        (
            "cc.caseworker",
            "cc",
            "Niran (demo)",
            "social_worker",
            ["th", "en"],
            ["child_protection", "family_tracing"],
            ["5001", "5007"],
        ),
        (
            "labour.inspector",
            "labour",
            "Prasert (demo)",
            "labour_inspector",
            ["th", "en"],
            ["labour"],
            [PROVINCE],
        ),
    ]
    for username, home, name, role_type, languages, expertise, areas in own:
        if User.objects.filter(username=username).exists():
            add(
                home,
                name,
                role_type,
                languages,
                expertise,
                area_codes=areas,
                username=username,
                availability="available",
                email=f"{username}@example.org",
            )
    for role_type, count, extra_languages, expertise_pool, level in ROLES:
        for _n in range(count):
            border = role_type in ("interpreter", "ngo_worker", "volunteer") and rng.random() < 0.5
            name = rng.choice(BORDER_NAMES) if border else f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
            languages = ["th", *rng.sample(extra_languages, rng.randint(0 if level != "none" else 1, 2))]
            if border and "my" not in languages:
                languages.append("my")
            expertise = sorted(set(rng.sample(expertise_pool, rng.randint(1, len(expertise_pool)))))
            if rng.random() < 0.2:
                expertise.append(rng.choice(expertise_codes()))
            add(
                rng.choice(ROLE_HOME[role_type]),
                name,
                role_type,
                languages,
                expertise,
                area_codes=_areas(rng, level),
                title={"police": "Police Lieutenant", "prosecutor": "Public prosecutor"}.get(role_type, ""),
                messaging=f"LINE: demo{len(responders)}" if rng.random() < 0.5 else "",
            )
    # Focal points across the border, under the seeded agreements.
    focal = [
        (
            "MM",
            "dsw_mm",
            "Daw Khin Myat (demo)",
            ["my", "en"],
            "th-mm-2009",
            ["repatriation", "family_tracing"],
        ),
        ("LA", "mlsw_la", "Khamla Phommachanh (demo)", ["lo", "th", "en"], "th-la-2005", ["repatriation"]),
        (
            "KH",
            "mosvy_kh",
            "Sokha Chea (demo)",
            ["km", "en"],
            "th-kh-2003",
            ["repatriation", "family_tracing"],
        ),
    ]
    focal_points = 0
    for country, home, name, languages, agreement, purposes in focal:
        responder = add(
            home,
            name,
            "focal_point",
            languages,
            ["repatriation", "family_tracing"],
            country=country,
            availability="available",
        )
        for purpose in purposes:
            services.focal_point_create(
                actor=None,
                agency=agencies["cc"],
                country=country,
                purpose=purpose,
                responder_id=responder.pk,
                agreement_code=agreement,
            )
            focal_points += 1
    trainings = 0
    for responder in responders:
        for course, provider in rng.sample(COURSES, rng.choice([0, 0, 1, 1, 2])):
            completed = today - timedelta(days=rng.randint(30, 1500))
            expires = completed + timedelta(days=3 * 365) if rng.random() < 0.6 else None
            services.training_add(
                actor=None,
                responder=responder,
                course=course,
                provider=provider,
                completed_on=completed,
                expires_on=expires,
            )
            trainings += 1
    committees = _committees(agencies, responders, rng, today)
    _children_committee(agencies["cc"], responders, today)
    return {
        "organisations": len(organisations),
        "responders": len(responders),
        "committees": committees,
        "focal_points": focal_points,
        "trainings": trainings,
    }


def _children_committee(cc: Agency, responders: list[Responder], today: date) -> None:
    """A children's committee in Mae Rim with its named adult, members with their guardians' consent (one
    turning 18 within weeks, one who left at 18) and what it reported (docs/prevention.md, R-100, W-25)."""
    from safepassage.network import children_services as children

    adult = next((r for r in responders if r.agency_id == cc.pk and r.role_type == "social_worker"), None)
    if adult is None:
        return
    group = children.group_create(
        actor=None,
        agency=cc,
        name="Mae Rim children's committee",
        kind="committee",
        named_adult_id=adult.pk,
        area_code="5007",
        meets="First Saturday of the month, at the school",
    )
    for name, age_days, seat in (
        ("Nong Fah", 365 * 13, "leader"),
        ("Nong Mai", 365 * 12 + 100, "member"),
        ("Nong Ploy", 365 * 18 - 40, "member"),
        ("Nong Bee", 365 * 15 + 20, "member"),
    ):
        joined = today - timedelta(days=300)
        children.member_add(
            actor=None,
            group=group,
            name=name,
            birth_date=today - timedelta(days=age_days),
            joined_on=joined,
            consent_by="Parent (demo)",
            consent_on=joined - timedelta(days=7),
            seat=seat,
        )
    older = children.member_add(
        actor=None,
        group=group,
        name="Nong Dao",
        birth_date=today - timedelta(days=365 * 18 + 30),
        joined_on=today - timedelta(days=700),
        consent_by="Grandmother (demo)",
        consent_on=today - timedelta(days=710),
    )
    children.member_leave(actor=None, member=older, left_on=older.turns_18_on, reason="aged_out")
    children.group_report_add(
        actor=None,
        group=group,
        reported_on=today - timedelta(days=20),
        about="recruiter",
        summary="A woman from town is offering girls restaurant work in Bangkok with an advance.",
        passed_to="Mae Rim DOC",
    )


def _covers(responder: Responder, code: str) -> bool:
    return any(code.startswith(a.code) or a.code.startswith(code) for a in responder.areas.all())


def _committees(
    agencies: dict[str, Agency], responders: list[Responder], rng: random.Random, today: date
) -> int:
    """A provincial DOC, district MDTs and village committees, seated with the responders of their area."""
    cc = agencies["cc"]
    local = list(
        Responder.objects.filter(pk__in=[r.pk for r in responders])
        .exclude(role_type="focal_point")
        .prefetch_related("areas")
        .order_by("pk")
    )
    plan = [
        (
            "Provincial Operating Centre against Trafficking (DOC)",
            "doc",
            PROVINCE,
            "First Monday of the month",
            12,
        ),
        ("Mueang Chiang Mai multidisciplinary team", "mdt", "5001", "Every second Wednesday", 7),
        ("Fang multidisciplinary team", "mdt", "5009", "Every second Thursday", 6),
        ("Chiang Dao multidisciplinary team", "mdt", "5004", "Monthly", 6),
        (
            "Mae Rim village child-protection committee",
            "village",
            "50070101",
            "Monthly, at the temple hall",
            5,
        ),
        ("Omkoi village committee", "village", "50180101", "Monthly", 5),
        ("Mae Ai safe-migration committee", "migration", "5010", "Quarterly", 5),
    ]
    for name, kind, area, meets, size in plan:
        committee = services.committee_create(
            actor=None, agency=cc, name=name, kind=kind, area_code=area, meets=meets
        )
        near = [r for r in local if _covers(r, area)]
        others = [r for r in local if r not in near]
        members = near[:size] + rng.sample(others, max(0, size - len(near)))
        for n, responder in enumerate(members):
            seat = "chair" if n == 0 else "secretary" if n == 1 else "member"
            services.committee_seat_set(
                actor=None,
                committee=committee,
                responder_id=responder.pk,
                seat=seat,
                since=today - timedelta(days=rng.randint(60, 1200)),
            )
    return len(plan)


def generate_library(*, agencies: dict[str, Agency]) -> int:
    """Demo for issue 22 part 8 (R-101): a few laws, agreements and guidelines in the library, by link."""
    from safepassage.network import library

    owner = agencies.get("cc")
    if owner is None:
        return 0
    entries = [
        ("Anti-Trafficking in Persons Act B.E. 2551 (2008)", "law", "th", "TH", date(2008, 6, 6), "network"),
        (
            "MOU Thailand-Lao PDR on employment cooperation (2002)",
            "agreement",
            "en",
            "LA",
            date(2002, 10, 18),
            "network",
        ),
        ("COMMIT Memorandum of Understanding (2004)", "agreement", "en", "", date(2004, 10, 29), "network"),
        ("Provincial operating centre: referral procedure", "guideline", "th", "TH", None, "agency"),
        ("Handbook for village volunteers (synthetic demo)", "handbook", "th", "TH", None, "network"),
    ]
    for title, kind, language, country, published_on, audience in entries:
        library.document_add(
            actor=None,
            agency=owner,
            title=title,
            kind=kind,
            language=language,
            country=country,
            published_on=published_on,
            audience=audience,
            url="https://example.org/demo-library",
        )
    return len(entries)


def generate_training_follow_up(*, agencies: dict[str, Agency], today: date | None = None) -> dict[str, int]:
    """Demo for issue 22 part 8 (R-018, R-020): the provincial operating centre as a committee, and half of
    the trainees due a follow-up followed up (the rest wait on the "Trainees to follow up" page)."""
    from safepassage.network import training
    from safepassage.network.models import Training

    owner = agencies.get("cc")
    if owner is None:
        return {"committees": 0, "follow_ups": 0}
    today = today or timezone.localdate()
    province = Area.objects.filter(level="province").order_by("code").first()
    centre = services.committee_create(
        actor=None,
        agency=owner,
        name="Provincial Operating Centre (chaired by the governor)",
        kind="provincial_centre",
        area_code=province.code if province else None,
        meets="Quarterly",
    )
    for n, responder in enumerate(Responder.objects.filter(agency=owner).order_by("pk")[:6]):
        services.committee_seat_set(
            actor=None,
            committee=centre,
            responder_id=responder.pk,
            seat="chair" if n == 0 else "secretary" if n == 1 else "member",
            since=today - timedelta(days=365),
        )
    done = 0
    due = Training.objects.filter(
        responder__agency=owner, completed_on__lte=today - timedelta(days=training.FOLLOW_UP_AFTER_DAYS)
    ).order_by("pk")
    for n, course in enumerate(due[:40]):
        if n % 2:
            continue
        training.training_follow_up(
            actor=None,
            training=course,
            followed_up_on=today - timedelta(days=n % 30),
            applying=n % 4 == 0,
            still_active=True,
            needs="" if n % 4 == 0 else "A refresher on the referral form",
        )
        done += 1
    return {"committees": 1, "follow_ups": done}
