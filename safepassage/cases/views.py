"""Case pages: the call log, the case list and the case page with its journey, steps, protection and
referrals; one small form per thing to record; the referral inbox; case alerts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from safepassage.accounts.selectors import signed_in_user
from safepassage.audit.services import audit_read
from safepassage.cases import forms as case_forms
from safepassage.cases import selectors, services
from safepassage.cases.models import (
    Case,
    CaseAlert,
    ConferenceAction,
    Deadline,
    IntakeReport,
    Referral,
    Repatriation,
    ShelterStay,
    Stage,
    Track,
)
from safepassage.cases.screening import OUTCOME_LABELS
from safepassage.core.models import get_for_user
from safepassage.core.roles import Action
from safepassage.network.models import Agreement, Organisation
from safepassage.registry.models import Person


def _require(request: HttpRequest, permission: str) -> None:
    """Personal pages are simply not there for roles that work with aggregates (404, like 'not yours')."""
    if not request.user.has_perm(permission):
        raise Http404


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


def _flash(request: HttpRequest, error: ValidationError) -> None:
    """A refused one-button change: say why at the top of the page."""
    problems = error.message_dict.values() if hasattr(error, "error_dict") else [error.messages]
    for group in problems:
        for problem in group:
            messages.error(request, problem)


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in (None, "")}


# ----------------------------------------------------------------------------------------------- intake


@login_required
def intake_list(request: HttpRequest) -> HttpResponse:
    """The call log: every report with the action taken."""
    _require(request, "cases.view_intake")
    status = request.GET.get("status", "")
    page = Paginator(selectors.intake_list(request.user, status=status), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/intake_list.html",
        {"page": page, "status": status, "statuses": IntakeReport.Status.choices},
    )


@login_required
def intake_new(request: HttpRequest) -> HttpResponse:
    """Log a call, a walk-in or a notification."""
    _require(request, "cases.view_intake")
    form = case_forms.IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.intake_record(actor=signed_in_user(request), **_clean(form.cleaned_data))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Saved as %(ref)s.") % {"ref": report.reference})
            return redirect("cases:intake_detail", pk=report.pk)
    return render(request, "cases/form.html", {"form": form, "title": _("Log a report")})


@login_required
def intake_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A report; who reported is shown only to case staff and to whoever recorded it (and that is audited)."""
    _require(request, "cases.view_intake")
    report = get_for_user(IntakeReport.objects.select_related("area", "workplace"), request.user, pk)
    notifier = selectors.may_see_notifier(request.user, report)
    if notifier and (report.notifier_name or report.notifier_contact):
        audit_read(actor=request.user, obj=report, what="notifier")
    can_change = IntakeReport.objects.visible_to(request.user, Action.CHANGE).filter(pk=pk).exists()
    close_form = case_forms.IntakeCloseForm(
        request.POST or None, initial={"action_taken": report.action_taken}
    )
    case_form = case_forms.PersonFields(prefix="p")
    if request.method == "POST" and can_change and close_form.is_valid():
        try:
            services.intake_close(actor=signed_in_user(request), report=report, **close_form.cleaned_data)
        except ValidationError as error:
            _add_errors(close_form, error)
        else:
            messages.success(request, _("Closed."))
            return redirect("cases:intake_detail", pk=pk)
    return render(
        request,
        "cases/intake_detail.html",
        {
            "report": report,
            "notifier": notifier,
            "can_change": can_change,
            "close_form": close_form,
            "case_form": case_form,
            "linked_case": Case.objects.visible_to(request.user).filter(intake=report).first(),
        },
    )


# ----------------------------------------------------------------------------------------------- cases


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """My agency's cases and those referred to us and accepted."""
    _require(request, "cases.view_cases")
    filters = {k: request.GET.get(k, "") for k in ("status", "stage", "track", "q")}
    qs = selectors.case_list(
        request.user,
        status=filters["status"],
        stage=filters["stage"],
        track=filters["track"],
        query=filters["q"].strip(),
        mine=request.GET.get("mine") == "1",
    )
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "filters": filters,
            "stages": Stage.objects.filter(active=True),
            "tracks": Track.choices,
            "mine": request.GET.get("mine") == "1",
        },
    )


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    """Open a case, from a report of the call log or from nothing."""
    _require(request, "cases.view_cases")
    intake = None
    intake_id = request.GET.get("intake") or request.POST.get("intake")
    if intake_id:
        intake = get_for_user(IntakeReport.objects.all(), request.user, intake_id, Action.CHANGE)
    form = case_forms.CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = _clean(form.cleaned_data)
        person = None
        if data.get("person_id"):
            person = Person.objects.visible_to(request.user).filter(pk=data["person_id"]).first()
            if person is None:
                form.add_error("person_id", _("There is no such person you can see."))
        if not form.errors:
            person_fields = {
                k: data[k]
                for k in (
                    "given_name",
                    "family_name",
                    "given_name_latin",
                    "family_name_latin",
                    "sex",
                    "birth_date",
                    "birth_year",
                    "village_code",
                )
                if k in data
            }
            try:
                case = services.case_open(
                    actor=signed_in_user(request),
                    opened_on=data["opened_on"],
                    person=person,
                    person_fields=None if person else person_fields,
                    intake=intake,
                    agency=intake.agency if intake else None,
                    nationality=data.get("nationality", ""),
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Case %(ref)s opened.") % {"ref": case.reference})
                return redirect("cases:case_detail", pk=case.pk)
    return render(
        request,
        "cases/form.html",
        {"form": form, "title": _("Open a case"), "hidden": {"intake": intake.pk} if intake else {}},
    )


def _case_for(request: HttpRequest, pk: int, action: str = Action.VIEW) -> Case:
    qs = Case.objects.select_related("person", "stage", "agency", "caseworker", "area")
    return get_for_user(qs, request.user, pk, action)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The case: who, what happened (the journey), where it is in the lifecycle, protection, the legal
    process, conferences and referrals. Every view is audited and listed at the bottom for the owner."""
    _require(request, "cases.view_cases")
    case = _case_for(request, pk)
    audit_read(actor=request.user, obj=case, what="case page")
    reach = selectors.access(request.user, case)
    can_change = Case.objects.visible_to(request.user, Action.CHANGE).filter(pk=pk).exists()
    screenings = list(case.screenings.all())
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "reach": reach,
            "can_change": can_change,
            "screenings": screenings,
            "outcomes": dict(OUTCOME_LABELS),
            "events": case.events.select_related("area", "workplace"),
            "perpetrators": case.perpetrators.all(),
            "steps": case.steps.select_related("stage", "responsible", "responsible_organisation"),
            "legal_events": case.legal_events.all(),
            "deadlines": case.deadlines.all(),
            "services": case.services.select_related("provider", "responder"),
            "stays": case.shelter_stays.select_related("shelter"),
            "assessments": case.assessments.all(),
            "repatriations": case.repatriations.select_related("agreement", "receiving_focal_point"),
            "follow_ups": case.follow_ups.all(),
            "conferences": case.conferences.prefetch_related("actions", "attendees"),
            "referrals": case.referrals.select_related("to_organisation") if reach.owner else [],
            "alerts": case.alerts.filter(status=CaseAlert.Status.OPEN) if reach.owner else [],
            "episodes": Case.objects.visible_to(request.user).filter(person=case.person).exclude(pk=pk)
            if reach.owner
            else [],
            "viewers": selectors.viewers_of(case) if reach.owner else [],
            "next_stages": [
                s
                for s in Stage.objects.filter(active=True, position__gt=case.stage.position)
                if s.allows(case.track)
            ][:3],
        },
    )


@login_required
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The HTCDS victim fields and the private fields."""
    _require(request, "cases.view_cases")
    case = _case_for(request, pk, Action.CHANGE)
    names = list(case_forms.CaseEditForm.base_fields)
    form = case_forms.CaseEditForm(request.POST or None, initial={n: getattr(case, n) for n in names})
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(actor=signed_in_user(request), case=case, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("cases:case_detail", pk=pk)
    return render(
        request,
        "cases/form.html",
        {"form": form, "title": _("Edit %(ref)s") % {"ref": case.reference}, "case": case},
    )


@dataclass(frozen=True)
class Recorder:
    """One thing to record on a case: its form, how to build it, and the service that saves it."""

    title: Any
    form: type[forms.Form]
    save: Callable[[Any, Case, dict[str, Any]], Any]
    form_kwargs: Callable[[HttpRequest, Case], dict[str, Any]] = lambda request, case: {}


def _organisations(request: HttpRequest, case: Case, **filters: Any) -> dict[str, Any]:
    return {"organisations": Organisation.objects.visible_to(request.user).filter(active=True, **filters)}


def _save_conference(actor: Any, case: Case, data: dict[str, Any]) -> Any:
    actions = []
    if data.get("action_what"):
        actions.append(
            {
                "what": data["action_what"],
                "owner_name": data.get("action_owner", ""),
                "due_on": data.get("action_due_on"),
            }
        )
    return services.conference_record(
        actor=actor,
        case=case,
        held_on=data["held_on"],
        other_attendees=data.get("other_attendees", ""),
        learned=data.get("learned", ""),
        decisions=data.get("decisions", ""),
        actions=actions,
    )


RECORDERS: dict[str, Recorder] = {
    "status": Recorder(
        _lazy("Trafficking status"),
        case_forms.StatusForm,
        lambda actor, case, d: services.status_decide(actor=actor, case=case, **d),
    ),
    "screening": Recorder(
        _lazy("Screening"),
        case_forms.ScreeningForm,
        lambda actor, case, d: services.screening_record(actor=actor, case=case, **d),
    ),
    "event": Recorder(
        _lazy("A step of the journey"),
        case_forms.EventForm,
        lambda actor, case, d: services.event_add(actor=actor, case=case, **d),
    ),
    "perpetrator": Recorder(
        _lazy("Someone who took part"),
        case_forms.PerpetratorForm,
        lambda actor, case, d: services.perpetrator_add(actor=actor, case=case, **d),
    ),
    "step": Recorder(
        _lazy("Move to the next stage"),
        case_forms.StepForm,
        lambda actor, case, d: services.step_record(actor=actor, case=case, **d),
        lambda request, case: {"case": case},
    ),
    "legal": Recorder(
        _lazy("Legal process"),
        case_forms.LegalForm,
        lambda actor, case, d: services.legal_event_add(actor=actor, case=case, **d),
    ),
    "deadline": Recorder(
        _lazy("A deadline"),
        case_forms.DeadlineForm,
        lambda actor, case, d: services.deadline_add(actor=actor, case=case, **d),
    ),
    "service": Recorder(
        _lazy("Support plan"),
        case_forms.ServiceForm,
        lambda actor, case, d: services.service_add(actor=actor, case=case, **d),
        _organisations,
    ),
    "shelter": Recorder(
        _lazy("Shelter stay"),
        case_forms.ShelterForm,
        lambda actor, case, d: services.shelter_stay_start(actor=actor, case=case, **d),
        lambda request, case: {
            "shelters": Organisation.objects.visible_to(request.user).filter(active=True, kind="shelter")
        },
    ),
    "best_interests": Recorder(
        _lazy("Safety and best-interests assessment"),
        case_forms.BestInterestsForm,
        lambda actor, case, d: services.best_interests_record(actor=actor, case=case, **d),
    ),
    "repatriation": Recorder(
        _lazy("Return or repatriation"),
        case_forms.RepatriationForm,
        lambda actor, case, d: services.repatriation_prepare(actor=actor, case=case, **d),
        lambda request, case: {"agreements": Agreement.objects.filter(active=True)},
    ),
    "follow_up": Recorder(
        _lazy("Follow-up"),
        case_forms.FollowUpForm,
        lambda actor, case, d: services.follow_up_record(actor=actor, case=case, **d),
    ),
    "conference": Recorder(_lazy("Case conference"), case_forms.ConferenceForm, _save_conference),
    "referral": Recorder(
        _lazy("Refer the case"),
        case_forms.ReferralForm,
        lambda actor, case, d: services.referral_create(actor=actor, case=case, **d),
        lambda request, case: {
            "organisations": Organisation.objects.visible_to(request.user)
            .filter(active=True)
            .exclude(member_agency_id=case.agency_id)
        },
    ),
}


@login_required
def case_add(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Record one thing on a case, on its own short form."""
    _require(request, "cases.view_cases")
    recorder = RECORDERS.get(kind)
    if recorder is None:
        raise Http404
    case = _case_for(request, pk, Action.CHANGE)
    form = recorder.form(request.POST or None, **recorder.form_kwargs(request, case))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            recorder.save(signed_in_user(request), case, data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("cases:case_detail", pk=pk)
    return render(
        request,
        "cases/form.html",
        {"form": form, "title": f"{recorder.title} · {case.reference}", "case": case, "kind": kind},
    )


@login_required
@require_POST
def case_mark(request: HttpRequest, pk: int, kind: str, item: int) -> HttpResponse:
    """Small one-button changes: a deadline met, an action done, a shelter stay ended, a return moved on."""
    _require(request, "cases.view_cases")
    case = _case_for(request, pk, Action.CHANGE)
    actor = signed_in_user(request)
    day = forms.DateField(required=False).clean(request.POST.get("on") or None)
    try:
        if kind == "deadline":
            services.deadline_done(actor=actor, deadline=_item(Deadline, case, item), done_on=day)
        elif kind == "action":
            action = ConferenceAction.objects.filter(pk=item, conference__case=case).first()
            if action is None:
                raise Http404
            services.action_done(actor=actor, action=action, done_on=day)
        elif kind == "shelter":
            stay = _item(ShelterStay, case, item)
            services.shelter_stay_end(actor=actor, stay=stay, ended_on=day or _today())
        elif kind == "repatriation":
            services.repatriation_advance(
                actor=actor,
                repatriation=_item(Repatriation, case, item),
                to=request.POST.get("to", ""),
                on=day,
                by=request.POST.get("by", ""),
            )
        else:
            raise Http404
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(request, _("Saved."))
    return redirect("cases:case_detail", pk=pk)


def _item(model: Any, case: Case, pk: int) -> Any:
    obj = model.objects.filter(pk=pk, case=case).first()
    if obj is None:
        raise Http404
    return obj


def _today() -> Any:
    from django.utils import timezone

    return timezone.localdate()


# ----------------------------------------------------------------------------------------------- referrals


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    """Referrals to my agency (no personal data until we accept) and from our cases."""
    _require(request, "cases.view_cases")
    return render(
        request,
        "cases/referrals.html",
        {
            "incoming": selectors.referrals_incoming(request.user)[:100],
            "outgoing": selectors.referrals_outgoing(request.user)[:100],
            "note_form": case_forms.NoteForm(),
        },
    )


@login_required
@require_POST
def referral_answer(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    _require(request, "cases.view_cases")
    referral = services.referral_for(request.user, pk)
    actor = signed_in_user(request)
    note = request.POST.get("note", "")
    try:
        if verb in ("accept", "reject"):
            services.referral_respond(actor=actor, referral=referral, accept=verb == "accept", note=note)
        elif verb in ("complete", "revoke"):
            to = Referral.Status.COMPLETED if verb == "complete" else Referral.Status.REVOKED
            services.referral_close(actor=actor, referral=referral, to=to, note=note)
        else:
            raise Http404
    except ValidationError as error:
        _flash(request, error)
    else:
        messages.success(request, _("Saved."))
        if verb == "accept":
            return redirect("cases:case_detail", pk=referral.case_id)
    return redirect("cases:referrals")


# ----------------------------------------------------------------------------------------------- alerts


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    """Missed deadlines, long shelter stays, overdue actions and follow-ups."""
    _require(request, "cases.view_cases")
    status = request.GET.get("status", CaseAlert.Status.OPEN)
    page = Paginator(selectors.alert_inbox(request.user, status=status), 30).get_page(request.GET.get("page"))
    return render(
        request, "cases/alerts.html", {"page": page, "status": status, "statuses": CaseAlert.Status.choices}
    )


@login_required
@require_POST
def alert_update(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, "cases.view_cases")
    alert = services.one_or_404(CaseAlert.visible_to(request.user, Action.CHANGE), pk)
    try:
        services.alert_update(
            actor=signed_in_user(request),
            alert=alert,
            to=request.POST.get("to", ""),
            note=request.POST.get("note", ""),
        )
    except ValidationError as error:
        _flash(request, error)
    return redirect("cases:alerts")
