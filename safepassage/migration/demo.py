"""Synthetic safe-migration data for the demo province: two channels run by the coordination centre — one
domestic (a district to Bangkok) and one across the border (a district to Jinghong, Xishuangbanna, as seed
002's Manxixia–Jinghong channel) — with about 300 registrations over the last year from the origin districts'
villages: orientation, contacts, children who had not finished school (counselled), registered recruiters'
jobs and placements, arrivals, check-in histories (some missed, some not reached, some reporting problems, a
few of them turned into workplace evidence or labour cases), a few consent withdrawals, and ten children found
at a market with family tracing. Everything goes through the services, so every rule and audit applies; the
seed fixes the data and every date is relative to `today`."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from safepassage.accounts.models import Agency, Membership, User
from safepassage.core.roles import Role
from safepassage.geo.models import Area
from safepassage.migration import services
from safepassage.migration.models import Problem, Vacancy
from safepassage.network import services as network_services
from safepassage.network.models import Committee, Organisation, Responder
from safepassage.registry.demo import person_name
from safepassage.workplaces.models import Recruiter, Workplace
from safepassage.workplaces.services import recruiter_create, recruiter_screen

DOMESTIC_ORIGIN = "5007"  # the coordination centre's volunteer covers villages there
BORDER_ORIGIN = "5018"  # the NGO's office and volunteer are there
MARKET_DISTRICT = "5001"
PROBLEMS = [p for p in Problem.values if p != Problem.OTHER]
SECTORS = ["agriculture", "construction", "manufacturing", "hospitality", "domestic", "markets"]
JOBS = {
    "agriculture": "Fruit picker",
    "manufacturing": "Factory packer",
    "construction": "Construction helper",
    "hospitality": "Restaurant worker",
}
WITHDRAW_EVERY = 29  # about 3 in 100 of the people who arrived withdraw their consent later


def _coordinator(agency: Agency) -> User | None:
    """A coordinator (or else an administrator) of the agency: the demo's registering staff."""
    for role in (Role.COORDINATOR, Role.ADMIN):
        membership = (
            Membership.objects.filter(agency=agency, role=role, active=True, user__is_active=True)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if membership is not None:
            return membership.user
    return None


def _organisation(agency: Agency, name: str, kind: str, member: Agency | None, **fields: Any) -> Organisation:
    """A directory entry found by name, or added to the directory."""
    found = Organisation.objects.filter(name=name).first()
    if found is not None:
        return found
    return network_services.organisation_create(
        actor=None,
        agency=agency,
        name=name,
        kind=kind,
        member_agency_code=member.code if member is not None else None,
        **fields,
    )


def _committee(
    agency: Agency,
    district: Area | None,
    name: str,
    rng: random.Random,
    today: date,
    languages: tuple[str, ...] = (),
) -> Committee:
    """The directory's safe-migration committee of the district where there is one; otherwise a new one,
    seated with the responders who cover the district (or speak the destination's language), then others."""
    if district is not None:
        found = Committee.objects.filter(
            kind="migration", active=True, area__path__startswith=district.path
        ).first()
        if found is not None:
            return found
    committee = Committee.objects.filter(name=name).first()
    if committee is not None:
        return committee
    committee = network_services.committee_create(
        actor=None,
        agency=agency,
        name=name,
        kind="migration",
        area_code=district.code if district is not None else None,
        meets="Monthly",
    )
    # Then the keeping agency's own responders, then anyone's.
    responders = sorted(
        Responder.objects.filter(active=True).exclude(role_type="focal_point").order_by("pk"),
        key=lambda r: r.agency_id != agency.pk,
    )
    near = Q(pk__in=[])
    if district is not None:
        near |= Q(areas__path__startswith=district.path)
    for code in languages:
        near |= Q(languages__icontains=f'"{code}"')
    first = list(
        Responder.objects.filter(near, active=True).exclude(role_type="focal_point").distinct().order_by("pk")
    )
    members = (first + [r for r in responders if r not in first])[:6]
    for n, responder in enumerate(members):
        network_services.committee_seat_set(
            actor=None,
            committee=committee,
            responder_id=responder.pk,
            seat="chair" if n == 0 else "secretary" if n == 1 else "member",
            since=today - timedelta(days=rng.randint(60, 700)),
        )
    return committee


def _recruiters(
    agency: Agency, office: str, how_many: int, rng: random.Random, today: date
) -> list[Recruiter]:
    """Licensed recruiters of the agency who registered at the local office and raised no concerns when
    screened (sin space), registering more if needed."""
    found = list(
        Recruiter.objects.filter(agency=agency, registered_on__isnull=False, licence_status="licensed")
        .exclude(screening="concerns")
        .order_by("pk")[:how_many]
    )
    while len(found) < how_many:
        recruiter = recruiter_create(
            actor=None,
            agency=agency,
            name=f"{office} registered recruiter {len(found) + 1}",
            kind="agency",
            licence_status="licensed",
            registered_on=today - timedelta(days=rng.randint(200, 400)),
            registration_office=f"{office} district office",
        )
        found.append(recruiter_screen(actor=None, recruiter=recruiter, result="cleared", red_flags=[]))
    return found


def _person(rng: random.Random, registered_on: date, village: Area, age: int) -> dict[str, Any]:
    sex = rng.choice(["female", "male"])
    name = person_name(rng, sex, district_code=village.code[:4])  # of the peoples of the home district
    return {
        "given_name": name.given,
        "given_name_latin": name.given_latin,
        "family_name": name.family,
        "family_name_latin": name.family_latin,
        "sex": sex,
        "birth_year": registered_on.year - age,
        "village_code": village.code,
    }


def _phone(rng: random.Random) -> str:
    return f"08{rng.randint(10000000, 99999999)}"


@transaction.atomic
def generate_migration(
    *, agencies: dict[str, Agency], count: int = 300, seed: int = 11, today: date | None = None
) -> dict[str, int]:
    """Two channels run by the coordination centre ("cc"), with a year of registrations and their histories.
    `today` may be in the past (never after the real date: the services refuse future dates)."""
    rng = random.Random(seed)
    today = min(today or timezone.localdate(), timezone.localdate())
    cc = agencies["cc"]
    ngo = agencies.get("ngo", cc)
    origins = {
        code: Area.objects.filter(code=code, level="district").first()
        for code in (DOMESTIC_ORIGIN, BORDER_ORIGIN)
    }
    coordinator = _coordinator(cc)
    ngo_coordinator = _coordinator(ngo) or coordinator
    domestic, border = origins[DOMESTIC_ORIGIN], origins[BORDER_ORIGIN]
    if domestic is None or border is None or coordinator is None or ngo_coordinator is None:
        return {"channels": 0, "registrations": 0}

    # The ends: the centre's office (the NGO's at the border) where people register; a partner help desk in
    # Bangkok; a migrant service in Jinghong; each with its committee.
    cc_office = Organisation.objects.filter(member_agency=cc).order_by("pk").first() or _organisation(
        cc, cc.name, "member", cc
    )
    ngo_office = Organisation.objects.filter(member_agency=ngo).order_by("pk").first() or _organisation(
        ngo, ngo.name, "member", ngo
    )
    bangkok = _organisation(
        ngo,
        "Bangkok migrant workers' help desk (NGO partner)",
        "ngo",
        ngo,
        phone="02 000 0300",
        services=["safe_migration", "legal"],
        languages=["th", "my", "en"],
    )
    jinghong = _organisation(
        cc,
        "Jinghong women's federation migrant service",
        "social_services",
        None,
        country="CN",
        languages=["zh", "th"],
        services=["safe_migration"],
    )
    channels = [
        services.channel_create(
            actor=coordinator,
            agency=cc,
            name=f"{domestic.name_en} – Bangkok",
            origin_area_code=domestic.code,
            destination_country="TH",
            destination_place="Bangkok",
            origin_organisation_id=cc_office.pk,
            origin_committee_id=_committee(
                cc, domestic, f"{domestic.name_en} safe-migration committee", rng, today
            ).pk,
            destination_organisation_id=bangkok.pk,
        ),
        services.channel_create(
            actor=coordinator,
            agency=cc,
            name=f"{border.name_en} – Jinghong (across the border)",
            origin_area_code=border.code,
            destination_country="CN",
            destination_place="Jinghong, Xishuangbanna",
            origin_organisation_id=ngo_office.pk,
            origin_committee_id=_committee(
                ngo, border, f"{border.name_en} safe-migration committee", rng, today
            ).pk,
            destination_organisation_id=jinghong.pk,
            destination_committee_id=_committee(
                cc, None, "Jinghong destination committee", rng, today, languages=("zh",)
            ).pk,
            checkin_days=[14, 60, 120, 180],
        ),
    ]
    villages = {
        channel.pk: list(Area.objects.filter(level="village", path__startswith=channel.origin_area.path))
        for channel in channels
    }
    staff = {channels[0].pk: coordinator, channels[1].pk: ngo_coordinator}
    recruiters = {
        channels[0].pk: _recruiters(cc, domestic.name_en, 4, rng, today),
        channels[1].pk: _recruiters(ngo, border.name_en, 2, rng, today),
    }
    # Workplaces of sin space each end's staff may link, by sector: a planned workplace is of the kind of work
    # the person said they would do.
    workplaces: dict[int, dict[str, list[Workplace]]] = {}
    for pk, user in staff.items():
        workplaces[pk] = {sector: [] for sector in SECTORS}
        for workplace in Workplace.objects.visible_to(user).filter(status="active", sector__in=SECTORS):
            workplaces[pk][workplace.sector].append(workplace)
    vacancies: dict[int, dict[str, list[Vacancy]]] = {}
    for channel in channels:
        actor = staff[channel.pk]
        brought: dict[str, list[Vacancy]] = {sector: [] for sector in SECTORS}
        for recruiter in recruiters[channel.pk]:
            sector = rng.choice(list(JOBS))
            places = workplaces[channel.pk][sector]
            brought[sector].append(
                services.vacancy_create(
                    actor=actor,
                    recruiter_id=recruiter.pk,
                    village_code=rng.choice(villages[channel.pk]).code,
                    posted_on=today - timedelta(days=rng.randint(30, 300)),
                    title=JOBS[sector],
                    places=rng.randint(3, 20),
                    wage=f"{rng.choice([350, 400, 450])} baht a day",
                    fee_charged=rng.random() < 0.25,
                    workplace_id=rng.choice(places).pk if places else None,
                )
            )
        vacancies[channel.pk] = brought

    made = arrived_count = withdrawn = cases = observations = missed = placements = 0
    for number in range(count):
        channel = channels[number % 2]
        actor = staff[channel.pk]
        registered_on = today - timedelta(days=rng.randint(3, 360))
        travel = registered_on + timedelta(days=rng.randint(0, 10))
        age = rng.randint(15, 35)
        child = age < 18
        work = rng.random() < 0.8
        sector = rng.choice(SECTORS) if work else ""
        places = workplaces[channel.pk].get(sector, [])
        try:
            registration = services.registration_create(
                actor=actor,
                channel=channel,
                registered_on=registered_on,
                purpose="work" if work else rng.choice(["study", "family"]),
                sector=sector,
                travel_date=travel,
                expected_arrival=travel + timedelta(days=rng.randint(1, 3)),
                consent="guardian" if child else "person",
                person_fields=_person(rng, registered_on, rng.choice(villages[channel.pk]), age),
                phone=_phone(rng),
                messaging=rng.choice(["LINE", "WeChat", "Messenger"]) + " (demo)",
                family_contact=rng.choice(["Mother", "Father", "Aunt"]) + f", {_phone(rng)}",
                documents=[{"kind": "ID card", "number": f"{rng.randint(1, 8)}-{rng.randint(1000, 9999)}-X"}],
                orientation={key: rng.random() < 0.85 for key in services.ORIENTATION},
                # Children who have not finished school are counselled (and registered all the same).
                completed_compulsory_education=(rng.random() < 0.6) if child else True,
                recruiter_id=rng.choice(recruiters[channel.pk]).pk if work and rng.random() < 0.4 else None,
                planned_workplace_id=rng.choice(places).pk if places and rng.random() < 0.4 else None,
            )
        except ValidationError:
            continue  # the generator keeps to the rules; a rare combination they refuse is skipped
        made += 1
        jobs = vacancies[channel.pk].get(sector, [])
        if jobs and rng.random() < 0.5:
            services.placement_create(
                actor=actor,
                registration=registration,
                vacancy_id=rng.choice(jobs).pk,
                placed_on=registered_on,
            )
            placements += 1
        arrived = registration.expected_arrival + timedelta(days=rng.randint(0, 2))
        if arrived >= today or rng.random() < 0.08:
            continue  # still on the way, or arrival never confirmed (an alert)
        registration = services.arrival_confirm(actor=actor, registration=registration, arrived_on=arrived)
        arrived_count += 1
        for checkin in registration.checkins.filter(kind="scheduled", due_on__lt=today).order_by("due_on"):
            assert checkin.due_on is not None
            if rng.random() < 0.12:
                missed += 1
                continue  # left undone: overdue, and the scan raises a missed check-in
            reached = rng.random() > 0.1
            problems = rng.sample(PROBLEMS, rng.randint(1, 2)) if reached and rng.random() < 0.2 else []
            done = services.checkin_record(
                actor=actor,
                registration=registration,
                checkin=checkin,
                done_on=min(today, checkin.due_on + timedelta(days=rng.randint(0, 5))),
                reached=reached,
                how=rng.choice(["phone", "message", "visit"]),
                work_ok=None if not reached else not problems,
                pay_ok=None if not reached else "withholding_of_wages" not in problems,
                housing_ok=None if not reached else "housing" not in problems,
                problems=problems,
            )
            if problems and registration.planned_workplace_id and rng.random() < 0.7:
                try:
                    services.problem_to_observation(actor=coordinator, checkin=done)
                    observations += 1
                except ValidationError:
                    pass  # none of the problems is a workplace indicator
            elif problems and rng.random() < 0.25:
                services.problem_to_case(actor=actor, checkin=done)
                cases += 1
        if arrived_count % WITHDRAW_EVERY == 1:
            services.consent_withdraw(
                actor=actor,
                registration=registration,
                on=today,
                reason="Does not want calls any more.",
            )
            withdrawn += 1

    sites = _market_children(rng, coordinator, today)
    alerts = services.alerts_scan(today=today)
    return {
        "channels": len(channels),
        "registrations": made,
        "arrived": arrived_count,
        "missed": missed,
        "withdrawn": withdrawn,
        "placements": placements,
        "cases": cases,
        "observations": observations,
        "sites": sites,
        **{f"alerts_{kind}": n for kind, n in alerts.items()},
    }


def _market_children(rng: random.Random, coordinator: User, today: date) -> int:
    """Ten working children found at a market in the provincial town, with a family-tracing step each."""
    market = (
        Area.objects.filter(level="village", path__contains=f"/{MARKET_DISTRICT}/").order_by("path").first()
    )
    if market is None:
        return 0
    for _n in range(10):
        sex = rng.choice(["female", "male"])
        origin = rng.choice(["MM", "TH", "LA"])
        name = person_name(rng, sex, nationality=origin)
        site = services.site_registration_create(
            actor=coordinator,
            site_kind="market",
            site_name="Warorot market",
            site_area_code=market.code,
            found_on=today - timedelta(days=rng.randint(5, 200)),
            person_fields={
                "given_name": name.given,
                "given_name_latin": name.given_latin,
                "family_name": name.family,
                "family_name_latin": name.family_latin,
                "sex": sex,
                "birth_year": today.year - rng.randint(9, 15),
            },
            employer=rng.choice(["Noodle stall", "Fruit seller", "Flower stall"]),
            work=rng.choice(["Selling", "Carrying goods", "Washing dishes"]),
            origin_country=origin,
            origin_place={"MM": "Tachileik", "TH": "Mae Sai", "LA": "Houayxay"}[origin],
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
    return 10


def generate_followup(
    *, agencies: dict[str, Agency], seed: int = 22, today: date | None = None
) -> dict[str, int]:
    """Demo for issue 22 part 8: labour disputes at several levels of the path, returned workers' experience
    and reintegration steps (one of them a child followed up after school)."""
    from safepassage.migration import followup
    from safepassage.migration.models import DisputeLevel, Registration

    rng = random.Random(seed)
    today = today or timezone.localdate()
    path = list(DisputeLevel.objects.filter(active=True).values_list("code", flat=True))
    arrived = Registration.objects.filter(
        status=Registration.Status.ARRIVED, arrived_on__lte=today - timedelta(days=60)
    ).order_by("pk")
    made = {"disputes": 0, "returned": 0}
    for n, registration in enumerate(arrived[:60]):
        actor = _coordinator(registration.agency)
        if actor is None or registration.arrived_on is None:
            continue
        if n % 6 == 0 and path:
            start = registration.arrived_on + timedelta(days=rng.randint(20, 50))
            dispute = followup.dispute_open(
                actor=actor,
                registration=registration,
                opened_on=start,
                about=rng.sample(
                    ["unlawful_deposits", "withholding_of_wages", "breach_of_contract", "dismissal"], 1
                ),
                employer_name="(demo employer)",
                first_level=path[0],
                handled_by="Community worker",
            )
            for climb, code in enumerate(path[1 : rng.randint(1, len(path))], start=1):
                when = start + timedelta(days=7 * climb)
                if when > today:
                    break
                followup.dispute_escalate(actor=actor, dispute=dispute, level=code, taken_on=when)
            if rng.random() < 0.4:
                followup.dispute_close(
                    actor=actor,
                    dispute=dispute,
                    status="resolved",
                    closed_on=today,
                    outcome="Deposit paid back",
                )
            made["disputes"] += 1
        elif n % 6 == 3:
            back = min(today, registration.arrived_on + timedelta(days=rng.randint(40, 200)))
            followup.return_interview_record(
                actor=actor,
                registration=registration,
                returned_on=back,
                interviewed_on=today,
                why=rng.choice(["contract_ended", "chose", "dismissed", "escaped"]),
                paid_as_promised=rng.random() < 0.6,
                job_as_promised=rng.random() < 0.7,
                problems=rng.sample(PROBLEMS, rng.randint(0, 2)),
                would_go_again=rng.choice(["yes", "no", "unsure"]),
                experience="Synthetic demo: the work was harder than we were told.",
                advice_for_others="Register with the channel and keep the hotline number.",
            )
            step = followup.reintegration_add(
                actor=actor,
                registration=registration,
                kind=rng.choice(["school", "training", "livelihood", "family"]),
                started_on=back,
            )
            followup.reintegration_follow_up(
                actor=actor, step=step, followed_up_on=today, status="ongoing", back_in_child_labour=False
            )
            made["returned"] += 1
    made["red_flags"] = _red_flags_at_destination(rng, today)
    return made


def _red_flags_at_destination(rng: random.Random, today: date) -> int:
    """The destination end of each channel raises a red flag on one recruiter who sends people through it."""
    from safepassage.migration import recruiters
    from safepassage.migration.models import Channel, Registration

    raised = 0
    for channel in Channel.objects.select_related("destination_organisation").order_by("pk"):
        pick = (
            Registration.objects.filter(channel=channel, recruiter__isnull=False)
            .order_by("pk")
            .values_list("recruiter_id", flat=True)
            .first()
        )
        destination = channel.destination_agency_id
        actor = (
            _coordinator(Agency.objects.get(pk=destination)) if destination else _coordinator(channel.agency)
        )
        if pick is None or actor is None:
            continue
        recruiters.recruiter_flag_raise(
            actor=actor,
            channel=channel,
            recruiter_id=pick,
            flag=rng.choice(["holds_documents", "salary_deductions", "transport_costs"]),
            seen_on=today - timedelta(days=rng.randint(1, 60)),
            note="Synthetic demo: told by workers at a check-in.",
        )
        raised += 1
    return raised
