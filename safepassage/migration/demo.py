"""Synthetic safe-migration data for the demo province: two channels (one to Bangkok, one across the border to
Jinghong as in seed 002), about 300 registrations over the last year with arrival and check-in histories, some
overdue, a few withdrawals, problems turned into evidence and cases, recruiters' jobs and placements, and
children found at a market with family tracing. Made through the services, so every rule and audit applies."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safepassage.accounts.models import Agency, User
from safepassage.geo.models import Area
from safepassage.migration import services
from safepassage.migration.models import Channel, Problem
from safepassage.network.models import Committee, CommitteeMember, Organisation, Responder
from safepassage.registry.demo import FAMILY, GIVEN_F, GIVEN_M
from safepassage.workplaces.models import Recruiter, Workplace
from safepassage.workplaces.services import recruiter_create

PROBLEMS = [p for p in Problem.values if p != "other"]


def _organisation(
    agency: Agency, name: str, kind: str, member: Agency | None, country: str = "TH"
) -> Organisation:
    org, _ = Organisation.objects.get_or_create(
        name=name, defaults={"agency": agency, "kind": kind, "member_agency": member, "country": country}
    )
    return org


def _committee(agency: Agency, name: str, kind: str, area: Area | None) -> Committee:
    """A committee with a chair, a secretary and members from the directory's responders."""
    committee, created = Committee.objects.get_or_create(
        name=name, defaults={"agency": agency, "kind": kind, "area": area}
    )
    if created:
        members = list(Responder.objects.filter(active=True).order_by("pk")[:6])
        for n, responder in enumerate(members):
            seat = "chair" if n == 0 else "secretary" if n == 1 else "member"
            CommitteeMember.objects.create(committee=committee, responder=responder, seat=seat)
    return committee


def _pick(rng: random.Random, items: list[Workplace], share: float) -> int | None:
    return rng.choice(items).pk if items and rng.random() < share else None


@transaction.atomic
def generate_migration(
    *, agencies: dict[str, Agency], count: int = 300, seed: int = 11, today: date | None = None
) -> dict[str, int]:
    """Two channels run by the coordination centre, with a year of registrations and check-ins."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    cc, ngo = agencies["cc"], agencies.get("ngo", agencies["cc"])
    coordinator = User.objects.get(username="cc.coordinator")
    ngo_coordinator = User.objects.filter(username="ngo.coordinator").first() or coordinator
    origins = {code: Area.objects.filter(code=code).first() for code in ("5007", "5018")}
    if not all(origins.values()):
        return {"channels": 0, "registrations": 0}
    ngo_office = Organisation.objects.filter(member_agency=ngo).first() or _organisation(
        ngo, ngo.name, "ngo", ngo
    )
    bangkok = _organisation(ngo, "Bangkok migrant workers' help desk (NGO partner)", "ngo", ngo)
    jinghong = _organisation(cc, "Jinghong women's federation migrant service", "social_services", None, "CN")
    channels = [
        services.channel_create(
            actor=coordinator,
            agency=cc,
            name="Mae Taeng – Bangkok",
            origin_area_code="5007",
            destination_country="TH",
            destination_place="Bangkok",
            origin_committee_id=_committee(
                cc, "Mae Taeng safe-migration committee", "migration", origins["5007"]
            ).pk,
            destination_organisation_id=bangkok.pk,
        ),
        services.channel_create(
            actor=coordinator,
            agency=cc,
            name="Village – Jinghong (cross-border)",
            origin_area_code="5018",
            destination_country="CN",
            destination_place="Jinghong, Xishuangbanna",
            origin_organisation_id=ngo_office.pk,
            origin_committee_id=_committee(
                ngo, "Border villages migration committee", "migration", origins["5018"]
            ).pk,
            destination_committee_id=_committee(cc, "Jinghong destination committee", "migration", None).pk,
            destination_organisation_id=jinghong.pk,
            checkin_days=[14, 60, 120, 180],
        ),
    ]
    villages = {
        channel.pk: list(Area.objects.filter(level="village", path__startswith=channel.origin_area.path))
        for channel in channels
    }
    recruiters = list(Recruiter.objects.filter(agency=cc, registered_on__isnull=False)[:6])
    while len(recruiters) < 4:
        recruiters.append(
            recruiter_create(
                actor=None,
                agency=cc,
                name=f"Registered recruiter {len(recruiters) + 1}",
                kind="agency",
                licence_status="licensed",
                registered_on=today - timedelta(days=rng.randint(200, 400)),
                registration_office="District office",
            )
        )
    workplaces = list(Workplace.objects.visible_to(coordinator).filter(status="active")[:80])
    ngo_workplaces = list(Workplace.objects.visible_to(ngo_coordinator).filter(status="active")[:80])
    vacancies = []
    for recruiter in recruiters:
        village = rng.choice(villages[channels[0].pk])
        vacancies.append(
            services.vacancy_create(
                actor=coordinator,
                recruiter_id=recruiter.pk,
                village_code=village.code,
                posted_on=today - timedelta(days=rng.randint(30, 300)),
                title=rng.choice(
                    ["Fruit picker", "Factory packer", "Construction helper", "Restaurant worker"]
                ),
                places=rng.randint(3, 20),
                wage=f"{rng.choice([350, 400, 450])} baht a day",
                fee_charged=rng.random() < 0.25,
                workplace_id=rng.choice(workplaces).pk if workplaces else None,
            )
        )
    made = withdrawn = cases = observations = 0
    for number in range(count):
        channel = channels[number % 2]
        actor = coordinator if channel is channels[0] else ngo_coordinator
        registered_on = today - timedelta(days=rng.randint(3, 360))
        travel = registered_on + timedelta(days=rng.randint(0, 10))
        age = rng.randint(15, 35)
        sex = rng.choice(["female", "male"])
        given = rng.choice(GIVEN_F if sex == "female" else GIVEN_M)
        family = rng.choice(FAMILY)
        child = age < 18
        try:
            registration = services.registration_create(
                actor=actor,
                channel=channel,
                registered_on=registered_on,
                purpose=rng.choices(["work", "study", "family"], weights=[8, 1, 1])[0],
                sector=rng.choice(
                    ["agriculture", "construction", "manufacturing", "hospitality", "domestic"]
                ),
                travel_date=travel,
                expected_arrival=travel + timedelta(days=rng.randint(1, 3)),
                consent="guardian" if child else "person",
                person_fields={
                    "given_name": given[0],
                    "given_name_latin": given[1],
                    "family_name": family[0],
                    "family_name_latin": family[1],
                    "sex": sex,
                    "birth_year": registered_on.year - age,
                    "village_code": rng.choice(villages[channel.pk]).code,
                },
                phone=f"08{rng.randint(10000000, 99999999)}",
                messaging=rng.choice(["LINE", "WeChat", "Messenger"]) + " (demo)",
                family_contact=rng.choice(["Mother", "Father", "Aunt"])
                + f", 08{rng.randint(10000000, 99999999)}",
                documents=[{"kind": "ID card", "number": f"{rng.randint(1, 8)}-{rng.randint(1000, 9999)}-X"}],
                orientation={
                    key: rng.random() < 0.85 for key in ("rights", "hotlines", "contract", "fees", "trouble")
                },
                completed_compulsory_education=(rng.random() < 0.6) if child else True,
                recruiter_id=rng.choice(recruiters).pk
                if actor is coordinator and rng.random() < 0.5
                else None,
                planned_workplace_id=_pick(rng, workplaces if actor is coordinator else ngo_workplaces, 0.3),
            )
        except ValidationError:
            continue  # the generator keeps to the rules; a rare combination they refuse is skipped
        made += 1
        if actor is coordinator and rng.random() < 0.15:
            vacancy = rng.choice(vacancies)
            services.placement_create(
                actor=actor,
                registration=registration,
                vacancy_id=vacancy.pk,
                placed_on=min(today, registered_on),
            )
        arrived = registration.expected_arrival + timedelta(days=rng.randint(0, 2))
        if arrived >= today or rng.random() < 0.08:
            continue  # still on the way, or arrival never confirmed (an alert)
        registration = services.arrival_confirm(actor=actor, registration=registration, arrived_on=arrived)
        for checkin in registration.checkins.filter(kind="scheduled", due_on__lt=today).order_by("due_on"):
            if rng.random() < 0.12:
                continue  # missed: it will show as overdue
            assert checkin.due_on is not None
            done_on = min(today, checkin.due_on + timedelta(days=rng.randint(0, 5)))
            reached = rng.random() > 0.1
            problems = rng.sample(PROBLEMS, rng.randint(1, 2)) if reached and rng.random() < 0.2 else []
            done = services.checkin_record(
                actor=actor,
                registration=registration,
                checkin=checkin,
                done_on=done_on,
                reached=reached,
                how=rng.choice(["phone", "message", "visit"]),
                work_ok=None if not reached else not problems,
                pay_ok=None if not reached else "withholding_of_wages" not in problems,
                housing_ok=None if not reached else "housing" not in problems,
                problems=problems,
            )
            if problems and registration.planned_workplace_id and rng.random() < 0.5:
                try:
                    services.problem_to_observation(actor=coordinator, checkin=done)
                    observations += 1
                except ValidationError:
                    pass
            if problems and rng.random() < 0.25:
                services.problem_to_case(actor=actor, checkin=done)
                cases += 1
        if rng.random() < 0.03:
            services.consent_withdraw(
                actor=actor, registration=registration, reason="Does not want calls any more."
            )
            withdrawn += 1
    market = Area.objects.filter(level="village", path__startswith="TH/50/5001/").first()
    sites = 0
    if market is not None:
        for n in range(10):
            site = services.site_registration_create(
                actor=coordinator,
                site_kind="market",
                site_name="Warorot market",
                site_area_code=market.code,
                found_on=today - timedelta(days=rng.randint(5, 200)),
                person_fields={"given_name": f"Child {n + 1}", "birth_year": today.year - rng.randint(9, 15)},
                employer=rng.choice(["Noodle stall", "Fruit seller", "Flower stall"]),
                work=rng.choice(["Selling", "Carrying goods", "Washing dishes"]),
                origin_country=rng.choice(["MM", "TH", "LA"]),
                origin_place=rng.choice(["Tachileik", "Mae Sai", "Houayxay"]),
                family_contact="Through the village head",
            )
            services.tracing_step_add(
                actor=coordinator,
                site=site,
                done_on=site.found_on,
                action="Asked the stall owner and the village head",
                result="A relative's number found",
                tracing=rng.choice(["open", "found", "found", "not_found"]),
            )
            sites += 1
    alerts = services.alerts_scan(today=today)
    return {
        "channels": Channel.objects.count(),
        "registrations": made,
        "withdrawn": withdrawn,
        "cases": cases,
        "observations": observations,
        "sites": sites,
        **alerts,
    }
