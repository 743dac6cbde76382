"""Synthetic cases for the demo province: about 200 cases across every stage, with journeys from villages to
workplaces (in the province and abroad), screening, the legal process, shelter stays, returns, conferences and
referrals between the demo agencies. Made through the services, so every rule and audit event applies."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safepassage.accounts.models import Agency, User
from safepassage.cases import htcds, services
from safepassage.cases.models import Case, Stage, age_on
from safepassage.geo.models import Area
from safepassage.network.models import Agreement, FocalPoint, Organisation, Responder
from safepassage.registry.demo import person_name
from safepassage.workplaces.models import Workplace

# How victims were recruited, in the HTCDS terms: mostly through friends, neighbours and relatives (word of
# mouth, often a broker they knew), then online, a broker who came to the village ("Other"), an agency's
# office or a walk-in at a place of business, at work; adverts in print or on television rarely.
RECRUITMENT_METHODS = {
    htcds.RecruitmentMethod.FRIENDS: 32,
    htcds.RecruitmentMethod.FAMILY: 20,
    htcds.RecruitmentMethod.SOCIAL_NETWORKS: 14,
    htcds.RecruitmentMethod.OTHER: 11,
    htcds.RecruitmentMethod.PLACE_OF_BUSINESS: 8,
    htcds.RecruitmentMethod.ONLINE_AD: 6,
    htcds.RecruitmentMethod.AT_WORK: 5,
    htcds.RecruitmentMethod.EDUCATION: 2,
    htcds.RecruitmentMethod.NEWSPAPER_AD: 1,
    htcds.RecruitmentMethod.TV_AD: 1,
}
ABROAD = {"MY": "Kuala Lumpur", "CN": "Kunming", "TH": "Bangkok", "MM": "Tachileik", "LA": "Vientiane"}
LEGAL_PATH = ["investigation", "prosecution", "trial", "verdict", "compensation"]
AFTER_LEGAL = ["rehabilitation", "best_interests", "return", "reintegration", "follow_up", "closed"]


def _organisation(agency: Agency, kind: str, name: str, area: Area | None) -> Organisation:
    org, _ = Organisation.objects.get_or_create(
        name=name,
        defaults={
            "agency": agency,
            "kind": kind,
            "member_agency": agency if kind == "member" else None,
            "area": area,
        },
    )
    return org


def _focal_point(agency: Agency, country: str, office: Organisation, name: str) -> Responder:
    existing = FocalPoint.objects.filter(country=country, purpose="repatriation", active=True).first()
    if existing is not None:
        return existing.responder
    responder = Responder.objects.create(
        agency=agency,
        organisation=office,
        name=name,
        role_type="focal_point",
        country=country,
        languages=["en"],
    )
    agreement = None
    for candidate in Agreement.objects.filter(active=True):
        if country in candidate.countries and "TH" in candidate.countries and len(candidate.countries) == 2:
            agreement = candidate
    FocalPoint.objects.create(
        agency=agency, country=country, purpose="repatriation", responder=responder, agreement=agreement
    )
    return responder


@transaction.atomic
def generate_cases(
    *, agencies: dict[str, Agency], count: int = 200, seed: int = 7, today: date | None = None
) -> dict[str, int]:
    """Cases of the coordination centre and the NGO, spread over three years and every stage."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    province = Area.objects.filter(code="50").first()
    villages = list(Area.objects.filter(level="village").order_by("code"))
    if not villages:
        return {"cases": 0}
    cc, ngo = agencies["cc"], agencies["ngo"]
    actors = {
        cc.pk: User.objects.get(username="cc.coordinator"),
        ngo.pk: User.objects.get(username="ngo.coordinator"),
    }
    offices = {
        cc.pk: _organisation(cc, "member", cc.name, province),
        ngo.pk: _organisation(ngo, "member", ngo.name, province),
    }
    labour_office = _organisation(agencies["labour"], "member", agencies["labour"].name, province)
    shelters = list(Organisation.objects.filter(kind="shelter", active=True)) or [
        _organisation(cc, "shelter", "Provincial Home for Children and Families", province)
    ]
    legal_aid = _organisation(ngo, "legal_aid", "Lawyers Council legal aid desk", province)
    focal = {
        "MM": _focal_point(
            cc, "MM", _organisation(cc, "social_services", "Myawaddy Social Welfare (MM)", None), "Daw Focal"
        ),
        "LA": _focal_point(
            cc,
            "LA",
            _organisation(cc, "social_services", "Bokeo Labour and Social Welfare (LA)", None),
            "Ms Focal",
        ),
    }
    workplaces = list(Workplace.objects.filter(status="active").select_related("village")[:300])
    stages = {s.code: s for s in Stage.objects.filter(active=True)}
    made = 0
    for number in range(count):
        owner = cc if number % 3 else ngo
        actor = actors[owner.pk]
        opened = today - timedelta(days=rng.randint(20, 3 * 365))
        child = rng.random() < 0.45
        age_then = rng.randint(11, 17) if child else rng.randint(18, 40)
        nationality = rng.choices(["TH", "MM", "LA"], weights=[5, 3, 2])[0]
        sex = rng.choices(["female", "male"], weights=[6, 4])[0]
        name = person_name(rng, sex, nationality=nationality)
        home = rng.choice(villages)
        labour_only = not child and rng.random() < 0.3
        exploitation = rng.choice(["ForcedLabour", "SexualExploitation", "ForcedBegging", "Servitude"])
        if child and exploitation == "ForcedLabour":
            exploitation = rng.choice(["ChildLabour", "ForcedLabour"])
        try:
            case = services.case_open(
                actor=actor,
                agency=owner,
                opened_on=opened,
                person_fields={
                    "given_name": name.given,
                    "given_name_latin": name.given_latin,
                    "family_name": name.family,
                    "family_name_latin": name.family_latin,
                    "sex": sex,
                    "birth_year": opened.year - age_then - (1 if rng.random() < 0.3 else 0),
                    "village_code": home.code,
                },
                nationality=nationality,
                exploitation_types=[] if labour_only else [exploitation],
                control_methods=rng.sample(list(htcds.ControlMethod.values[:-1]), rng.randint(1, 4)),
                recruitment_methods=[recruitment_method(rng)],
                recruitment_apps=rng.sample(["Facebook", "Line", "WeChat", "TikTok"], rng.randint(0, 2)),
                relationship_to_trafficker=rng.choice(htcds.Relationship.values),
                immigration_status="citizen"
                if nationality == "TH"
                else rng.choice(["undocumented", "documented", "irregular"]),
            )
            _journey(rng, actor, case, home, opened, workplaces)
            services.screening_record(
                actor=actor,
                case=case,
                screened_on=opened + timedelta(days=1),
                age_at_exploitation=age_then,
                acts=["recruitment", rng.choice(["transport", "harbouring", "receipt"])],
                means=[]
                if labour_only
                else rng.sample(["deception", "debt_bondage", "abuse_of_vulnerability", "threat"], 2),
                purposes=["forced_labour"]
                if labour_only
                else ["sexual" if exploitation == "SexualExploitation" else "forced_labour"],
                labour_issues=["unpaid_wages", "irregular_deposit"] if labour_only else [],
            )
            case.refresh_from_db()
            _progress(
                rng, actor, case, opened, today, stages, shelters, legal_aid, labour_office, focal, child
            )
            if rng.random() < 0.35:
                _refer(rng, actor, case, offices, agencies, opened, today)
            if rng.random() < 0.5:
                conference = services.conference_record(
                    actor=actor,
                    case=case,
                    held_on=min(today, opened + timedelta(days=rng.randint(3, 20))),
                    other_attendees="MDT: police, social worker, labour inspector",
                    learned=rng.choice(
                        [
                            "Recruited by a neighbour who promised restaurant work; the debt grew monthly.",
                            "Taken across the border at night by car; documents kept by the broker.",
                            "Answered a Facebook advert for factory work; paid a fee and a deposit.",
                        ]
                    ),
                    decisions="Open an investigation; arrange legal aid and an interpreter.",
                    actions=[
                        {
                            "what": "Ask the police to visit the workplace",
                            "owner_name": "Police focal point",
                            "due_on": min(today, opened + timedelta(days=rng.randint(25, 60))),
                        }
                    ],
                )
                if rng.random() < 0.7:
                    action = conference.actions.get()
                    services.action_done(actor=actor, action=action, done_on=action.due_on)
            made += 1
        except ValidationError:
            # The generator keeps to the rules; a rare random combination they refuse is simply skipped.
            continue
    services.alerts_scan(today=today)
    return {"cases": made}


def recruitment_method(rng: random.Random) -> str:
    """How a demo victim was recruited, drawn from RECRUITMENT_METHODS."""
    return str(rng.choices(list(RECRUITMENT_METHODS), weights=list(RECRUITMENT_METHODS.values()))[0])


def _journey(
    rng: random.Random, actor: Any, case: Case, home: Area, opened: date, workplaces: list[Any]
) -> None:
    recruited = opened - timedelta(days=rng.randint(60, 400))
    born = case.person.birth_year or 1900
    recruited = max(recruited, date(born + 10, 1, 1))
    services.event_add(actor=actor, case=case, kind="recruitment", occurred_on=recruited, area_code=home.code)
    if rng.random() < 0.5 and workplaces:
        place = rng.choice(workplaces)
        services.event_add(
            actor=actor,
            case=case,
            kind="exploitation",
            occurred_on=recruited + timedelta(days=rng.randint(2, 20)),
            workplace_id=place.pk,
        )
    else:
        country = rng.choice(list(ABROAD))
        services.event_add(
            actor=actor,
            case=case,
            kind="transit",
            occurred_on=recruited + timedelta(days=1),
            country="TH",
            place="Mae Sai border crossing",
        )
        services.event_add(
            actor=actor,
            case=case,
            kind="exploitation",
            occurred_on=recruited + timedelta(days=rng.randint(3, 30)),
            country=country,
            place=ABROAD[country],
        )
    services.event_add(actor=actor, case=case, kind="identification", occurred_on=opened, area_code=home.code)


def _progress(
    rng: random.Random,
    actor: Any,
    case: Case,
    opened: date,
    today: date,
    stages: dict[str, Stage],
    shelters: list[Organisation],
    legal_aid: Organisation,
    labour_office: Organisation,
    focal: dict[str, Responder],
    child: bool,
) -> None:
    """Walk the case forward through a random share of its track, with realistic gaps between steps."""
    day = opened + timedelta(days=1)
    if case.track == "labour":
        path = ["screening", "labour_complaint", "mediation", "labour_court", "closed"]
    else:
        path = ["screening", "immediate_protection", "shelter", *LEGAL_PATH, *AFTER_LEGAL]
    stop = rng.randint(1, len(path))
    for code in path[:stop]:
        if code not in stages:
            continue
        gap = {"investigation": 60, "prosecution": 90, "trial": 120, "verdict": 60, "mediation": 30}.get(
            code, 10
        )
        nxt = day + timedelta(days=rng.randint(gap // 2, gap * 2))
        if nxt > today:
            break
        day = nxt
        if code == "shelter":
            age = age_on(case.person, day)
            if age is not None and age < 18:  # a child's placement rests on a best-interests assessment
                services.best_interests_record(
                    actor=actor,
                    case=case,
                    assessed_on=day,
                    assessor="Provincial social worker",
                    views="Wants to be somewhere safe, near school.",
                    recommendation="not_yet",
                    family_traced=False,
                )
            stay = services.shelter_stay_start(
                actor=actor, case=case, shelter_id=rng.choice(shelters).pk, started_on=day
            )
            length = rng.randint(10, 120)
            if day + timedelta(days=length) < today:
                services.shelter_stay_end(actor=actor, stay=stay, ended_on=day + timedelta(days=length))
            services.service_add(actor=actor, case=case, kind="psychosocial", status="ongoing", starts_on=day)
        if code == "investigation":
            services.legal_event_add(
                actor=actor,
                case=case,
                kind="complaint",
                happened_on=day,
                authority="Provincial police",
                next_deadline=day + timedelta(days=84),
                next_deadline_what="Investigation report due",
            )
            services.service_add(
                actor=actor, case=case, kind="legal_aid", provider_id=legal_aid.pk, starts_on=day
            )
        if code == "prosecution":
            for deadline in case.deadlines.filter(done_on__isnull=True):
                services.deadline_done(actor=actor, deadline=deadline, done_on=day)
        if code == "verdict":
            services.legal_event_add(
                actor=actor,
                case=case,
                kind="verdict",
                happened_on=day,
                authority="Provincial court",
                outcome=rng.choices(["convicted", "acquitted", "dismissed"], weights=[7, 2, 1])[0],
            )
        if code == "compensation" and rng.random() < 0.6:
            services.legal_event_add(
                actor=actor,
                case=case,
                kind="compensation_ordered",
                happened_on=day,
                amount=rng.randint(20, 300) * 1000,
            )
        if code == "mediation":
            services.legal_event_add(
                actor=actor,
                case=case,
                kind="mediation",
                happened_on=day,
                authority=labour_office.name,
                outcome=rng.choice(["settled", "partly_settled", "not_settled"]),
                amount=rng.randint(5, 60) * 1000,
            )
        if code == "best_interests":
            services.best_interests_record(
                actor=actor,
                case=case,
                assessed_on=day,
                assessor="Provincial social worker",
                views="Wants to go home and back to school." if child else "Wants to go home to family.",
                recommendation="return",
                family_traced=True,
                home_safe=True,
            )
        if code == "return" and case.nationality in focal:
            services.repatriation_prepare(
                actor=actor,
                case=case,
                kind="cross_border",
                destination_country=case.nationality,
                agreement_code=_agreement(case.nationality),
                receiving_focal_point_id=focal[case.nationality].pk,
                summary_language={"MM": "my", "LA": "lo"}[case.nationality],
                translated_summary="(summary translated for the receiving side)",
                planned_on=day,
            )
        if code == "follow_up":
            services.follow_up_record(
                actor=actor,
                case=case,
                kind="reintegration",
                done_on=day,
                by="District social worker",
                wellbeing=rng.choice(["good", "fair", "at_risk"]),
                summary="Visited at home.",
            )
        services.step_record(actor=actor, case=case, stage_code=code, started_on=day)
        case.refresh_from_db()


def _agreement(country: str) -> str:
    return {"MM": "th-mm-2009", "LA": "th-la-2005", "KH": "th-kh-2003", "VN": "th-vn-2008"}[country]


DEMO_PURPOSES = [
    "legal_aid",
    "psychosocial",
    "shelter",
    "family_tracing",
    "education",
    "labour_claim",
    "other",
]


def _refer(
    rng: random.Random,
    actor: Any,
    case: Case,
    offices: dict[int, Organisation],
    agencies: dict[str, Agency],
    opened: date,
    today: date,
) -> None:
    other = next(pk for pk in offices if pk != case.agency_id)
    referral = services.referral_create(
        actor=actor,
        case=case,
        to_organisation_id=offices[other].pk,
        purpose=rng.choice(DEMO_PURPOSES),
        services=rng.sample(["legal_aid", "interpretation", "psychosocial", "vocational"], 2),
        consent="guardian" if case.is_child else "person",
        consent_on=min(today, opened + timedelta(days=2)),
        details="Needs support the referring agency cannot give.",
    )
    receiver = User.objects.get(
        username="ngo.coordinator" if other == agencies["ngo"].pk else "cc.coordinator"
    )
    roll = rng.random()
    if roll < 0.25:
        return  # still waiting for an answer
    if roll < 0.35:
        services.referral_respond(
            actor=receiver, referral=referral, accept=False, note="No place this month."
        )
        return
    services.referral_respond(actor=receiver, referral=referral, accept=True, note="We take it.")
    if roll > 0.8:
        services.referral_close(actor=receiver, referral=referral, to="completed", note="Services given.")
