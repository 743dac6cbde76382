"""Consent withdrawn: for a whole case (every referral ends) or for one referral (it and those made on from
it end). The receiving agencies lose access at once; each step is recorded and audited."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.accounts.models import User
from safepassage.audit.services import audit_record
from safepassage.cases.models import Case, Referral
from safepassage.cases.services._common import _check_day, _editable, _fail
from safepassage.cases.services.referrals import _receiving, _referring, _revoke_onward

LIVE = (Referral.Status.PENDING, Referral.Status.ACCEPTED)


def _end(actor: User | None, referral: Referral, on: date, note: str) -> None:
    referral.status = Referral.Status.REVOKED
    referral.consent_withdrawn_on = on
    referral.closed_by, referral.closed_at, referral.close_note = actor, timezone.now(), note
    referral.save()
    audit_record(
        actor=actor,
        action="cases.referral.consent_withdraw",
        obj=referral,
        agency=referral.from_agency,
        changes={"status": referral.status, "case": referral.case.reference, "withdrawn_on": on},
    )
    _revoke_onward(actor, referral, note)


@transaction.atomic
def case_consent_withdraw(*, actor: User | None, case: Case, on: date | None = None) -> Case:
    """The person no longer agrees to their case being shared: every waiting or accepted referral ends
    now (with those made on from them), and a new referral needs a coordinator's override for safety."""
    case = _editable(actor, case)
    case = Case.objects.select_for_update().select_related("person").get(pk=case.pk)
    if case.consent_withdrawn_on is not None:
        raise _fail("consent", _("Consent to share this case was already withdrawn."))
    on = on or timezone.localdate()
    _check_day(on, "on", case.person)
    note = _("The person withdrew their consent.")
    ended = []
    for referral in list(Referral.objects.select_for_update().filter(case=case, status__in=LIVE)):
        referral.refresh_from_db(fields=["status"])  # (an onward one may have ended with its parent)
        if referral.status in LIVE:
            _end(actor, referral, on, note)
            ended.append(referral.pk)
    case.consent_withdrawn_on, case.consent_withdrawn_by = on, actor
    case.save(update_fields=["consent_withdrawn_on", "consent_withdrawn_by", "updated_at"])
    audit_record(
        actor=actor,
        action="cases.case.consent_withdraw",
        obj=case,
        changes={"withdrawn_on": on, "referrals_ended": ended},
    )
    return case


@transaction.atomic
def referral_consent_withdraw(*, actor: User | None, referral: Referral, on: date | None = None) -> Referral:
    """The person withdrew the consent one referral rests on, told to either side: it ends now, and so do
    the referrals made on from it."""
    referral = Referral.objects.select_for_update().select_related("case__person").get(pk=referral.pk)
    if not (_referring(actor, referral) or _receiving(actor, referral)):
        raise Http404
    if referral.status not in LIVE:
        raise _fail("status", _("Only a waiting or accepted referral can end."))
    on = on or timezone.localdate()
    _check_day(on, "on", referral.case.person)
    _end(actor, referral, on, _("The person withdrew their consent."))
    return referral
