"""A synthetic population for the demo province: households, people, two assessment rounds six months
apart with scores correlated the way real households are, and some sudden events that raise alerts."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from safepassage.accounts.models import Agency
from safepassage.audit.services import audit_record
from safepassage.geo.models import Area
from safepassage.registry.bulk import BulkItem, assessments_bulk_record
from safepassage.registry.models import Catalogue, Household, Indicator, Person
from safepassage.registry.services import active_catalogue, assessment_record

GIVEN_F = [
    ("สมศรี", "Somsri"),
    ("มาลี", "Malee"),
    ("นภา", "Napa"),
    ("อรุณี", "Arunee"),
    ("ปราณี", "Pranee"),
    ("ผ่องใส", "Phongsai"),
    ("นา", "Na"),
    ("หมี่", "Mi"),
    ("ເພັງ", "Pheng"),
    ("မြင့်", "Myint"),
]
GIVEN_M = [
    ("สมชาย", "Somchai"),
    ("ประเสริฐ", "Prasert"),
    ("วิชัย", "Wichai"),
    ("อนันต์", "Anan"),
    ("สุชาติ", "Suchat"),
    ("จะแฮ", "Chahae"),
    ("อาเจ", "Aje"),
    ("ຄຳ", "Kham"),
    ("အောင်", "Aung"),
    ("หล้า", "La"),
]
FAMILY = [
    ("แสงคำ", "Saengkham"),
    ("ใจดี", "Jaidee"),
    ("มณีวงศ์", "Maneewong"),
    ("ศรีสุข", "Srisuk"),
    ("แซ่ลี", "Saelee"),
    ("แซ่ย่าง", "Saeyang"),
    ("จะลอ", "Chalo"),
    ("ปัญญา", "Panya"),
    ("บุญมา", "Boonma"),
    ("อินตา", "Inta"),
]


def _level(value: float) -> int:
    return 1 if value < 0.4 else (2 if value < 0.66 else 3)


def _age_score(age: int) -> int:
    if 15 <= age <= 18:
        return 3
    if 10 <= age <= 14 or 19 <= age <= 25:
        return 2
    return 1


def _scores(
    rng: random.Random,
    indicators: list[Indicator],
    household: dict[str, int],
    vulnerability: float,
    age: int,
    sex: str,
    shock: bool,
) -> dict[str, int]:
    scores: dict[str, int] = {}
    for indicator in indicators:
        code = indicator.code
        if indicator.level == "H":
            value = household[code]
        elif code == "SOC-AGE":
            value = _age_score(age)
        elif code == "SOC-SEX":
            value = 1 if sex == "male" else 2
        elif code in ("SOC-WORK", "MIG-ALONE", "EDU-SCHOOL") and age < 6:
            value = 1
        else:
            value = _level(vulnerability + rng.gauss(0, 0.15))
            if shock and code == "MIG-RECRUIT" and rng.random() < 0.3:
                value = 3
        if rng.random() < 0.03:
            continue  # not known
        scores[code] = value
    return scores


def _household_scores(
    rng: random.Random, indicators: list[Indicator], vulnerability: float, shock: bool
) -> dict[str, int]:
    scores = {i.code: _level(vulnerability + rng.gauss(0, 0.12)) for i in indicators if i.level == "H"}
    if shock:
        for code in rng.sample(["BMN-SHOCK", "BMN-DEBT", "BMN-LAND", "SOC-VIOLENCE", "HLT-DEATH"], 2):
            if code in scores:
                scores[code] = 3
    return scores


def _followup(
    rng: random.Random, before: dict[str, int], redrawn: dict[str, int], shock: bool
) -> dict[str, int]:
    """The second round: mostly the same answers, one in twenty redrawn; a shock's answers always show."""
    after = dict(before)
    for code, value in redrawn.items():
        if rng.random() < 0.05 or (shock and value == 3):
            after[code] = value
    return after


def _owner(village: Area, agencies: dict[str, Agency]) -> Agency:
    district = int(village.code[2:4])
    return agencies["ngo"] if district >= 18 and "ngo" in agencies else agencies["cc"]


@transaction.atomic
def generate_population(
    *, people: int = 20_000, seed: int = 2568, agencies: dict[str, Agency], today: date | None = None
) -> dict[str, int]:
    """Create `people` people in households across the demo villages, with two assessment rounds."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    catalogue: Catalogue = active_catalogue()
    indicators = [i for i in catalogue.indicators.all() if i.active and i.level in "IH"]
    villages = list(Area.objects.filter(level="village").order_by("code"))
    if not villages:
        return {"people": 0}
    village_risk = {
        v.pk: min(
            0.9, max(0.05, rng.betavariate(2, 4) + (0.15 if int(v.code[2:4]) in (9, 10, 18, 20) else 0))
        )
        for v in villages
    }
    households: list[tuple[Household, float]] = []
    members: list[tuple[Person, float]] = []
    member_household: list[int] = []
    round_one = today - timedelta(days=182)
    while len(members) < people:
        village = villages[len(households) % len(villages)]
        owner = _owner(village, agencies)
        vulnerability = min(0.95, max(0.0, village_risk[village.pk] + rng.gauss(0, 0.15)))
        household = Household(
            agency=owner, village=village, label=f"{rng.randint(1, 250)}/{rng.randint(1, 12)}"
        )
        households.append((household, vulnerability))
        family = rng.choice(FAMILY)
        for n in range(rng.choice([2, 3, 3, 4, 4, 5, 6])):
            if len(members) >= people:
                break
            sex = rng.choice(["female", "male"]) if rng.random() > 0.01 else "other"
            given = rng.choice(GIVEN_F if sex == "female" else GIVEN_M)
            age = rng.randint(30, 60) if n == 0 else rng.choice([rng.randint(0, 25), rng.randint(5, 18)])
            year = today.year - age
            exact = rng.random() < 0.7
            members.append(
                (
                    Person(
                        agency=owner,
                        village=village,
                        given_name=given[0],
                        family_name=family[0],
                        given_name_latin=given[1],
                        family_name_latin=family[1],
                        sex=sex,
                        birth_date=date(year, rng.randint(1, 12), rng.randint(1, 28)) if exact else None,
                        birth_year=year,
                        birth_year_estimated=not exact,
                        consent_basis="demo data (synthetic)",
                    ),
                    vulnerability,
                )
            )
            member_household.append(len(households) - 1)
    Household.objects.bulk_create([h for h, _ in households], batch_size=2000)
    for (person, _), index in zip(members, member_household, strict=True):
        person.household = households[index][0]
    Person.objects.bulk_create([p for p, _ in members], batch_size=2000)

    def items() -> Iterator[BulkItem]:
        by_household: dict[int, list[tuple[Person, float]]] = {}
        for person, vulnerability in members:
            by_household.setdefault(person.household_id or 0, []).append((person, vulnerability))
        for group in by_household.values():
            vulnerability = group[0][1]
            shock = rng.random() < 0.05
            first_day = round_one - timedelta(days=rng.randint(0, 30))
            second_day = today - timedelta(days=rng.randint(0, 30))
            drift = min(0.95, max(0.0, vulnerability + rng.gauss(0, 0.08)))
            house_1 = _household_scores(rng, indicators, vulnerability, False)
            # Households change slowly: a few answers move with the drift, and a few get a sudden shock.
            house_2 = _followup(rng, house_1, _household_scores(rng, indicators, drift, shock), shock)
            for person, _ in group:
                age = today.year - (person.birth_year or today.year)
                first = _scores(rng, indicators, house_1, vulnerability, age - 1, person.sex, False)
                if person.birth_date is None or person.birth_date <= first_day:  # not yet born at round one
                    yield BulkItem(person.pk, first_day, first, "visit")
                born = person.birth_date is None or person.birth_date <= second_day
                if born and rng.random() < 0.9:  # some people were not found at the second round
                    redrawn = _scores(rng, indicators, house_2, drift, age, person.sex, shock)
                    second = {
                        **_followup(rng, first, redrawn, shock),
                        **{c: v for c, v in house_2.items() if c in first or c in redrawn},
                    }
                    yield BulkItem(person.pk, second_day, second, "visit")

    # One person's two rounds arrive together, in date order, as bulk recording expects.
    result = assessments_bulk_record(
        actor=None, items=items(), catalogue=catalogue, check=False, label="demo"
    )
    village_indicators = [i for i in catalogue.indicators.all() if i.active and i.level == "V"]
    for village in villages:
        risk = village_risk[village.pk]
        assessment_record(
            actor=None,
            village=village,
            agency=_owner(village, agencies),
            assessed_on=today - timedelta(days=rng.randint(0, 60)),
            source="visit",
            scores={i.code: _level(risk + rng.gauss(0, 0.2)) for i in village_indicators},
        )
    audit_record(
        actor=None,
        action="registry.demo.generate",
        object_type="registry.person",
        changes={"people": len(members), "households": len(households), "assessments": result.created},
    )
    return {
        "people": len(members),
        "households": len(households),
        "assessments": result.created,
        "alerts": result.alerts,
    }
