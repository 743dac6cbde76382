"""Safe-migration pages for committee members on a phone: channels, register someone in a few steps, record a
check-in, see who is overdue; working children found at a site; recruiters' vacancies."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safepassage.accounts.selectors import signed_in_user
from safepassage.audit.services import audit_list, audit_page, audit_read
from safepassage.cases.services import one_or_404
from safepassage.core.access import viewer_for
from safepassage.core.forms import flash_error
from safepassage.core.models import get_for_user
from safepassage.core.roles import Action
from safepassage.migration import forms as mforms
from safepassage.migration import services
from safepassage.migration.models import (
    WORKERS,
    Channel,
    CheckIn,
    MigrationAlert,
    Registration,
    SiteRegistration,
    Vacancy,
    may_see_contacts,
    working_agencies,
)
from safepassage.migration.services import ORIENTATION
from safepassage.workplaces.models import Recruiter


def _require(request: HttpRequest) -> None:
    if not request.user.has_perm("migration.view_channels"):
        raise Http404


def _errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


@login_required
def channel_list(request: HttpRequest) -> HttpResponse:
    """My channels with how many people are registered, on the way, arrived and overdue."""
    _require(request)
    today = timezone.localdate()
    visible = Registration.objects.visible_to(request.user)
    channels = Channel.objects.visible_to(request.user).select_related("origin_area", "destination_area")
    overdue_ids = set(services.overdue(visible, today).values_list("pk", flat=True))
    counts = {
        row["channel_id"]: row
        for row in visible.values("channel_id").annotate(
            total=Count("id"),
            travelling=Count("id", filter=Q(status=Registration.Status.TRAVELLING)),
            arrived=Count("id", filter=Q(status=Registration.Status.ARRIVED)),
        )
    }
    overdue_by_channel: dict[int, int] = {}
    for channel_id in visible.filter(pk__in=overdue_ids).values_list("channel_id", flat=True):
        overdue_by_channel[channel_id] = overdue_by_channel.get(channel_id, 0) + 1
    rows = [(c, counts.get(c.pk, {}), overdue_by_channel.get(c.pk, 0)) for c in channels]
    can_add = request.user.has_perm("migration.view_channels") and viewer_for(request.user).has_role(
        "admin", "coordinator"
    )
    return render(request, "migration/channels.html", {"rows": rows, "can_add": can_add})


@login_required
def channel_new(request: HttpRequest) -> HttpResponse:
    _require(request)
    if not viewer_for(request.user).has_role("admin", "coordinator"):
        raise Http404
    form = mforms.ChannelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            channel = services.channel_create(actor=signed_in_user(request), **form.cleaned_data)
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("Channel opened."))
            return redirect("migration:channel", pk=channel.pk)
    return render(request, "migration/form.html", {"form": form, "title": _("Open a channel")})


@login_required
def channel_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A channel's registrations, the overdue first."""
    _require(request)
    channel = get_for_user(
        Channel.objects.select_related("origin_area", "destination_area"), request.user, pk
    )
    visible = Registration.objects.visible_to(request.user).filter(channel=channel)
    status = request.GET.get("status", "")
    overdue_ids = set(services.overdue(visible).values_list("pk", flat=True))
    qs = visible.select_related("person", "person__village")
    if status == "overdue":
        qs = qs.filter(pk__in=overdue_ids)
    elif status:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-travel_date", "-id"), 30).get_page(request.GET.get("page"))
    audit_page(actor=request.user, page=page, what="page:channel")
    origin = {channel.agency_id}
    if channel.origin_organisation is not None and channel.origin_organisation.member_agency_id:
        origin.add(channel.origin_organisation.member_agency_id)
    can_register = bool(origin & working_agencies(viewer_for(request.user), (*WORKERS, "admin")))
    return render(
        request,
        "migration/channel.html",
        {
            "channel": channel,
            "page": page,
            "overdue_ids": overdue_ids,
            "status": status,
            "statuses": Registration.Status.choices,
            "can_register": can_register,
        },
    )


@login_required
def register(request: HttpRequest, pk: int) -> HttpResponse:
    """Register someone who chose to, before they leave: four short steps on one screen."""
    _require(request)
    channel = get_for_user(Channel.objects.select_related("origin_organisation"), request.user, pk)
    form = mforms.RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        documents = []
        if data.get("document_kind"):
            documents.append({"kind": data["document_kind"], "number": data.get("document_number", "")})
        person_fields = {
            k: data[k]
            for k in ("given_name", "family_name", "sex", "birth_year", "village_code")
            if data.get(k)
        }
        try:
            registration = services.registration_create(
                actor=signed_in_user(request),
                channel=channel,
                purpose=data["purpose"],
                travel_date=data["travel_date"],
                expected_arrival=data.get("expected_arrival"),
                consent=data["consent"],
                person_fields=person_fields,
                sector=data.get("sector", ""),
                destination_place=data.get("destination_place", ""),
                recruiter_id=data.get("recruiter_id"),
                phone=data.get("phone", ""),
                messaging=data.get("messaging", ""),
                family_contact=data.get("family_contact", ""),
                documents=documents,
                orientation=dict.fromkeys(data.get("orientation") or [], True),
                completed_compulsory_education=mforms.yes_no(data.get("completed_compulsory_education")),
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("Registered. Safe travels: the hotline numbers are on the card."))
            return redirect("migration:registration", pk=registration.pk)
    return render(request, "migration/register.html", {"form": form, "channel": channel})


def _registration(request: HttpRequest, pk: int, action: str = Action.VIEW) -> Registration:
    qs = Registration.objects.select_related(
        "channel__destination_organisation", "person__village", "agency", "recruiter", "planned_workplace"
    )
    return get_for_user(qs, request.user, pk, action)


@login_required
def registration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A registration: the trip, check-ins (record the next one), counselling, and what to do next."""
    _require(request)
    registration = _registration(request, pk)
    contacts = may_see_contacts(viewer_for(request.user), registration)
    if contacts:
        audit_read(actor=request.user, obj=registration, what="contacts")
    can_change = Registration.objects.visible_to(request.user, Action.CHANGE).filter(pk=pk).exists()
    checkins = list(registration.checkins.select_related("observation", "case"))
    next_due = next((c for c in checkins if c.done_on is None), None)
    from safepassage.migration.followup_views import followup_context

    return render(
        request,
        "migration/registration.html",
        {
            "r": registration,
            "contacts": contacts,
            "can_change": can_change,
            "checkins": checkins,
            "next_due": next_due,
            "today": timezone.localdate(),
            "orientation": [
                (label, registration.orientation.get(key, False)) for key, label in ORIENTATION.items()
            ],
            "counselling": registration.counselling.all(),
            "alerts": registration.alerts.exclude(status=MigrationAlert.Status.RESOLVED),
            "case_staff": request.user.has_perm("cases.view_cases"),
            **followup_context(registration),
        },
    )


@login_required
def checkin(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a check-in: reached or not, and how work, pay and housing are."""
    _require(request)
    registration = _registration(request, pk, Action.CHANGE)
    scheduled = None
    if request.GET.get("checkin") or request.POST.get("checkin"):
        scheduled = one_or_404(
            registration.checkins.all(), request.GET.get("checkin") or request.POST.get("checkin")
        )
    form = mforms.CheckInForm(request.POST or None, initial={"done_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.checkin_record(
                actor=signed_in_user(request),
                registration=registration,
                checkin=scheduled,
                done_on=data["done_on"],
                reached=data["reached"] == "yes",
                how=data["how"],
                work_ok=mforms.yes_no(data.get("work_ok")),
                pay_ok=mforms.yes_no(data.get("pay_ok")),
                housing_ok=mforms.yes_no(data.get("housing_ok")),
                problems=data.get("problems") or [],
                notes=data.get("notes", ""),
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("Check-in saved."))
            return redirect("migration:registration", pk=pk)
    return render(
        request,
        "migration/form.html",
        {
            "form": form,
            "title": _("Check-in"),
            "back": registration,
            "hidden": {"checkin": scheduled.pk} if scheduled else {},
        },
    )


@login_required
@require_POST
def registration_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """One-button steps: confirm arrival, withdraw consent, a check-in's problem to evidence or a case."""
    _require(request)
    registration = _registration(request, pk, Action.CHANGE)
    actor = signed_in_user(request)
    day = forms.DateField(required=False).clean(request.POST.get("on") or None) or timezone.localdate()
    try:
        if verb == "arrival":
            services.arrival_confirm(actor=actor, registration=registration, arrived_on=day)
        elif verb == "withdraw":
            services.consent_withdraw(
                actor=actor, registration=registration, reason=request.POST.get("reason", "")
            )
            kept = services.withdrawal_keeps_person(registration)
            if registration.person.erased_at is not None:
                messages.info(request, _("Their name and details were erased from the registry too."))
            elif kept:
                messages.info(request, kept)
        elif verb in ("observation", "case"):
            item = one_or_404(registration.checkins.all(), request.POST.get("checkin"))
            if verb == "observation":
                services.problem_to_observation(actor=actor, checkin=item)
            else:
                case = services.problem_to_case(actor=actor, checkin=item)
                messages.success(request, _("Case %(ref)s opened.") % {"ref": case.reference})
        elif verb == "acknowledge":
            alert = one_or_404(registration.alerts.all(), request.POST.get("alert"))
            services.alert_acknowledge(actor=actor, alert=alert)
        elif verb == "counselling":
            services.counselling_record(
                actor=actor,
                registration=registration,
                advice=request.POST.get("advice", ""),
                back_to_school=request.POST.get("back_to_school") == "on",
            )
        else:
            raise Http404
    except ValidationError as error:
        flash_error(request, error)
    else:
        messages.success(request, _("Saved."))
    return redirect("migration:registration", pk=pk)


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    """Who is overdue: missed check-ins, arrivals not confirmed, people out of reach."""
    _require(request)
    today = timezone.localdate()
    visible = Registration.objects.visible_to(request.user)
    late = (
        services.overdue(visible, today)
        .select_related("person", "channel")
        .order_by("unreachable_since", "-travel_date")
    )
    alerts = list(
        MigrationAlert.objects.filter(registration__in=visible, status=MigrationAlert.Status.OPEN)
        .select_related("registration__person")
        .order_by("-created_at")[:100]
    )
    page = Paginator(late, 30).get_page(request.GET.get("page"))
    audit_page(actor=request.user, page=page, what="page:overdue")
    audit_list(
        actor=request.user, object_type=MigrationAlert._meta.label_lower, rows=alerts, what="page:overdue"
    )
    due_checkins = {
        c.registration_id: c
        for c in CheckIn.objects.filter(
            registration__in=[r.pk for r in page], done_on__isnull=True, due_on__lt=today
        ).order_by("due_on")
    }
    return render(
        request,
        "migration/overdue.html",
        {"page": page, "alerts": alerts, "due": due_checkins, "today": today},
    )


@login_required
def site_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    qs = SiteRegistration.objects.visible_to(request.user).select_related("person", "site_area")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    audit_page(actor=request.user, page=page, what="page:sites")
    return render(request, "migration/sites.html", {"page": page})


@login_required
def site_new(request: HttpRequest) -> HttpResponse:
    """Register a working child found at a site; family tracing opens."""
    _require(request)
    form = mforms.SiteForm(request.POST or None, initial={"found_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        person_fields = {k: data.pop(k) for k in ("given_name", "sex", "birth_year") if k in data}
        try:
            site = services.site_registration_create(
                actor=signed_in_user(request), person_fields=person_fields, **data
            )
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("Registered. Start tracing the family."))
            return redirect("migration:site", pk=site.pk)
    return render(request, "migration/form.html", {"form": form, "title": _("A child found at a site")})


@login_required
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    site = get_for_user(
        SiteRegistration.objects.select_related("person", "site_area", "case"), request.user, pk
    )
    audit_read(actor=request.user, obj=site, what="site registration")
    can_change = SiteRegistration.objects.visible_to(request.user, Action.CHANGE).filter(pk=pk).exists()
    form = mforms.TracingForm(request.POST or None, initial={"done_on": timezone.localdate()})
    if request.method == "POST" and can_change:
        if request.POST.get("hand_over"):
            try:
                services.site_hand_over(
                    actor=signed_in_user(request), site=site, to=request.POST["hand_over"]
                )
            except ValidationError as error:
                flash_error(request, error)
            return redirect("migration:site", pk=pk)
        if form.is_valid():
            try:
                services.tracing_step_add(actor=signed_in_user(request), site=site, **form.cleaned_data)
            except ValidationError as error:
                _errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("migration:site", pk=pk)
    return render(
        request,
        "migration/site.html",
        {
            "site": site,
            "steps": site.steps.all(),
            "form": form,
            "can_change": can_change,
            "case_staff": request.user.has_perm("cases.view_cases"),
        },
    )


@login_required
def vacancy_list(request: HttpRequest) -> HttpResponse:
    """Jobs registered recruiters brought to our villages, and a form to record a new one."""
    _require(request)
    recruiters = Recruiter.objects.visible_to(request.user).filter(registered_on__isnull=False)
    form = mforms.VacancyForm(
        request.POST or None, recruiters=recruiters, initial={"posted_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data, recruiter_id=int(form.cleaned_data["recruiter_id"]))
        try:
            services.vacancy_create(actor=signed_in_user(request), **data)
        except ValidationError as error:
            _errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("migration:vacancies")
    qs = (
        Vacancy.objects.visible_to(request.user)
        .select_related("recruiter", "village")
        .annotate(placed=Count("placements"))
        .order_by("-posted_on", "-id")
    )
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "migration/vacancies.html",
        {"page": page, "form": form, "has_recruiters": recruiters.exists()},
    )
