"""Referrals: consent, sending, the receiving agency's answer, closing and onward referrals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.accounts import profiles
from safepassage.accounts.models import Agency, User
from safepassage.audit.services import audit_record
from safepassage.cases import htcds
from safepassage.cases.models import (
    CASE_ROLES,
    PURPOSE_REASON,
    BestInterestsAssessment,
    Case,
    Referral,
    ReferralPurpose,
    SupportService,
)
from safepassage.cases.services._common import (
    _case_audit,
    _check_day,
    _fail,
    _organisation,
    _responder,
    _workable,
    is_coordinator_of,
    one_or_404,
)
from safepassage.cases.services.alerts import (
    agency_case_staff,
    alert_recipients,
    referral_alert_resolve,
    referral_notice,
)
from safepassage.core.access import viewer_for
from safepassage.core.notices import NoticeKind, NoticeUrgency
from safepassage.core.roles import Action


@transaction.atomic
def referral_create(
    *,
    actor: Any,
    case: Case,
    to_organisation_id: int,
    consent: str,
    reason: str = "",
    purpose: str = "",
    to_responder_id: int | None = None,
    services: Sequence[str] = (),
    details: str = "",
    urgent: bool = False,
    consent_on: date | None = None,
    override_reason: str = "",
    consent_names_agency: bool = False,
    consent_covers: Sequence[str] = (),
) -> Referral:
    """Refer a case, with the person's (or guardian's) consent, a child's recorded best-interests decision, or
    a coordinator's override with a reason.

    What the receiver will read is its receiving profile's parts (accounts/profiles.py), and the address,
    health notes and documentation status only as far as a consent naming the agency covers them. An
    enforcement receiver (police, immigration, prosecutor) needs the trafficking status confirmed and consent
    naming it, or a child's best-interests decision; never an override.

    The receiving agency of an accepted referral may refer the case on, with consent of its own: the onward
    referral names the referral it comes from, and opens no more of the case than that one did."""
    case, via = _workable(actor, case, "referral")
    sender = via.to_agency if via is not None and via.to_agency is not None else case.agency
    organisation = _organisation(actor, to_organisation_id, "to_organisation_id")
    if organisation is None:
        raise _fail("to_organisation_id", _("Choose who the case is referred to."))
    responder = _responder(actor, to_responder_id, "to_responder_id")
    if responder is not None and responder.organisation_id != organisation.pk:
        raise _fail("to_responder_id", _("This responder does not work for that organisation."))
    if purpose and purpose not in ReferralPurpose.values:
        raise _fail("purpose", _("Choose the reason for the referral."))
    reason = reason or PURPOSE_REASON.get(purpose, "")
    if reason not in htcds.ReferralReason.values:
        raise _fail("purpose" if not reason else "reason", _("Give the reason for the referral."))
    unknown = [s for s in services if s not in SupportService.Kind.values]
    if unknown:
        raise _fail("services", _("Unknown service %(codes)s.") % {"codes": ", ".join(unknown)})
    if consent not in Referral.Consent.values:
        raise _fail("consent", _("Record the consent: the person's, a guardian's, or an override."))
    if case.consent_withdrawn_on is not None and consent != Referral.Consent.OVERRIDE:
        raise _fail(
            "consent",
            _(
                "The person withdrew their consent to share this case: only a coordinator's override for "
                "their safety can refer it now."
            ),
        )
    if not case.consent_to_share and consent != Referral.Consent.OVERRIDE:
        raise _fail(
            "consent",
            _(
                "The person has not agreed to their case being shared with other organisations: record "
                "their agreement on the case first, or a coordinator may override for their safety."
            ),
        )
    to_agency = organisation.member_agency
    profile = to_agency.profile if to_agency is not None else organisation.profile
    covers = _consent_scope(consent, consent_names_agency, consent_covers)
    if profiles.is_enforcement(profile):
        _check_enforcement(case, organisation, consent, consent_names_agency)
    best_interests = None
    if consent == Referral.Consent.BEST_INTERESTS:
        best_interests = _best_interests_decision(case)
    elif consent == Referral.Consent.OVERRIDE:
        if not is_coordinator_of(actor, sender.pk):
            raise _fail("consent", _("Only a coordinator may refer without consent."))
        if not override_reason.strip():
            raise _fail("override_reason", _("Say why the referral cannot wait for consent."))
    else:
        if consent_on is None:
            raise _fail("consent_on", _("Give the date consent was given."))
        _check_day(consent_on, "consent_on", case.person)
    if to_agency is not None:
        if to_agency.pk == sender.pk:
            raise _fail("to_organisation_id", _("This organisation is your own agency."))
        if to_agency.pk == case.agency_id:
            raise _fail("to_organisation_id", _("This organisation is the agency that has the case."))
        if to_agency.kind == Agency.Kind.EMPLOYER or not to_agency.active or not to_agency.profile:
            raise _fail("to_organisation_id", _("Cases cannot be referred to this organisation."))
    referral = Referral.objects.create(
        case=case,
        from_agency=sender,
        parent=via,
        to_organisation=organisation,
        to_responder=responder,
        to_agency=to_agency,
        reason=reason,
        purpose=purpose,
        services=list(services),
        details=details,
        urgent=urgent,
        consent=consent,
        consent_on=consent_on,
        override_reason=override_reason,
        consent_names_agency=consent_names_agency and consent in _CONSENTS,
        consent_covers=covers,
        best_interests=best_interests,
        profile=profile if to_agency is not None else "",
        created_by=actor,
    )
    _case_audit(
        actor,
        "cases.referral.create",
        case,
        referral,
        to_organisation=organisation.pk,
        to_agency=to_agency.pk if to_agency else None,
        consent=consent,
        purpose=purpose,
        referred_on_from=via.pk if via else None,
        profile=referral.profile,
        consent_names_agency=referral.consent_names_agency,
        consent_covers=covers,
    )
    if to_agency is not None:
        referral_notice(
            referral,
            NoticeKind.REFERRAL_SENT,
            agency_case_staff(to_agency.pk, tuple(CASE_ROLES)),
            NoticeUrgency.SOON if urgent else NoticeUrgency.DIGEST,
        )
    return referral


# Consent a person gives (themselves or through a guardian): the only kind that can name an agency and open
# address, health or documentation status.
_CONSENTS = (Referral.Consent.PERSON, Referral.Consent.GUARDIAN)


def _consent_scope(consent: str, names_agency: bool, covers: Sequence[str]) -> list[str]:
    """What the consent opens beyond the profile: only a person's or guardian's consent naming the agency."""
    unknown = [c for c in covers if c not in profiles.CONSENT_PARTS]
    if unknown:
        raise _fail(
            "consent_covers",
            _("Consent can cover only %(parts)s; not %(codes)s.")
            % {"parts": ", ".join(profiles.CONSENT_PARTS), "codes": ", ".join(unknown)},
        )
    if covers and consent not in _CONSENTS:
        raise _fail(
            "consent_covers",
            _("Only the person's or a guardian's own consent can open the address, health or documents."),
        )
    if covers and not names_agency:
        raise _fail(
            "consent_names_agency",
            _("The consent opens the address, health or documents only when it names the agency."),
        )
    return [c for c in profiles.CONSENT_PARTS if c in covers]


def _check_enforcement(case: Case, organisation: Any, consent: str, names_agency: bool) -> None:
    """Police, immigration and prosecutors receive only a confirmed victim's case, with consent naming them
    (or a child's best-interests decision); never on an override (PRODUCT.md rules 2 and 8)."""
    name = organisation.member_agency.name if organisation.member_agency else organisation.name
    if consent == Referral.Consent.OVERRIDE:
        raise _fail(
            "consent",
            _(
                "%(agency)s is police, immigration or a prosecutor: a case goes to them only with consent, "
                "never on an override."
            )
            % {"agency": name},
        )
    if case.trafficking_status != htcds.TraffickingStatus.ACTUAL:
        raise _fail(
            "trafficking_status",
            _(
                "%(agency)s can receive this case only once the person is confirmed as a victim of "
                "trafficking (not a possible victim). Record the trafficking status first."
            )
            % {"agency": name},
        )
    if consent in _CONSENTS and not names_agency:
        raise _fail(
            "consent_names_agency",
            _("The consent must name %(agency)s: ask whether they agree to this agency receiving their case.")
            % {"agency": name},
        )


def _best_interests_decision(case: Case) -> BestInterestsAssessment:
    """A child's latest recorded best-interests assessment, which stands in for consent."""
    if not case.is_child:
        raise _fail("consent", _("A best-interests decision stands in for consent only for a child."))
    decision = case.assessments.order_by("-assessed_on", "-id").first()
    if decision is None:
        raise _fail(
            "consent", _("Record the child's best-interests assessment first: it stands in for consent.")
        )
    return decision


def _receiving(actor: Any, referral: Referral) -> bool:
    return referral.to_agency_id is not None and any(
        g.agency_id == referral.to_agency_id and g.role in CASE_ROLES for g in viewer_for(actor).grants
    )


def _referring(actor: Any, referral: Referral) -> bool:
    """The case's owner, or the agency that referred it on (for a referral it made from one it accepted)."""
    viewer = viewer_for(actor)
    if referral.parent_id is not None and any(
        g.agency_id == referral.from_agency_id and g.role in CASE_ROLES for g in viewer.grants
    ):
        return True
    return Case.objects.filter(Case.own_q(viewer, Action.CHANGE), pk=referral.case_id).exists()


def referral_for(actor: Any, pk: Any) -> Referral:
    """A referral the actor is party to (either side), or 404."""
    return one_or_404(Referral.visible_to(actor).select_related("case", "to_organisation"), pk)


@transaction.atomic
def referral_respond(*, actor: Any, referral: Referral, accept: bool, note: str = "") -> Referral:
    """The receiving agency accepts (and from then sees the case) or rejects (with a reason)."""
    referral = Referral.objects.select_for_update().select_related("case").get(pk=referral.pk)
    if not _receiving(actor, referral):
        raise Http404
    if referral.status != Referral.Status.PENDING:
        raise _fail("status", _("This referral was already answered."))
    if not accept and not note.strip():
        raise _fail("note", _("Say why the referral cannot be taken."))
    referral.status = Referral.Status.ACCEPTED if accept else Referral.Status.REJECTED
    referral.responded_by, referral.responded_at, referral.response_note = actor, timezone.now(), note
    referral.save()
    audit_record(
        actor=actor,
        action=f"cases.referral.{'accept' if accept else 'reject'}",
        obj=referral,
        agency=referral.to_agency,
        changes={"status": referral.status, "case": referral.case.reference},
    )
    referral_alert_resolve(referral)
    told = set(alert_recipients(referral.case)) | (
        {referral.created_by_id} if referral.created_by_id else set()
    )
    referral_notice(
        referral,
        NoticeKind.REFERRAL_ANSWERED,
        sorted(told - {actor.pk}),
        NoticeUrgency.SOON if referral.urgent else NoticeUrgency.DIGEST,
    )
    return referral


@transaction.atomic
def referral_close(*, actor: Any, referral: Referral, to: str, note: str = "") -> Referral:
    """Complete an accepted referral (either side) or revoke it (the referring side): access ends at once."""
    referral = Referral.objects.select_for_update().select_related("case").get(pk=referral.pk)
    referring, receiving = _referring(actor, referral), _receiving(actor, referral)
    if not (referring or receiving):
        raise Http404
    if to == Referral.Status.REVOKED:
        if not referring:
            raise _fail("status", _("Only the referring agency can revoke a referral."))
        if referral.status not in (Referral.Status.PENDING, Referral.Status.ACCEPTED):
            raise _fail("status", _("Only a waiting or accepted referral can be revoked."))
        if not note.strip():
            raise _fail("note", _("Say why the referral is revoked."))
    elif to == Referral.Status.COMPLETED:
        if referral.status != Referral.Status.ACCEPTED:
            raise _fail("status", _("Only an accepted referral can be completed."))
    else:
        raise _fail("status", _("A referral can be completed or revoked."))
    referral.status = to
    referral.closed_by, referral.closed_at, referral.close_note = actor, timezone.now(), note
    referral.save()
    audit_record(
        actor=actor,
        action=f"cases.referral.{'revoke' if to == Referral.Status.REVOKED else 'complete'}",
        obj=referral,
        agency=referral.from_agency if referring else referral.to_agency,
        changes={"status": to, "case": referral.case.reference},
    )
    referral_alert_resolve(referral)
    if to == Referral.Status.REVOKED:
        _revoke_onward(actor, referral, note)
    return referral


def _revoke_onward(actor: User | None, referral: Referral, note: str) -> None:
    """Revoking a referral revokes those made on from it: they rested on it (and on its consent)."""
    live = (Referral.Status.PENDING, Referral.Status.ACCEPTED)
    for onward in Referral.objects.select_for_update().filter(parent=referral, status__in=live):
        onward.status = Referral.Status.REVOKED
        onward.closed_by, onward.closed_at, onward.close_note = actor, timezone.now(), note
        onward.save()
        audit_record(
            actor=actor,
            action="cases.referral.revoke",
            obj=onward,
            agency=onward.from_agency,
            changes={"status": onward.status, "case": referral.case.reference, "with": referral.pk},
        )
        _revoke_onward(actor, onward, note)


# ----------------------------------------------------------------------------------------------- alerts
