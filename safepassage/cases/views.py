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
from safepassage.audit.services import audit_page, audit_read
from safepassage.cases import break_glass, selectors, services, sharing
from safepassage.cases import forms as case_forms
from safepassage.cases.child_views import child_context
from safepassage.cases.htcds import CaseStatus
from safepassage.cases.models import (
    CASE_ROLES,
    Case,
    CaseAlert,
    ConferenceAction,
    Deadline,
    IntakeReport,
    Referral,
    Repatriation,
    ReturnPartner,
    ShelterStay,
    Stage,
    Track,
)
from safepassage.cases.screening import OUTCOME_LABELS
from safepassage.core.access import viewer_for
from safepassage.core.forms import DateInput, flash_error
from safepassage.core.models import get_for_user
from safepassage.core.pickers import normalise
from safepassage.core.roles import Action
from safepassage.geo.models import Level
from safepassage.network.models import Agreement, FocalPoint, Organisation
from safepassage.registry import documents
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


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in (None, "")}


# ----------------------------------------------------------------------------------------------- intake


@login_required
def intake_list(request: HttpRequest) -> HttpResponse:
    """The call log: every report with the action taken."""
    _require(request, "cases.view_intake")
    status = request.GET.get("status", "")
    page = Paginator(selectors.intake_list(request.user, status=status), 30).get_page(request.GET.get("page"))
    audit_page(actor=request.user, page=page, what="page:intake")
    return render(
        request,
        "cases/intake_list.html",
        {"page": page, "status": status, "statuses": IntakeReport.Status.choices},
    )


def _directory(request: HttpRequest) -> list[Organisation]:
    """Organisations a report may be passed to: those on SafePassage first (not the user's own agencies)."""
    return selectors.referral_targets(request.user, not_agencies=_case_agencies(request))


def _case_agencies(request: HttpRequest) -> list[int]:
    return [g.agency_id for g in viewer_for(request.user).grants if g.role in CASE_ROLES]


@login_required
def intake_new(request: HttpRequest) -> HttpResponse:
    """Log a call, a walk-in or a notification: when, how urgent, what is suspected, where, who takes it."""
    _require(request, "cases.view_intake")
    form = case_forms.IntakeForm(
        request.POST or None,
        user=request.user,
        organisations=_directory(request),
        staff=request.user.has_perm("cases.view_cases"),
    )
    if request.method == "POST" and form.is_valid():
        data = _clean(form.cleaned_data)
        data.pop("received_on", None)
        data.pop("received_time", None)
        try:
            report = services.intake_record(
                actor=signed_in_user(request), received_at=form.received_at(), **data
            )
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
    report = get_for_user(
        IntakeReport.objects.select_related("area", "workplace", "referred_to"), request.user, pk
    )
    notifier = selectors.may_see_notifier(request.user, report)
    if notifier and (report.notifier_name or report.notifier_contact):
        audit_read(actor=request.user, obj=report, what="notifier")
    can_change = IntakeReport.objects.visible_to(request.user, Action.CHANGE).filter(pk=pk).exists()
    close_form = case_forms.IntakeCloseForm(
        request.POST or None,
        organisations=_directory(request) if can_change else (),
        initial={"action_taken": report.action_taken, "referred_to_id": report.referred_to_id},
    )
    if request.method == "POST" and can_change and close_form.is_valid():
        try:
            services.intake_close(
                actor=signed_in_user(request), report=report, **_clean(close_form.cleaned_data)
            )
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
            "linked_case": Case.objects.visible_to(request.user).filter(intake=report).first(),
        },
    )


# ----------------------------------------------------------------------------------------------- cases


@login_required
def case_list(request: HttpRequest, mine: bool = False) -> HttpResponse:
    """My agency's cases and those referred to us and accepted; or the cases given to me, urgent first."""
    _require(request, "cases.view_cases")
    mine = mine or request.GET.get("mine") == "1"
    filters = {k: request.GET.get(k, "") for k in ("status", "stage", "track", "q")}
    qs = selectors.case_list(
        request.user,
        status=filters["status"],
        stage=filters["stage"],
        track=filters["track"],
        query=filters["q"].strip(),
        mine=mine,
    )
    if mine and not filters["status"]:
        qs = qs.exclude(status__in=[CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED])
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    audit_page(actor=request.user, page=page, what="page:cases")
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "filters": filters,
            "stages": Stage.objects.filter(active=True),
            "tracks": Track.choices,
            "mine": mine,
            "my_agencies": _case_agencies(request),
        },
    )


@login_required
def my_cases(request: HttpRequest) -> HttpResponse:
    """The open cases given to me: the most urgent first, then the nearest deadline."""
    return case_list(request, mine=True)


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    """Open a case, from a report of the call log or from nothing."""
    _require(request, "cases.view_cases")
    intake = None
    intake_id = request.GET.get("intake") or request.POST.get("intake")
    initial: dict[str, Any] = {}
    if intake_id:
        intake = get_for_user(
            IntakeReport.objects.select_related("area", "workplace"), request.user, intake_id, Action.CHANGE
        )
        initial["urgency"] = intake.urgency
        if intake.area is not None and intake.area.level == Level.VILLAGE:
            initial["village_code"] = intake.area.code
    form = case_forms.CaseForm(request.POST or None, user=request.user, initial=initial)
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
                    urgency=data.get("urgency", ""),
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Case %(ref)s opened.") % {"ref": case.reference})
                return redirect("cases:case_detail", pk=case.pk)
    return render(
        request,
        "cases/form.html",
        {
            "form": form,
            "title": _("Open a case"),
            "hidden": {"intake": intake.pk} if intake else {},
            "report": intake,
        },
    )


def _case_for(request: HttpRequest, pk: int, action: str = Action.VIEW) -> Case:
    """One case to act on; to read, a live emergency access opens it too (marked in the trail)."""
    qs = Case.objects.select_related("person", "stage", "agency", "caseworker", "area")
    return break_glass.case_for_reader(qs, request, pk, action, what="case page")


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The case: who, what happened (the journey), where it is in the lifecycle, protection, the legal
    process, conferences, notes and referrals. Every view is audited and listed at the bottom for the owner.

    What a reader sees is what selectors.access() names (the owner all; a receiving agency what its accepted
    referral opens); the template shows a part only when `reach` has it."""
    _require(request, "cases.view_cases")
    case = _case_for(request, pk)
    audit_read(actor=request.user, obj=case, what="case page")
    reach = selectors.access(request.user, case)
    can_change = Case.objects.visible_to(request.user, Action.CHANGE).filter(pk=pk).exists()
    sees = reach.sees
    report = case.intake if sees(selectors.REPORT) else None
    notifier = False
    if report is not None:
        notifier = selectors.may_see_notifier(request.user, report)
        if notifier and (report.notifier_name or report.notifier_contact):
            audit_read(actor=request.user, obj=report, what="notifier, from the case")
    owner = reach.owner
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "reach": reach,
            "parts": reach.parts,
            "citizenship": documents.status_of(case.person)
            if sees(selectors.CITIZENSHIP) and case.person_id is not None
            else None,
            "can_change": can_change,
            "adds": reach.adds,
            "report": report,
            "notifier": notifier,
            "screenings": list(case.screenings.all()) if sees(selectors.SCREENING) else [],
            "outcomes": dict(OUTCOME_LABELS),
            "events": case.events.select_related("area", "workplace") if sees(selectors.JOURNEY) else [],
            "perpetrators": case.perpetrators.all() if sees(selectors.PERPETRATORS) else [],
            "steps": case.steps.select_related("stage", "responsible", "responsible_organisation")
            if sees(selectors.LIFECYCLE)
            else [],
            "legal_events": case.legal_events.all() if sees(selectors.LEGAL) else [],
            **child_context(case, sees(selectors.LEGAL)),
            "deadlines": case.deadlines.all() if sees(selectors.LEGAL) else [],
            "services": case.services.select_related("provider", "responder", "via_referral__to_agency")
            if sees(selectors.SUPPORT)
            else [],
            "stays": _with_date_inputs(
                case.shelter_stays.select_related("shelter") if sees(selectors.SUPPORT) else [],
                "shelter",
                _("Left on"),
            ),
            "assessments": case.assessments.all() if sees(selectors.RETURNS) else [],
            "repatriations": _with_date_inputs(
                case.repatriations.select_related(
                    "agreement", "receiving_focal_point", "destination_area"
                ).prefetch_related("partners")
                if sees(selectors.RETURNS)
                else [],
                "repatriation",
                _("Date"),
            ),
            "measure_labels": services.return_measure_labels() if sees(selectors.RETURNS) else {},
            "measure_choices": services.return_measure_choices() if sees(selectors.RETURNS) else [],
            "partner_roles": ReturnPartner.Role.choices,
            "follow_ups": case.follow_ups.select_related("via_referral__to_agency", "partner")
            if sees(selectors.RETURNS)
            else [],
            "conferences": case.conferences.prefetch_related("actions", "attendees")
            if sees(selectors.CONFERENCES)
            else [],
            "notes": services.notes_read(actor=signed_in_user(request), case=case)
            if sees(selectors.NOTES)
            else [],
            "referrals": sharing.described(
                case.referrals.select_related("to_organisation", "from_agency", "to_agency", "parent")
            )
            if owner
            else [],
            "received": sharing.described(reach.referrals),
            "sharing_agreements": sharing.receiving_agreements(case) if owner else [],
            "onward": Referral.objects.filter(parent__in=reach.referrals).select_related("to_organisation")
            if reach.referrals
            else [],
            "alerts": case.alerts.filter(status=CaseAlert.Status.OPEN) if owner else [],
            "episodes": Case.objects.visible_to(request.user).filter(person=case.person).exclude(pk=pk)
            if owner
            else [],
            "viewers": selectors.viewers_of(case) if owner else [],
            "next_stages": [
                s
                for s in Stage.objects.filter(active=True, position__gt=case.stage.position)
                if s.allows(case.track)
            ][:3],
        },
    )


def _with_date_inputs(items: Any, kind: str, label: str) -> list[Any]:
    """Each item with the date input of its one-button form: ISO, with the Buddhist-era entry in Thai."""
    rows = list(items)
    for row in rows:
        row.on_input = DateInput().render("on", None, {"id": f"on-{kind}-{row.pk}", "aria-label": label})
    return rows


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


def _user(request: HttpRequest, case: Case) -> dict[str, Any]:
    return {"user": request.user}


def _referral_targets(request: HttpRequest, case: Case) -> dict[str, Any]:
    """Who the case may go to: never the sender's own agencies, nor (when referring on) the case's owner;
    with what each would read (its receiving profile, no more than the referral it is made on from) and the
    sharing agreements with it."""
    organisations = selectors.referral_targets(
        request.user, not_agencies=[case.agency_id, *_case_agencies(request)]
    )
    reach = selectors.access(request.user, case)
    via = reach.via if not reach.owner else None
    sender = via.to_agency_id if via is not None else case.agency_id
    return {
        "organisations": organisations,
        "previews": sharing.previews(organisations, sender_id=sender, via=via),
    }


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
    "track": Recorder(
        _lazy("Decide the track"),
        case_forms.TrackForm,
        lambda actor, case, d: services.track_override(actor=actor, case=case, **d),
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
        _user,
    ),
    "perpetrator": Recorder(
        _lazy("Someone who took part"),
        case_forms.PerpetratorForm,
        lambda actor, case, d: services.perpetrator_add(actor=actor, case=case, **d),
        _user,
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
        lambda request, case: {
            "agreements": Agreement.objects.filter(active=True),
            "focal_points": FocalPoint.objects.visible_to(request.user)
            .filter(active=True, purpose=FocalPoint.Purpose.REPATRIATION)
            .select_related("responder"),
            "user": request.user,
        },
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
        _referral_targets,
    ),
    "note": Recorder(
        _lazy("A note"),
        case_forms.CaseNoteForm,
        lambda actor, case, d: services.note_add(actor=actor, case=case, **d),
    ),
    "assign": Recorder(
        _lazy("Give the case to a caseworker"),
        case_forms.AssignForm,
        lambda actor, case, d: services.case_assign(
            actor=actor, case=case, caseworker_id=d.get("caseworker_id")
        ),
        lambda request, case: {"staff": selectors.caseworkers(case.agency_id)},
    ),
}


@login_required
def case_add(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Record one thing on a case, on its own short form."""
    _require(request, "cases.view_cases")
    recorder = RECORDERS.get(kind)
    if recorder is None:
        raise Http404
    # The owner's case staff record anything; a receiving agency adds services, notes, follow-ups and
    # onward referrals under the accepted referral it works with (services.case_to_work_on says which).
    case, via = services.case_to_work_on(signed_in_user(request), pk, kind)
    initial = _add_initial(request, case, kind)
    form = recorder.form(request.POST or None, initial=initial, **recorder.form_kwargs(request, case))
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
        {
            "form": form,
            "title": f"{recorder.title} · {case.reference}",
            "case": case,
            "kind": kind,
            "via": via,
        },
    )


def _add_initial(request: HttpRequest, case: Case, kind: str) -> dict[str, Any]:
    """What a form starts with: the referral target named by the report, the current caseworker."""
    if kind == "referral":
        target = request.GET.get("to") or (
            case.intake.referred_to_id if case.intake is not None and case.intake.referred_to_id else ""
        )
        return {"to_organisation_id": target} if target else {}
    if kind == "assign":
        return {"caseworker_id": case.caseworker_id or ""}
    return {}


@login_required
@require_POST
def case_mark(request: HttpRequest, pk: int, kind: str, item: int) -> HttpResponse:
    """Small one-button changes: a deadline met, an action done, a shelter stay ended, a return moved on."""
    _require(request, "cases.view_cases")
    case = _case_for(request, pk, Action.CHANGE)
    actor = signed_in_user(request)
    try:
        # (the date as ISO, or as typed in the Buddhist era beside it in Thai)
        day = forms.DateField(required=False).clean(
            DateInput().value_from_datadict(request.POST, None, "on") or None
        )
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
        elif kind == "return_measures":
            services.return_measures_record(
                actor=actor,
                repatriation=_item(Repatriation, case, item),
                measures=request.POST.getlist("measures"),
                note=request.POST.get("note", ""),
            )
        elif kind == "return_partner":
            services.return_partner_add(
                actor=actor,
                repatriation=_item(Repatriation, case, item),
                role=request.POST.get("role", ""),
                name=request.POST.get("name", ""),
                country=request.POST.get("country", ""),
                contact=request.POST.get("contact", ""),
            )
        elif kind == "return_partner_remove":
            services.return_partner_remove(actor=actor, partner=_item(ReturnPartner, case, item))
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
        flash_error(request, error)
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


# ----------------------------------------------------------------------------------------------- pickers


@login_required
def pick(request: HttpRequest, kind: str) -> HttpResponse:
    """The records a picker finds for what was typed (HTMX swaps them in under the search box)."""
    if kind not in case_forms.PICKER_KINDS:
        raise Http404
    # Places are for everyone who logs reports; people, workplaces and recruiters are case staff's.
    _require(request, "cases.view_intake" if kind in ("village", "area") else "cases.view_cases")
    field = request.GET.get("field", "")
    if not field.replace("_", "").isalnum():
        raise Http404
    search, _label, _exact = case_forms.pickers(request.user, kind)
    query = normalise(request.GET.get(f"{field}_q", ""))
    options = search(query) if query else []
    return render(
        request,
        "core/widgets/picker_options.html",
        {
            "name": field,
            "options": options,
            "selected": "",
            "searched": bool(query),
            "none_found": _("Nothing found: try another spelling or part of the name."),
        },
    )


# ----------------------------------------------------------------------------------------------- referrals


@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    """Referrals to my agency (no personal data until we accept) and from our cases."""
    _require(request, "cases.view_cases")
    # Two lists, each with its own pages ("page" and "sent"); waiting and urgent ones come first.
    incoming = Paginator(selectors.referrals_incoming(request.user), 20).get_page(request.GET.get("page"))
    outgoing = Paginator(selectors.referrals_outgoing(request.user), 20).get_page(request.GET.get("sent"))
    audit_page(actor=request.user, page=incoming, what="page:referrals-in")
    audit_page(actor=request.user, page=outgoing, what="page:referrals-out")
    return render(
        request,
        "cases/referrals.html",
        {
            "incoming": incoming,
            "outgoing": outgoing,
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
        flash_error(request, error)
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
    audit_page(actor=request.user, page=page, what="page:case-alerts")
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
        flash_error(request, error)
    return redirect("cases:alerts")


@login_required
def return_measures_list(request: HttpRequest) -> HttpResponse:
    """The list of child-friendly return measures a return can record: a system administrator adds,
    renames (in each language) and retires measures, as for sectors and expertise; others get 404."""
    from safepassage.cases.models import ReturnMeasureKind
    from safepassage.workplaces.kinds import kinds_page

    return kinds_page(
        request,
        ReturnMeasureKind,
        title=_("Child-friendly return measures"),
        back="cases:case_list",
        url_name="cases:return_measures_list",
    )
