"""Sin-space pages: the workplace list and map, a workplace's card, evidence, ratings, the watch list."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from xml.sax.saxutils import escape

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from safepassage.accounts.selectors import signed_in_user
from safepassage.core.access import viewer_for
from safepassage.core.forms import DateInput
from safepassage.core.pdf import pdf_response
from safepassage.core.roles import Role
from safepassage.geo.selectors import boundaries_around, get_area
from safepassage.workplaces import selectors, services
from safepassage.workplaces.kinds import sector_choices
from safepassage.workplaces.models import (
    Attachment,
    Intervention,
    LabourIndicator,
    Observation,
    Workplace,
    may_see_informant,
)

REVISIT_DAYS = 180


class WorkplaceForm(forms.Form):
    """Register a workplace."""

    name = forms.CharField(label=_lazy("Name"), max_length=200)
    sector = forms.ChoiceField(label=_lazy("Sector"), choices=sector_choices)
    address = forms.CharField(label=_lazy("Address"), max_length=300, required=False)
    village_code = forms.CharField(label=_lazy("Village code"), max_length=32, required=False)
    lat = forms.FloatField(label=_lazy("Latitude"), required=False)
    lon = forms.FloatField(label=_lazy("Longitude"), required=False)
    workforce_estimate = forms.IntegerField(label=_lazy("Estimated workforce"), min_value=0, required=False)
    watch_listed = forms.BooleanField(label=_lazy("Put on the watch list"), required=False)
    watch_reason = forms.CharField(label=_lazy("Why it is watched"), max_length=300, required=False)


class ObservationForm(forms.Form):
    """Evidence about a workplace."""

    observed_on = forms.DateField(label=_lazy("Date"), widget=DateInput())
    source = forms.ChoiceField(label=_lazy("Source"), choices=Observation.Source.choices)
    reliability = forms.ChoiceField(label=_lazy("How reliable"), choices=Observation.Reliability.choices)
    indicators = forms.MultipleChoiceField(
        label=_lazy("What was seen"),
        choices=LabourIndicator.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    text = forms.CharField(label=_lazy("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    informant = forms.CharField(
        label=_lazy("Who informed (kept apart, never shown to the workplace)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    attachment = forms.FileField(
        label=_lazy("Photo or document (optional)"),
        required=False,
        help_text=_lazy("JPEG, PNG, WebP or PDF, up to 10 MB. Kept private."),
    )


class InterventionForm(forms.Form):
    """An interception or intervention at the workplace."""

    happened_on = forms.DateField(label=_lazy("Date"), widget=DateInput())
    kind = forms.ChoiceField(label=_lazy("What"), choices=Intervention.Kind.choices)
    people_assisted = forms.IntegerField(label=_lazy("People assisted"), min_value=0, initial=0)
    notes = forms.CharField(label=_lazy("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class SubmissionForm(forms.Form):
    """A partner employer's report on one of its workplaces: counts only."""

    period = forms.CharField(label=_lazy("Period"), max_length=20, help_text=_lazy("For example 2026-Q3."))
    vacancies = forms.CharField(
        label=_lazy("Vacancies by skill"),
        required=False,
        help_text=_lazy("One per line: skill = number, e.g. packer = 5"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    weekly_hours = forms.IntegerField(
        label=_lazy("Usual weekly hours"), min_value=0, max_value=168, required=False
    )
    living_conditions = forms.CharField(
        label=_lazy("Living conditions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    women = forms.IntegerField(label=_lazy("Women"), min_value=0, initial=0)
    men = forms.IntegerField(label=_lazy("Men"), min_value=0, initial=0)
    under_18 = forms.IntegerField(label=_lazy("Workers under 18"), min_value=0, initial=0)
    adults = forms.IntegerField(label=_lazy("Workers aged 18 or more"), min_value=0, initial=0)
    nationalities = forms.CharField(
        label=_lazy("Workers by nationality or ethnic group"),
        required=False,
        help_text=_lazy("One per line: group = number, e.g. Myanmar = 12"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    documented = forms.IntegerField(label=_lazy("Workers with documents"), min_value=0, initial=0)
    undocumented = forms.IntegerField(label=_lazy("Workers without documents"), min_value=0, initial=0)
    health_cover = forms.IntegerField(label=_lazy("Workers with health cover"), min_value=0, initial=0)
    lowest_daily_wage = forms.IntegerField(
        label=_lazy("Lowest daily wage paid (baht)"), min_value=0, required=False
    )
    usual_daily_wage = forms.IntegerField(label=_lazy("Usual daily wage (baht)"), min_value=0, required=False)
    wages_on_time = forms.NullBooleanField(
        label=_lazy("Were all wages paid on time?"),
        required=False,
        widget=forms.Select(
            choices=[("unknown", _lazy("Not answered")), ("true", _lazy("Yes")), ("false", _lazy("No"))]
        ),
    )
    training_sessions = forms.IntegerField(
        label=_lazy("Training sessions held"), min_value=0, initial=0, required=False
    )
    people_trained = forms.IntegerField(
        label=_lazy("Workers trained"), min_value=0, initial=0, required=False
    )
    training_topics = forms.CharField(
        label=_lazy("Training topics"),
        max_length=300,
        required=False,
        help_text=_lazy("For example: labour rights, safety at work, how to get help."),
    )

    def clean_vacancies(self) -> dict[str, int]:
        return self._counts("vacancies")

    def clean_nationalities(self) -> dict[str, int]:
        return self._counts("nationalities")

    def _counts(self, field: str) -> dict[str, int]:
        """Lines of `name = number`."""
        result: dict[str, int] = {}
        for number, line in enumerate((self.cleaned_data.get(field) or "").splitlines(), start=1):
            if not line.strip():
                continue
            skill, _sep, count = line.partition("=")
            try:
                result[skill.strip()] = int(count)
            except ValueError:
                raise forms.ValidationError(_("Line %(n)d: write name = number.") % {"n": number}) from None
        return result


class OverrideForm(forms.Form):
    """A coordinator's judgement over the computed rating."""

    band = forms.ChoiceField(
        label=_lazy("Rating"),
        choices=[
            ("", _lazy("Use the computed rating")),
            ("low", _lazy("low")),
            ("medium", _lazy("medium")),
            ("high", _lazy("high")),
        ],
        required=False,
    )
    reason = forms.CharField(label=_lazy("Reason"), max_length=300, required=False)


def _require_staff(request: HttpRequest) -> None:
    viewer = viewer_for(request.user)
    if not viewer.has_role(Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER, Role.PARTNER):
        raise Http404


def _filters(request: HttpRequest) -> dict[str, Any]:
    watch = request.GET.get("watch")
    return {
        "sector": request.GET.get("sector", ""),
        "band": request.GET.get("band", ""),
        "watch_listed": True if watch == "1" else None,
        "bbox": request.GET.get("bbox", ""),
        "area": get_area(request.GET["area"]) if request.GET.get("area") else None,
    }


@login_required
def workplace_list(request: HttpRequest) -> HttpResponse:
    """Workplaces I may see, filtered."""
    _require_staff(request)
    try:
        workplaces = selectors.workplace_list(
            viewer=request.user, query=request.GET.get("q", "").strip(), **_filters(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        workplaces = Workplace.objects.none()
    page = Paginator(workplaces, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "workplaces/list.html",
        {
            "page": page,
            "sectors": sector_choices(),
            "can_add": _can_add(request),
            # Rating, watch list and last verification only on the rows of the viewer's own agencies.
            "staff_agencies": selectors.staff_agency_ids(viewer_for(request.user)),
        },
    )


def _can_add(request: HttpRequest) -> bool:
    return viewer_for(request.user).has_role(Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER)


@login_required
def workplace_map(request: HttpRequest) -> HttpResponse:
    """The surveillance map: markers by risk, clustered; street and satellite layers where reachable."""
    _require_staff(request)
    return render(
        request,
        "workplaces/map.html",
        {
            "sectors": sector_choices(),
            "staff_agencies": selectors.staff_agency_ids(viewer_for(request.user)),
            "street_url": settings.MAP_TILE_URL,
            "satellite_url": settings.SATELLITE_TILE_URL,
            "risk_overlay": request.user.has_perm("reports.view_reports"),
            "street_attribution": settings.MAP_TILE_ATTRIBUTION,
            "satellite_attribution": settings.SATELLITE_TILE_ATTRIBUTION,
        },
    )


@login_required
def workplace_geojson(request: HttpRequest) -> JsonResponse:
    """The map's points for the filters in the query string."""
    _require_staff(request)
    try:
        qs = selectors.workplace_list(viewer=request.user, **_filters(request))
    except ValidationError as error:
        return JsonResponse({"detail": " ".join(error.messages), "errors": []}, status=400)
    data = selectors.as_geojson(qs, viewer=request.user)
    if request.GET.get("boundaries") == "1":
        # The base layer when no tiles load: the districts of the provinces where the viewer's workplaces
        # (before any filter) and areas are. Area shapes are public facts (geo.selectors).
        visible = selectors.workplace_list(viewer=request.user).exclude(village=None)
        paths = set(visible.values_list("village__path", flat=True).distinct().order_by())
        paths |= {path for grant in viewer_for(request.user).grants for path in grant.area_paths}
        data["boundaries"] = boundaries_around(paths)
    return JsonResponse(data)


@login_required
def workplace_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """GeoJSON or KML of the filtered workplaces, for coordinators; audited."""
    if fmt not in ("geojson", "kml") or not viewer_for(request.user).has_role(Role.COORDINATOR, Role.ADMIN):
        raise Http404
    try:
        qs = selectors.workplace_list(viewer=request.user, **_filters(request))
    except ValidationError as error:
        return JsonResponse({"detail": " ".join(error.messages), "errors": []}, status=400)
    data = selectors.as_geojson(qs, viewer=request.user)

    from safepassage.audit.services import audit_record

    with transaction.atomic():
        audit_record(
            actor=request.user,
            action="workplaces.export",
            object_type="workplaces.workplace",
            changes={"format": fmt, "count": len(data["features"]), "filters": request.GET.dict()},
        )
    response: HttpResponse
    if fmt == "geojson":
        response = JsonResponse(data, content_type="application/geo+json")
    else:
        placemarks = "".join(
            f"<Placemark><name>{escape(f['properties']['name'])}</name>"
            f"<description>{escape(f['properties']['sector'])} · {escape(f['properties'].get('band', ''))}"
            "</description>"
            f"<Point><coordinates>{f['geometry']['coordinates'][0]},{f['geometry']['coordinates'][1]}"
            "</coordinates></Point></Placemark>"
            for f in data["features"]
        )
        body = (
            '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
            f"{placemarks}</Document></kml>"
        )
        response = HttpResponse(body, content_type="application/vnd.google-earth.kml+xml")
    response["Content-Disposition"] = f'attachment; filename="workplaces.{fmt}"'
    return response


@login_required
def workplace_create(request: HttpRequest) -> HttpResponse:
    """Register a workplace."""
    if not _can_add(request):
        raise Http404
    form = WorkplaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            workplace = services.workplace_create(actor=signed_in_user(request), **data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            return redirect("workplaces:detail", pk=workplace.pk)
    return render(request, "workplaces/form.html", {"form": form})


@login_required
def workplace_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A workplace's card: rating with its breakdown, evidence (staff only), overrides and history."""
    workplace = selectors.get_workplace_for_user(request.user, pk)
    viewer = viewer_for(request.user)
    staff = selectors.is_staff_of(viewer, workplace)
    observation_form = ObservationForm(initial={"observed_on": timezone.localdate()})
    intervention_form = InterventionForm(initial={"happened_on": timezone.localdate()})
    override_form = OverrideForm(
        initial={"band": workplace.override_band, "reason": workplace.override_reason}
    )
    if request.method == "POST" and staff:
        actor = signed_in_user(request)
        try:
            if request.POST.get("action") == "override":
                override_form = OverrideForm(request.POST)
                if override_form.is_valid():
                    services.rating_override(actor=actor, workplace=workplace, **override_form.cleaned_data)
                    messages.success(request, _("Rating saved."))
                    return redirect("workplaces:detail", pk=pk)
            elif request.POST.get("action") == "intervention":
                intervention_form = InterventionForm(request.POST)
                if intervention_form.is_valid():
                    services.intervention_record(
                        actor=actor, workplace=workplace, **intervention_form.cleaned_data
                    )
                    messages.success(request, _("Intervention logged."))
                    return redirect("workplaces:detail", pk=pk)
            else:
                observation_form = ObservationForm(request.POST, request.FILES)
                if observation_form.is_valid():
                    data = dict(observation_form.cleaned_data)
                    upload = data.pop("attachment", None)
                    with transaction.atomic():
                        observation = services.observation_record(actor=actor, workplace=workplace, **data)
                        if upload:
                            services.attachment_add(actor=actor, observation=observation, upload=upload)
                    messages.success(request, _("Evidence added; the rating was updated."))
                    return redirect("workplaces:detail", pk=pk)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        except ValidationError as error:
            target = {"override": override_form, "intervention": intervention_form}.get(
                request.POST.get("action", ""), observation_form
            )
            for field, problems in error.message_dict.items():
                target.add_error(field if field in target.fields else None, problems)
    observations = (
        [
            (o, may_see_informant(viewer, o))
            for o in selectors.observation_list(viewer=request.user, workplace=workplace)
        ]
        if staff
        else []
    )
    labels = dict(LabourIndicator.choices)
    return render(
        request,
        "workplaces/detail.html",
        {
            "workplace": workplace,
            "staff": staff,
            "observations": observations,
            "labels": labels,
            "observation_form": observation_form,
            "override_form": override_form,
            "intervention_form": intervention_form,
            "interventions": Intervention.objects.visible_to(request.user).filter(workplace=workplace)[:20],
            "can_submit": _is_employer_partner(viewer, workplace),
            "can_override": viewer.has_role(Role.COORDINATOR, Role.ADMIN, agency_id=workplace.agency_id),
            "history": workplace.rating_history.all()[:20] if staff else [],
        },
    )


def _is_employer_partner(viewer: Any, workplace: Workplace) -> bool:
    employer = workplace.employer
    return bool(
        employer
        and employer.partner_agency_id
        and viewer.has_role(Role.PARTNER, agency_id=employer.partner_agency_id)
    )


@login_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """A private attachment, for staff of the agency that owns the workplace; every download is audited."""
    attachment = Attachment.objects.select_related("observation__workplace").filter(pk=pk).first()
    if attachment is None:
        raise Http404
    observation = attachment.observation
    if not Observation.objects.visible_to(request.user).filter(pk=observation.pk).exists():
        raise Http404
    from safepassage.audit.services import audit_read

    audit_read(actor=request.user, obj=observation, what=f"attachment {attachment.pk}")
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
    response["Content-Disposition"] = f'attachment; filename="attachment-{attachment.pk}"'
    return response


@login_required
def submission_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A partner employer reports on one of its workplaces."""
    workplace = selectors.get_workplace_for_user(request.user, pk)
    if not _is_employer_partner(viewer_for(request.user), workplace):
        raise Http404
    form = SubmissionForm(request.POST or None, initial={"period": request.GET.get("period", "")[:20]})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        workforce = {
            "sex": {"female": d["women"], "male": d["men"]},
            "age": {"under_18": d["under_18"], "18_and_over": d["adults"]},
            "nationality": d["nationalities"],
            "documents": {"with": d["documented"], "without": d["undocumented"]},
            "health_cover": {"covered": d["health_cover"]},
        }
        try:
            services.submission_create(
                actor=signed_in_user(request),
                workplace=workplace,
                period=d["period"],
                vacancies=d["vacancies"],
                workforce=workforce,
                weekly_hours=d["weekly_hours"],
                living_conditions=d["living_conditions"],
                **{key: d[key] for key in services.RETURN_FIELDS},
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Thank you. Your report was sent."))
            return redirect("workplaces:detail", pk=pk)
    return render(request, "workplaces/submission.html", {"form": form, "workplace": workplace})


@login_required
def employer_list(request: HttpRequest) -> HttpResponse:
    """Employers with the good-employer criteria, commitments, awards and violations."""
    _require_staff(request)
    employers = selectors.employer_list(viewer=request.user).prefetch_related("awards", "violations")
    return render(request, "workplaces/employers.html", {"employers": employers[:200]})


@login_required
def recruiter_list(request: HttpRequest) -> HttpResponse:
    """Recruiters and brokers, with licence, registration and screening."""
    if not viewer_for(request.user).has_role(Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER):
        raise Http404
    recruiters = selectors.recruiter_list(viewer=request.user, screening=request.GET.get("screening", ""))
    return render(request, "workplaces/recruiters.html", {"recruiters": recruiters[:300]})


@login_required
def watch_list(request: HttpRequest) -> HttpResponse:
    """Watch-listed and high-risk workplaces, re-visits due, and a printable visit plan for an area."""
    if not viewer_for(request.user).has_role(Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER):
        raise Http404
    area = get_area(request.GET["area"]) if request.GET.get("area") else None
    qs = selectors.workplace_list(viewer=request.user, area=area).exclude(status=Workplace.Status.CLOSED)
    due_before: date = timezone.localdate() - timedelta(days=REVISIT_DAYS)
    watched = [w for w in qs if w.watch_listed or w.band == "high"]
    due = [w for w in watched if w.last_verified is None or w.last_verified < due_before]
    if request.GET.get("format") == "pdf":
        context = {"watched": watched, "due": due, "area": area, "revisit_days": REVISIT_DAYS}
        name = f"visit-plan-{area.code}.pdf" if area else "visit-plan.pdf"
        return pdf_response(request, "workplaces/pdf/visit_plan.html", context, name)
    return render(
        request,
        "workplaces/watch.html",
        {
            "watched": watched,
            "due": due,
            "area": area,
            "print": request.GET.get("print") == "1",
            "revisit_days": REVISIT_DAYS,
        },
    )
