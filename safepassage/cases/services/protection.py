"""Protection and return: support services, shelter stays, best interests, repatriation and follow-up, notes,
conferences."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.accounts.models import Agency, User
from safepassage.audit.services import audit_record, diff
from safepassage.cases import selectors
from safepassage.cases.models import (
    CASE_ROLES,
    BestInterestsAssessment,
    Case,
    CaseAlert,
    CaseNote,
    Conference,
    ConferenceAction,
    FollowUp,
    Repatriation,
    ReturnMeasureKind,
    ReturnPartner,
    ShelterStay,
    Stage,
    SupportService,
    age_on,
)
from safepassage.cases.services._common import (
    _area,
    _case_audit,
    _check_day,
    _country,
    _editable,
    _fail,
    _organisation,
    _responder,
    _work_audit,
    _workable,
)
from safepassage.cases.services.alerts import _resolve_alerts
from safepassage.cases.services.case import _best_interests_for_return, step_record
from safepassage.core.access import viewer_for
from safepassage.core.kinds import kind_choices, kind_codes, kind_labels
from safepassage.network.models import Agreement, FocalPoint, Organisation, Responder


@transaction.atomic
def service_add(
    *,
    actor: Any,
    case: Case,
    kind: str,
    provider_id: int | None = None,
    responder_id: int | None = None,
    status: str = SupportService.Status.PLANNED,
    starts_on: date | None = None,
    ends_on: date | None = None,
    notes: str = "",
) -> SupportService:
    """A line of the support plan, with a provider from the directory. The receiving agency of an accepted
    referral adds the services it gives, resting on that referral."""
    case, via = _workable(actor, case, "service")
    if kind not in SupportService.Kind.values:
        raise _fail("kind", _("Unknown service."))
    if status not in SupportService.Status.values:
        raise _fail("status", _("Status is planned, ongoing, done or declined."))
    if starts_on and ends_on and ends_on < starts_on:
        raise _fail("ends_on", _("The end comes before the start."))
    service = SupportService.objects.create(
        case=case,
        kind=kind,
        provider=_organisation(actor, provider_id, "provider_id"),
        responder=_responder(actor, responder_id, "responder_id"),
        status=status,
        starts_on=starts_on,
        ends_on=ends_on,
        notes=notes,
        via_referral=via,
        recorded_by=actor,
    )
    _work_audit(actor, "cases.service.create", case, service, via, kind=kind, status=status)
    return service


@transaction.atomic
def service_update(
    *, actor: Any, service: SupportService, status: str, ends_on: date | None = None
) -> SupportService:
    _editable(actor, service.case)
    if status not in SupportService.Status.values:
        raise _fail("status", _("Status is planned, ongoing, done or declined."))
    before = {"status": service.status}
    service.status = status
    if ends_on:
        service.ends_on = ends_on
    service.save()
    _case_audit(actor, "cases.service.update", service.case, service, **diff(before, {"status": status}))
    return service


def shelter_limit(case: Case, on: date) -> int:
    """Days a shelter stay may last before it is reviewed: shorter for a child."""
    age = age_on(case.person, on)
    child = age is not None and age < 18
    return settings.SHELTER_DAYS_CHILD if child else settings.SHELTER_DAYS_ADULT


@transaction.atomic
def shelter_stay_start(
    *,
    actor: Any,
    case: Case,
    shelter_id: int,
    started_on: date,
    limit_days: int | None = None,
    notes: str = "",
) -> ShelterStay:
    case = _editable(actor, case)
    shelter = _organisation(actor, shelter_id, "shelter_id", kind=Organisation.Kind.SHELTER)
    if shelter is None:
        raise _fail("shelter_id", _("Choose the shelter."))
    _check_day(started_on, "started_on", case.person)
    if case.shelter_stays.filter(ended_on__isnull=True).exists():
        raise _fail("shelter_id", _("The person is already in a shelter: record when they left first."))
    age = age_on(case.person, started_on)
    if age is not None and age < 18 and not case.assessments.filter(assessed_on__lte=started_on).exists():
        raise _fail(
            "best_interests",
            _(
                "A child is placed in a shelter only after a safety and best-interests assessment: "
                "record one dated on or before the placement first."
            ),
        )
    limit = limit_days or shelter_limit(case, started_on)
    if limit < 1:
        raise _fail("limit_days", _("The limit must be at least one day."))
    stay = ShelterStay.objects.create(
        case=case, shelter=shelter, started_on=started_on, limit_days=limit, notes=notes, recorded_by=actor
    )
    _case_audit(actor, "cases.shelter.start", case, stay, shelter=shelter.pk, limit_days=limit)
    return stay


@transaction.atomic
def shelter_stay_end(*, actor: Any, stay: ShelterStay, ended_on: date) -> ShelterStay:
    _editable(actor, stay.case)
    _check_day(ended_on, "ended_on")
    if ended_on < stay.started_on:
        raise _fail("ended_on", _("The person cannot leave before they arrived."))
    stay.ended_on = ended_on
    stay.save(update_fields=["ended_on"])
    _resolve_alerts(CaseAlert.Kind.SHELTER, f"shelter:{stay.pk}", actor)
    _case_audit(actor, "cases.shelter.end", stay.case, stay, ended_on=ended_on)
    return stay


@transaction.atomic
def best_interests_record(
    *,
    actor: Any,
    case: Case,
    assessed_on: date,
    assessor: str,
    views: str,
    recommendation: str,
    family_traced: bool = False,
    home_safe: bool = False,
    risks: str = "",
) -> BestInterestsAssessment:
    """The safety and best-interests assessment: the person's own views are required."""
    case = _editable(actor, case)
    _check_day(assessed_on, "assessed_on", case.person)
    if recommendation not in BestInterestsAssessment.Recommendation.values:
        raise _fail("recommendation", _("Choose a recommendation."))
    if not assessor.strip():
        raise _fail("assessor", _("Say who assessed."))
    if not views.strip():
        raise _fail("views", _("Write down what the person wants: their views come first."))
    if recommendation == BestInterestsAssessment.Recommendation.RETURN and not home_safe:
        raise _fail(
            "home_safe", _("A return can be recommended only once the home was checked and found safe.")
        )
    assessment = BestInterestsAssessment.objects.create(
        case=case,
        assessed_on=assessed_on,
        assessor=assessor,
        views=views,
        recommendation=recommendation,
        family_traced=family_traced,
        home_safe=home_safe,
        risks=risks,
        recorded_by=actor,
    )
    _case_audit(actor, "cases.best_interests.create", case, assessment, recommendation=recommendation)
    return assessment


def transfer_packet(case: Case, repatriation: Repatriation) -> dict[str, Any]:
    """The minimum the receiving side needs: who is coming, what they need, the assessment, a summary.
    Never the address, health notes, documentation status, perpetrators or who reported the case; and
    nothing at all for a person who has not agreed to their case being shared."""
    if not case.consent_to_share:
        raise _fail(
            "consent_to_share",
            _(
                "The person has not agreed to their case being shared with other organisations, so their "
                "details cannot be sent to the receiving side. Record their agreement on the case first."
            ),
        )
    person = case.person
    assessment = repatriation.assessment
    return {
        "case_reference": case.reference,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "name_latin": person.latin_name,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "birth_year": person.birth_year,
        "child": case.is_child,
        "nationality": case.nationality,
        "languages": list(person.languages or []),
        "destination_country": repatriation.destination_country,
        "destination_area": repatriation.destination_area.code if repatriation.destination_area else None,
        "agreement": repatriation.agreement.name if repatriation.agreement else None,
        "best_interests": {
            "assessed_on": assessment.assessed_on.isoformat(),
            "recommendation": assessment.recommendation,
            "family_traced": assessment.family_traced,
            "home_safe": assessment.home_safe,
        },
        "support_needed": sorted({s.kind for s in case.services.all() if s.status in ("planned", "ongoing")}),
        "summary_language": repatriation.summary_language,
        "summary": repatriation.translated_summary,
        "sending_agency": case.agency.name,
    }


@transaction.atomic
def repatriation_prepare(
    *,
    actor: Any,
    case: Case,
    kind: str,
    destination_country: str,
    assessment_id: int | None = None,
    agreement_code: str | None = None,
    destination_area_code: str | None = None,
    receiving_focal_point_id: int | None = None,
    summary_language: str = "",
    translated_summary: str = "",
    planned_on: date | None = None,
) -> Repatriation:
    """Prepare a return with its transfer packet. It rests on the best-interests assessment, never on the
    person's victim status: a child is returned safely whatever their status (PRODUCT.md rule 4)."""
    case = _editable(actor, case)
    if kind not in Repatriation.Kind.values:
        raise _fail("kind", _("Within the country or across a border?"))
    country = _country(destination_country, "destination_country")
    if not country:
        raise _fail("destination_country", _("Say which country the person returns to."))
    if assessment_id:
        assessment = case.assessments.filter(pk=assessment_id).first()
    else:
        assessment = _best_interests_for_return(case)
    if assessment is None:
        raise _fail(
            "assessment_id",
            _("Record a safety and best-interests assessment that supports the return first."),
        )
    if not assessment.supports_return:
        raise _fail("assessment_id", _("This assessment does not recommend a return."))
    agreement = None
    focal_point = None
    if kind == Repatriation.Kind.CROSS_BORDER:
        agreement = Agreement.objects.filter(code=agreement_code or "", active=True).first()
        if agreement is None:
            raise _fail("agreement_code", _("Name the agreement the return is made under."))
        if country not in agreement.countries:
            raise _fail(
                "agreement_code", _("%(country)s is not party to this agreement.") % {"country": country}
            )
        focal_point = _responder(actor, receiving_focal_point_id, "receiving_focal_point_id")
        if focal_point is None:
            raise _fail("receiving_focal_point_id", _("Name the receiving focal point."))
        if not FocalPoint.objects.filter(responder=focal_point, country=country, active=True).exists():
            raise _fail(
                "receiving_focal_point_id",
                _("This responder is not a focal point for %(country)s.") % {"country": country},
            )
        if not translated_summary.strip():
            raise _fail("translated_summary", _("Write the summary in the receiving side's language."))
    else:
        focal_point = _responder(actor, receiving_focal_point_id, "receiving_focal_point_id")
    repatriation = Repatriation.objects.create(
        case=case,
        kind=kind,
        agreement=agreement,
        destination_country=country,
        destination_area=_area_in(destination_area_code, country),
        receiving_focal_point=focal_point,
        assessment=assessment,
        summary_language=summary_language,
        translated_summary=translated_summary,
        planned_on=planned_on,
        recorded_by=actor,
    )
    repatriation.packet = transfer_packet(case, repatriation)
    repatriation.save(update_fields=["packet"])
    _case_audit(actor, "cases.repatriation.create", case, repatriation, kind=kind, country=country)
    return repatriation


@transaction.atomic
def repatriation_advance(
    *, actor: Any, repatriation: Repatriation, to: str, on: date | None = None, by: str = ""
) -> Repatriation:
    """Send the packet, record the receiving side's acknowledgement, record the return, or cancel."""
    case = _editable(actor, repatriation.case)
    on = on or timezone.localdate()
    _check_day(on, "on", case.person)
    order: list[str] = [
        Repatriation.Status.PREPARED,
        Repatriation.Status.SENT,
        Repatriation.Status.ACKNOWLEDGED,
        Repatriation.Status.COMPLETED,
    ]
    if repatriation.status in (Repatriation.Status.COMPLETED, Repatriation.Status.CANCELLED):
        raise _fail("status", _("This return is finished."))
    if to == Repatriation.Status.CANCELLED:
        repatriation.status = to
    elif to in order and order.index(to) == order.index(repatriation.status) + 1:
        if to == Repatriation.Status.SENT:
            repatriation.sent_on = on
        elif to == Repatriation.Status.ACKNOWLEDGED:
            if not by.strip():
                raise _fail("by", _("Say who acknowledged on the receiving side."))
            repatriation.acknowledged_on, repatriation.acknowledged_by = on, by
        else:
            if not repatriation.assessment.supports_return:
                raise _fail("assessment_id", _("The assessment does not support the return."))
            repatriation.completed_on = on
        repatriation.status = to
    else:
        raise _fail("status", _("Out of order: prepared → sent → acknowledged → returned."))
    repatriation.save()
    if repatriation.status == Repatriation.Status.COMPLETED:
        stage = Stage.objects.filter(code="return", active=True).first()
        if stage is not None and case.stage.position < stage.position:
            step_record(actor=actor, case=case, stage_code="return", started_on=on, notes=_("Returned home."))
    _case_audit(actor, "cases.repatriation.update", case, repatriation, status=repatriation.status, on=on)
    return repatriation


def _area_in(code: str | None, country: str) -> Any:
    """The destination area, which must lie in the destination country's own tree (its path's root)."""
    area = _area(code, "destination_area_code")
    if area is not None and area.country_code != country:
        raise _fail(
            "destination_area_code",
            _("%(area)s is not in %(country)s: choose a place in the country the person returns to.")
            % {"area": area.name, "country": country},
        )
    return area


def return_measure_labels() -> dict[str, str]:
    """Every child-friendly return measure ever listed (retired ones too), code to name."""
    return kind_labels(ReturnMeasureKind)


def return_measure_choices() -> list[tuple[str, str]]:
    """The measures in use, in their order, for choosing."""
    return kind_choices(ReturnMeasureKind)


def _open_return(actor: Any, repatriation: Repatriation) -> tuple[Case, Repatriation]:
    case = _editable(actor, repatriation.case)
    repatriation = Repatriation.objects.select_for_update().get(pk=repatriation.pk, case=case)
    if repatriation.status == Repatriation.Status.CANCELLED:
        raise _fail("status", _("This return was cancelled."))
    return case, repatriation


@transaction.atomic
def return_measures_record(
    *, actor: User | None, repatriation: Repatriation, measures: Iterable[str], note: str = ""
) -> Repatriation:
    """The child-friendly measures of a return (from the list kept as data), and a note on them. A retired
    measure already recorded stays; a new one must be in use."""
    case, repatriation = _open_return(actor, repatriation)
    chosen = list(dict.fromkeys(m for m in measures if m))
    in_use = set(kind_codes(ReturnMeasureKind))
    unknown = [m for m in chosen if m not in in_use and m not in repatriation.measures]
    if unknown:
        raise _fail("measures", _("Choose the measures from the list."))
    before = {"measures": list(repatriation.measures), "measures_note": repatriation.measures_note}
    repatriation.measures, repatriation.measures_note = chosen, note.strip()
    repatriation.save(update_fields=["measures", "measures_note"])
    _case_audit(
        actor,
        "cases.return_measures.record",
        case,
        repatriation,
        measures=chosen,
        added=sorted(set(chosen) - set(before["measures"])),
        removed=sorted(set(before["measures"]) - set(chosen)),
    )
    return repatriation


@transaction.atomic
def return_partner_add(
    *,
    actor: User | None,
    repatriation: Repatriation,
    role: str,
    name: str,
    country: str = "",
    contact: str = "",
) -> ReturnPartner:
    """An agency or person taking part in a return: the sending and receiving agencies, the escorts, the
    shelter that receives the child."""
    case, repatriation = _open_return(actor, repatriation)
    if role not in ReturnPartner.Role.values:
        raise _fail("role", _("Choose the partner's part in the return."))
    if not name.strip():
        raise _fail("name", _("Give the partner's name."))
    partner = ReturnPartner.objects.create(
        case=case,
        repatriation=repatriation,
        role=role,
        name=name.strip()[:200],
        country=_country(country, "country"),
        contact=contact.strip()[:200],
        recorded_by=actor,
    )
    _case_audit(actor, "cases.return_partner.create", case, partner, role=role, country=partner.country)
    return partner


@transaction.atomic
def return_partner_remove(*, actor: User | None, partner: ReturnPartner) -> None:
    """Take a partner off a return (the follow-ups that named it keep their text)."""
    case, _repatriation = _open_return(actor, partner.repatriation)
    _case_audit(actor, "cases.return_partner.delete", case, partner, role=partner.role)
    partner.delete()


@transaction.atomic
def return_received(
    *,
    actor: User | None,
    case: Case,
    assessment: BestInterestsAssessment,
    destination_country: str,
    destination_area: Any = None,
    destination_place: str = "",
    planned_on: date | None = None,
    measures: Sequence[str] = (),
    measures_note: str = "",
    partners: Sequence[Mapping[str, str]] = (),
    acknowledged_by: str = "",
) -> Repatriation:
    """The return of a child coming here, as the sending country's packet described it: where to (an area of
    our tree, or the place as they named it), the child-friendly measures and the partners on both sides.
    Recorded on the receiving case, acknowledged, so the follow-ups can name its partners."""
    case = _editable(actor, case)
    if assessment.case_id != case.pk:
        raise _fail("assessment_id", _("The assessment is of another case."))
    known = set(kind_codes(ReturnMeasureKind, active=False))
    repatriation = Repatriation.objects.create(
        case=case,
        kind=Repatriation.Kind.CROSS_BORDER,
        destination_country=_country(destination_country, "destination_country"),
        destination_area=destination_area,
        destination_place=destination_place[:300],
        assessment=assessment,
        status=Repatriation.Status.ACKNOWLEDGED,
        planned_on=planned_on,
        acknowledged_on=timezone.localdate(),
        acknowledged_by=acknowledged_by[:200],
        measures=[m for m in measures if m in known],
        measures_note=measures_note,
        incoming=True,
        recorded_by=actor,
    )
    for item in partners:
        role = str(item.get("role", ""))
        name = str(item.get("name", "")).strip()
        if role not in ReturnPartner.Role.values or not name:
            continue
        country = str(item.get("country", "") or "").upper()
        ReturnPartner.objects.create(
            case=case,
            repatriation=repatriation,
            role=role,
            name=name[:200],
            country=country if len(country) == 2 else "",
            contact=str(item.get("contact", "") or "")[:200],
            recorded_by=actor,
        )
    _case_audit(
        actor,
        "cases.repatriation.create",
        case,
        repatriation,
        kind=repatriation.kind,
        country=repatriation.destination_country,
        incoming=True,
        measures=list(repatriation.measures),
        partners=repatriation.partners.count(),
    )
    return repatriation


@transaction.atomic
def follow_up_record(
    *,
    actor: Any,
    case: Case,
    kind: str,
    due_on: date | None = None,
    done_on: date | None = None,
    by: str = "",
    wellbeing: str = "",
    summary: str = "",
    partner_id: int | None = None,
) -> FollowUp:
    """A reintegration follow-up (planned with a due date, or done) or a report back after a return; the
    receiving agency of an accepted referral records its own, resting on that referral. It may name the
    partner of the return who did it."""
    case, via = _workable(actor, case, "follow_up")
    if kind not in FollowUp.Kind.values:
        raise _fail("kind", _("Unknown kind of follow-up."))
    if due_on is None and done_on is None:
        raise _fail("due_on", _("Give the date it is due, or the date it was done."))
    _check_day(done_on, "done_on", case.person)
    if wellbeing and wellbeing not in FollowUp.Wellbeing.values:
        raise _fail("wellbeing", _("Unknown answer."))
    if done_on and not wellbeing:
        raise _fail("wellbeing", _("Say how the person is."))
    partner = None
    if partner_id:
        partner = ReturnPartner.objects.filter(pk=partner_id, case=case).first()
        if partner is None:
            raise _fail("partner_id", _("Choose a partner of this case's return."))
    follow_up = FollowUp.objects.create(
        partner=partner,
        case=case,
        kind=kind,
        due_on=due_on,
        done_on=done_on,
        by=by,
        wellbeing=wellbeing,
        summary=summary,
        via_referral=via,
        recorded_by=actor,
    )
    _work_audit(
        actor,
        "cases.follow_up.create",
        case,
        follow_up,
        via,
        kind=kind,
        wellbeing=wellbeing,
        partner=partner.pk if partner is not None else None,
    )
    return follow_up


# ----------------------------------------------------------------------------------------------- notes


@transaction.atomic
def note_add(*, actor: User | None, case: Case, text: str) -> CaseNote:
    """A note on a case, by its owner's case staff or by the receiving agency of an accepted referral (which
    alone, with the owner, reads it). Audited without its text."""
    case, via = _workable(actor, case, "note")
    if not text.strip():
        raise _fail("text", _("Write the note."))
    agency = via.to_agency if via is not None and via.to_agency is not None else case.agency
    note = CaseNote.objects.create(case=case, agency=agency, text=text, via_referral=via, recorded_by=actor)
    _work_audit(actor, "cases.note.create", case, note, via, agency=agency.code)
    return note


@transaction.atomic
def notes_read(*, actor: User | None, case: Case) -> list[CaseNote]:
    """The notes of a case the actor may read, recording that they were read (their ids, never their text)."""
    notes = list(selectors.case_notes(actor, case))
    if notes:
        audit_record(
            actor=actor,
            action="cases.casenote.view",
            obj=case,
            changes={"read": "notes", "notes": [n.pk for n in notes]},
        )
    return notes


@transaction.atomic
def people_found(*, actor: User | None, ids: Sequence[int], via: str) -> None:
    """Record that a search showed these people's names to the actor (their ids, never the words typed)."""
    if not ids:
        return
    agency = next((g.agency_id for g in viewer_for(actor).grants if g.role in CASE_ROLES), None)
    audit_record(
        actor=actor,
        action="registry.person.search",
        object_type="registry.person",
        agency=Agency.objects.filter(pk=agency).first() if agency else None,
        changes={"people": list(ids), "via": via},
    )


# ----------------------------------------------------------------------------------------------- conferences


@transaction.atomic
def conference_record(
    *,
    actor: Any,
    case: Case,
    held_on: date,
    attendee_ids: Iterable[int] = (),
    other_attendees: str = "",
    learned: str = "",
    decisions: str = "",
    actions: Sequence[Mapping[str, Any]] = (),
) -> Conference:
    """A case conference with what was learned, the decisions and the actions (owner, due date)."""
    case = _editable(actor, case)
    _check_day(held_on, "held_on", case.person)
    ids = list(dict.fromkeys(attendee_ids))
    attendees = list(Responder.objects.visible_to(actor).filter(pk__in=ids))
    if len(attendees) != len(ids):
        raise _fail("attendee_ids", _("Some attendees are not in the directory."))
    conference = Conference.objects.create(
        case=case,
        held_on=held_on,
        other_attendees=other_attendees,
        learned=learned,
        decisions=decisions,
        recorded_by=actor,
    )
    conference.attendees.set(attendees)
    for number, raw in enumerate(actions, start=1):
        what = str(raw.get("what") or "").strip()
        if not what:
            raise _fail(f"actions[{number}].what", _("Say what is to be done."))
        due_on = raw.get("due_on")
        if not isinstance(due_on, date):
            raise _fail(f"actions[{number}].due_on", _("Give a due date."))
        if due_on < held_on:
            raise _fail(f"actions[{number}].due_on", _("The due date is before the conference."))
        owner = _responder(actor, raw.get("owner_id"), f"actions[{number}].owner_id")
        owner_name = str(raw.get("owner_name") or "")
        if owner is None and not owner_name.strip():
            raise _fail(f"actions[{number}].owner_id", _("Say who owns the action."))
        ConferenceAction.objects.create(
            conference=conference, what=what, owner=owner, owner_name=owner_name, due_on=due_on
        )
    _case_audit(
        actor,
        "cases.conference.create",
        case,
        conference,
        attendees=[a.pk for a in attendees],
        actions=len(actions),
    )
    return conference


@transaction.atomic
def action_done(*, actor: Any, action: ConferenceAction, done_on: date | None = None) -> ConferenceAction:
    case = _editable(actor, action.conference.case)
    action.done_on = done_on or timezone.localdate()
    _check_day(action.done_on, "done_on")
    action.save(update_fields=["done_on"])
    _resolve_alerts(CaseAlert.Kind.ACTION, f"action:{action.pk}", actor)
    _case_audit(actor, "cases.action.done", case, action.conference, action_id=action.pk)
    return action


# ----------------------------------------------------------------------------------------------- referrals
