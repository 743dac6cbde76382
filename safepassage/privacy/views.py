"""Pages for people's rights: erase (reason and confirmation), the subject-access file, corrections,
a guardian's consent, the "turning 18" review, and consent withdrawn for a case or a referral."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safepassage.accounts.selectors import signed_in_user
from safepassage.audit.services import audit_read
from safepassage.cases import services as case_services
from safepassage.cases.models import Case
from safepassage.core.forms import flash_error
from safepassage.core.models import get_for_user
from safepassage.core.roles import Action
from safepassage.privacy import selectors, services
from safepassage.privacy.forms import CorrectionForm, EraseForm, GuardianForm, ResolveForm
from safepassage.privacy.models import CorrectionRequest, ErasureLog
from safepassage.registry.models import Person
from safepassage.registry.services import guardian_consent_record


@login_required
def person_rights(request: HttpRequest, pk: int) -> HttpResponse:
    """What a person may ask of the agency holding them, and their consent (the page is audited)."""
    user = signed_in_user(request)
    person = services.person_for(user, pk)
    audit_read(actor=user, obj=person, what="rights and consent page")
    coordinator = services.is_coordinator_of(user, person.agency_id)
    return render(
        request,
        "privacy/person.html",
        {
            "person": person,
            "coordinator": coordinator,
            "erase_form": EraseForm(),
            "correction_form": CorrectionForm(),
            "guardian_form": GuardianForm(
                initial={
                    "guardian_consent_by": person.guardian_consent_by,
                    "guardian_relation": person.guardian_relation,
                    "guardian_consent_on": person.guardian_consent_on,
                }
            ),
            "corrections": CorrectionRequest.objects.visible_to(user).filter(person=person),
            "erasures": ErasureLog.objects.filter(person_id=person.pk) if coordinator else [],
        },
    )


@login_required
def person_erase(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for the reason and a confirmation, then erase (a coordinator of the holding agency)."""
    user = signed_in_user(request)
    person = services.coordinated_person(user, pk)
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            log = services.erase_person(actor=user, person=person, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            flash_error(request, error)
        else:
            messages.success(
                request,
                _("Erased: %(n)d records no longer hold this person's name or details.") % {"n": log.count},
            )
            return redirect("privacy:person", pk=person.pk)
    return render(request, "privacy/erase.html", {"person": person, "form": form})


@login_required
@require_POST
def person_access_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything held about the person, as a text file to give them (a coordinator; audited)."""
    user = signed_in_user(request)
    person = services.coordinated_person(user, pk)
    text = selectors.subject_access_text(actor=user, person=person)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="person-{person.pk}-what-we-hold.txt"'
    return response


@login_required
@require_POST
def correction_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    person = services.person_for(user, pk)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            services.correction_request_record(
                actor=user,
                person=person,
                fields=form.cleaned_data["what"],
                details=form.cleaned_data["details"],
            )
        except ValidationError as error:
            flash_error(request, error)
        else:
            messages.success(request, _("Recorded. The agency holding this person will answer it."))
    else:
        for problems in form.errors.values():
            for problem in problems:
                messages.error(request, str(problem))
    return redirect("privacy:person", pk=person.pk)


@login_required
def corrections(request: HttpRequest) -> HttpResponse:
    """Correction requests for my agency, waiting ones first."""
    user = signed_in_user(request)
    if not selectors.answers_corrections(user):
        raise Http404
    items = selectors.correction_requests(viewer=user)
    return render(request, "privacy/corrections.html", {"items": items, "form": ResolveForm()})


@login_required
@require_POST
def correction_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    item = get_for_user(CorrectionRequest.objects.all(), user, pk, Action.CHANGE)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.correction_resolve(actor=user, request=item, **form.cleaned_data)
        except ValidationError as error:
            flash_error(request, error)
        else:
            messages.success(request, _("Answered."))
    else:
        messages.error(request, _("Choose an answer and write what was done."))
    return redirect("privacy:corrections")


@login_required
@require_POST
def guardian_consent(request: HttpRequest, pk: int) -> HttpResponse:
    """Record (or correct) the parent's or guardian's consent on a child's record."""
    user = signed_in_user(request)
    person = get_for_user(Person.objects.all(), user, pk, Action.CHANGE)
    form = GuardianForm(request.POST)
    if form.is_valid():
        try:
            guardian_consent_record(actor=user, person=person, **form.cleaned_data)
        except ValidationError as error:
            flash_error(request, error)
        else:
            messages.success(request, _("Saved."))
    else:
        messages.error(request, _("Write who agreed, their relation to the child and the date."))
    return redirect("privacy:person", pk=person.pk)


@login_required
def turning_18(request: HttpRequest) -> HttpResponse:
    """Children on the record who turned 18 or will within 30 days: confirm their own consent, or erase."""
    user = signed_in_user(request)
    if not selectors.coordinated_agencies(user):
        raise Http404
    people = selectors.turning_18(viewer=user)
    return render(
        request,
        "privacy/turning_18.html",
        {"people": [(p, selectors.eighteenth_birthday(p)) for p in people]},
    )


@login_required
@require_POST
def own_consent(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    person = services.coordinated_person(user, pk)
    try:
        services.own_consent_record(actor=user, person=person)
    except ValidationError as error:
        flash_error(request, error)
    else:
        messages.success(request, _("Recorded: they agreed themselves."))
    if request.POST.get("next") == "list":
        return redirect("privacy:turning_18")
    return redirect("privacy:person", pk=person.pk)


@login_required
@require_POST
def case_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The person withdrew consent to share their case: every referral ends now."""
    user = signed_in_user(request)
    case = get_for_user(Case.objects.all(), user, pk, Action.CHANGE)
    try:
        case_services.case_consent_withdraw(actor=user, case=case)
    except ValidationError as error:
        flash_error(request, error)
    else:
        messages.success(request, _("Consent withdrawn: no other agency sees this case any more."))
    return redirect("cases:case_detail", pk=case.pk)


@login_required
@require_POST
def referral_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The person withdrew the consent one referral rests on: it ends now, with those made on from it."""
    user = signed_in_user(request)
    referral = case_services.referral_for(user, pk)
    try:
        case_services.referral_consent_withdraw(actor=user, referral=referral)
    except ValidationError as error:
        flash_error(request, error)
    else:
        messages.success(request, _("Consent withdrawn: the referral has ended."))
    return redirect("cases:referrals")
