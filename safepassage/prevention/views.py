"""Pages for prevention: a village's help, package check and findings beside its risk (with the volunteer's
short way to record help for several people at once); a person's and a household's package; the catalogue;
and the reports: did it work, package completeness, and "push down, pop up" fed by the programmes' areas."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from safepassage.accounts.selectors import signed_in_user
from safepassage.audit.services import audit_read
from safepassage.core.forms import DateInput
from safepassage.core.roles import Action
from safepassage.geo.models import Area, Level
from safepassage.prevention import impact, package, selectors, services
from safepassage.prevention.models import Delivery, Finding, Intervention, PackageRule
from safepassage.registry import selectors as registry_selectors
from safepassage.registry.models import Household, Person
from safepassage.registry.rules import sees_people
from safepassage.reports.params import parse_period
from safepassage.reports.selectors import displacement, may_report, report_scope


def _intervention_choices() -> list[tuple[str, str]]:
    return [(i.code, i.title) for i in selectors.interventions()]


class DeliveryForm(forms.Form):
    intervention = forms.ChoiceField(label=_lazy("What was given"), choices=())
    started_on = forms.DateField(label=_lazy("Started on"), widget=DateInput())
    ended_on = forms.DateField(label=_lazy("Ended on"), required=False, widget=DateInput())
    note = forms.CharField(label=_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["intervention"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = _intervention_choices()


class FindingForm(forms.Form):
    kind = forms.ChoiceField(label=_lazy("Kind"), choices=Finding.Kind.choices)
    held_on = forms.DateField(label=_lazy("Held on"), widget=DateInput())
    title = forms.CharField(label=_lazy("Title"), max_length=200)
    findings = forms.CharField(label=_lazy("What was found"), widget=forms.Textarea(attrs={"rows": 4}))
    participants = forms.CharField(
        label=_lazy("Who took part"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_lazy(
            "Groups and numbers (e.g. 12 mothers, 8 young people, the village headman), not names."
        ),
    )
    file = forms.FileField(label=_lazy("Attachment (photo or PDF)"), required=False)


def _errors(form: forms.Form, error: ValidationError) -> None:
    for name, problems in error.message_dict.items():
        form.add_error(name if name in form.fields else None, problems)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Prevention: the villages I work in, and the reports."""
    user = signed_in_user(request)
    villages = list(registry_selectors.villages_for(user)[:200]) if sees_people(user) else []
    if not villages and not may_report(user) and not user.is_superuser:
        raise Http404
    return render(
        request,
        "prevention/home.html",
        {"villages": villages, "reports": may_report(user), "interventions": selectors.interventions()},
    )


@login_required
def village(request: HttpRequest, code: str) -> HttpResponse:
    """One village: its risk, the help given there, its package check and its findings, with forms to
    record help (for several of its people at once, or the whole village) and findings."""
    user = signed_in_user(request)
    place = selectors.village_for(user, code)
    can_record = selectors.may_record_in(user, place)
    people = selectors.people_of(user, place)
    many_form = DeliveryForm(prefix="many", initial={"started_on": timezone.localdate()})
    whole_form = DeliveryForm(prefix="whole", initial={"started_on": timezone.localdate()})
    finding_form = FindingForm(prefix="finding", initial={"held_on": timezone.localdate()})
    if request.method == "POST":
        if not can_record:
            raise Http404
        what = request.POST.get("what", "")
        try:
            if what == "people":
                many_form = DeliveryForm(request.POST, prefix="many")
                chosen = list(people.filter(pk__in=request.POST.getlist("person")))
                if many_form.is_valid():
                    data = many_form.cleaned_data
                    services.deliveries_record_many(
                        actor=user,
                        intervention=data["intervention"],
                        started_on=data["started_on"],
                        people=chosen,
                    )
                    messages.success(request, _("Recorded for %(n)d people.") % {"n": len(chosen)})
                    return redirect("prevention:village", place.code)
            elif what == "village":
                whole_form = DeliveryForm(request.POST, prefix="whole")
                if whole_form.is_valid():
                    services.delivery_record(actor=user, village=place, **whole_form.cleaned_data)
                    messages.success(request, _("Recorded for the whole village."))
                    return redirect("prevention:village", place.code)
            elif what == "finding":
                finding_form = FindingForm(request.POST, request.FILES, prefix="finding")
                if finding_form.is_valid():
                    data = dict(finding_form.cleaned_data)
                    upload = data.pop("file", None)
                    services.finding_add(actor=user, village=place, upload=upload, **data)
                    messages.success(request, _("Finding recorded."))
                    return redirect("prevention:village", place.code)
            else:
                raise Http404
        except ValidationError as error:
            form = {"people": many_form, "village": whole_form}.get(what, finding_form)
            _errors(form, error)
        except PermissionDenied as denied:
            messages.error(request, str(denied))
    deliveries = list(selectors.deliveries_in(user, place)[:300])
    person_list = list(people[:300])
    drifting = package.people_drifts(person_list)
    return render(
        request,
        "prevention/village.html",
        {
            "village": place,
            "risk": selectors.village_risk(user, place),
            "deliveries": deliveries,
            "village_package": package.village_package(place.pk),
            "people": [(p, drifting.get(p.pk)) for p in person_list],
            "drifting_people": [(p, drifting[p.pk]) for p in person_list if drifting.get(p.pk)],
            "findings": selectors.findings_in(user, place),
            "can_record": can_record,
            "many_form": many_form,
            "whole_form": whole_form,
            "finding_form": finding_form,
        },
    )


@login_required
def person(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's package: what they, their household and their village received; the rules it breaks;
    a form to record more. Audited as a view of the person."""
    user = signed_in_user(request)
    subject = registry_selectors.get_person_for_user(user, pk)
    may_change = Person.objects.visible_to(user, Action.CHANGE).filter(pk=subject.pk).exists()
    form = DeliveryForm(initial={"started_on": timezone.localdate()})
    if request.method == "POST":
        if not may_change:
            raise Http404
        form = DeliveryForm(request.POST)
        if form.is_valid():
            try:
                services.delivery_record(actor=user, person=subject, **form.cleaned_data)
                messages.success(request, _("Recorded."))
                return redirect("prevention:person", subject.pk)
            except ValidationError as error:
                _errors(form, error)
    audit_read(actor=user, obj=subject, what="prevention")
    return render(
        request,
        "prevention/person.html",
        {
            "person": subject,
            "package": package.person_package(subject),
            "form": form,
            "may_change": may_change,
        },
    )


@login_required
def household(request: HttpRequest, pk: int) -> HttpResponse:
    """A household's package and each member's flags, with a form to record help for the household."""
    user = signed_in_user(request)
    home_ = registry_selectors.get_household_for_user(user, pk)
    may_change = Household.objects.visible_to(user, Action.CHANGE).filter(pk=home_.pk).exists()
    form = DeliveryForm(initial={"started_on": timezone.localdate()})
    if request.method == "POST":
        if not may_change:
            raise Http404
        form = DeliveryForm(request.POST)
        if form.is_valid():
            try:
                services.delivery_record(actor=user, household=home_, **form.cleaned_data)
                messages.success(request, _("Recorded."))
                return redirect("prevention:household", home_.pk)
            except ValidationError as error:
                _errors(form, error)
    members = list(Person.objects.visible_to(user).filter(household=home_).order_by("pk"))
    drifting = package.people_drifts(members)
    audit_read(actor=user, obj=home_, what="prevention")
    return render(
        request,
        "prevention/household.html",
        {
            "household": home_,
            "package": package.household_package(home_),
            "members": [(m, drifting.get(m.pk)) for m in members],
            "form": form,
            "may_change": may_change,
        },
    )


@login_required
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """A finding's attachment, for those who see the finding; every download audited."""
    user = signed_in_user(request)
    found = selectors.attachment_for(user, pk)
    audit_read(actor=user, obj=found.finding, what=f"attachment {found.pk}")
    response = FileResponse(found.file.open("rb"), content_type=found.content_type)
    response["Content-Disposition"] = f'attachment; filename="finding-attachment-{found.pk}"'
    return response


# ------------------------------------------------------------------------------------------------ reports


def _require_reports(request: HttpRequest) -> None:
    if report_scope(request.user).empty:
        raise Http404


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def impact_view(request: HttpRequest) -> HttpResponse:
    """Did it work: for an intervention and an area, the change in risk of those reached against
    comparable people not reached, and the harm watch."""
    _require_reports(request)
    user = signed_in_user(request)
    result = None
    error = ""
    code = request.GET.get("intervention", "")
    area_code = request.GET.get("area", "")
    if code and area_code:
        chosen = Intervention.objects.filter(code=code).first()
        area = Area.objects.filter(code=area_code).first()
        if chosen is None or area is None:
            error = _("Choose an intervention and an area code that exist.")
        else:
            result = impact.impact(
                viewer=user,
                intervention=chosen,
                area=area,
                start=_day(request.GET.get("start", "")),
                end=_day(request.GET.get("end", "")),
                match=request.GET.get("match", ""),
            )
    return render(
        request,
        "prevention/impact.html",
        {"result": result, "error": error, "interventions": Intervention.objects.all(), "query": request.GET},
    )


@login_required
def packages_view(request: HttpRequest) -> HttpResponse:
    """Package completeness per village of an area: people reached, and those whose package drifts."""
    _require_reports(request)
    area_code = request.GET.get("area", "")
    area = Area.objects.filter(code=area_code).first() if area_code else None
    result = impact.package_report(viewer=request.user, area=area) if area is not None else None
    return render(request, "prevention/packages.html", {"result": result, "query": request.GET})


@login_required
def displacement_view(request: HttpRequest) -> HttpResponse:
    """ "Push down, pop up" fed by the areas that actually had programmes: areas whose risk rose while a
    neighbour with a programme fell."""
    _require_reports(request)
    user = signed_in_user(request)
    level = request.GET.get("level", Level.SUBDISTRICT)
    rows: list[dict[str, Any]] | None = None
    areas: list[str] = []
    error = ""
    if request.GET.get("first") and request.GET.get("second"):
        try:
            first = parse_period(request.GET["first"], "first")
            second = parse_period(request.GET["second"], "second")
            areas = impact.programme_areas(viewer=user, level=level, since=first[0], until=second[1])
            rows = (
                displacement(viewer=user, level=level, first=first, second=second, programme_areas=areas)
                if areas
                else []
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
    return render(
        request,
        "prevention/displacement.html",
        {"rows": rows, "areas": areas, "error": error, "query": request.GET, "level": level},
    )


# ---------------------------------------------------------------------------------------------- catalogue


class InterventionForm(forms.Form):
    code = forms.SlugField(label=_lazy("Code"), max_length=40)
    group = forms.ChoiceField(label=_lazy("Group"), choices=Intervention.Group.choices)
    label = forms.CharField(label=_lazy("Name (English)"), max_length=200)
    active = forms.BooleanField(label=_lazy("In use"), required=False, initial=True)


class RuleForm(forms.Form):
    code = forms.SlugField(label=_lazy("Code"), max_length=40)
    label = forms.CharField(label=_lazy("What it says (English)"), max_length=300)
    when_any = forms.CharField(
        label=_lazy("Received any of"),
        help_text=_lazy("Intervention codes or group:<group>, separated by commas."),
    )
    unless_any = forms.CharField(label=_lazy("But none of"), required=False)
    active = forms.BooleanField(label=_lazy("In use"), required=False, initial=True)


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    """The catalogue of interventions and the package rules; a system administrator adds and changes."""
    user = signed_in_user(request)
    intervention_form = InterventionForm(prefix="i")
    rule_form = RuleForm(prefix="r")
    if request.method == "POST":
        if not user.is_superuser:
            raise Http404
        try:
            if request.POST.get("what") == "intervention":
                intervention_form = InterventionForm(request.POST, prefix="i")
                if intervention_form.is_valid():
                    d = intervention_form.cleaned_data
                    existing = Intervention.objects.filter(code=d["code"]).first()
                    label = {**(existing.label if existing else {}), "en": d["label"]}
                    services.intervention_save(
                        actor=user, code=d["code"], group=d["group"], label=label, active=d["active"]
                    )
                    messages.success(request, _("Catalogue saved."))
                    return redirect("prevention:catalogue")
            elif request.POST.get("what") == "rule":
                rule_form = RuleForm(request.POST, prefix="r")
                if rule_form.is_valid():
                    d = rule_form.cleaned_data
                    services.rule_save(
                        actor=user,
                        code=d["code"],
                        label={"en": d["label"]},
                        when_any=_split(d["when_any"]),
                        unless_any=_split(d["unless_any"]),
                        active=d["active"],
                    )
                    messages.success(request, _("Catalogue saved."))
                    return redirect("prevention:catalogue")
        except ValidationError as error:
            _errors(rule_form if request.POST.get("what") == "rule" else intervention_form, error)
    return render(
        request,
        "prevention/catalogue.html",
        {
            "interventions": Intervention.objects.all(),
            "rules": PackageRule.objects.all(),
            "may_edit": user.is_superuser,
            "intervention_form": intervention_form,
            "rule_form": rule_form,
            "levels": Delivery.Level.choices,
        },
    )
