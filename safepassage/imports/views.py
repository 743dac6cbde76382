"""Import pages: upload a file, watch it being checked, fix the column mapping, see the problems row by row,
apply it (all, or explicitly only the valid rows); and the field form for ODK Collect / KoboCollect."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from safepassage.accounts.models import Agency
from safepassage.accounts.selectors import signed_in_user
from safepassage.audit.services import audit_read
from safepassage.core.access import viewer_for
from safepassage.core.models import get_for_user
from safepassage.core.roles import Action
from safepassage.imports import services
from safepassage.imports.blank import fields, template_csv, template_xlsx
from safepassage.imports.kinds import KINDS, kind_choices
from safepassage.imports.models import ImportJob, MappingProfile


def _require(request: HttpRequest) -> Any:
    user = signed_in_user(request)
    if not services.may_import(user):
        raise Http404
    return user


def _agencies(user: Any) -> list[Agency]:
    ids = {g.agency_id for g in viewer_for(user).grants if g.role in services.IMPORTERS}
    return list(Agency.objects.filter(pk__in=ids).order_by("name"))


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What the file holds"), choices=())
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "CSV (any separator; UTF-8 or Thai TIS-620) or Excel .xlsx; the first row names the columns."
        ),
    )
    source = forms.CharField(
        label=gettext_lazy("Where the file comes from"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("The agency or office that made it; kept with every record."),
    )
    agency = forms.ModelChoiceField(
        label=gettext_lazy("For agency"), queryset=Agency.objects.none(), required=False
    )
    profile = forms.ModelChoiceField(
        label=gettext_lazy("Saved column names"),
        queryset=MappingProfile.objects.none(),
        required=False,
        help_text=gettext_lazy("Choose one if this source names its columns its own way."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = _agencies(user)
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = kind_choices()
        agency_field = self.fields["agency"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        agency_field.queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies])
        self.fields["agency"].initial = agencies[0] if agencies else None
        if len(agencies) == 1:
            self.fields["agency"].widget = forms.HiddenInput()
        profile_field = self.fields["profile"]
        assert isinstance(profile_field, forms.ModelChoiceField)
        profile_field.queryset = MappingProfile.objects.visible_to(user)


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    user = _require(request)
    form = UploadForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        profile = form.cleaned_data["profile"]
        try:
            job = services.job_create(
                actor=user,
                kind=form.cleaned_data["kind"],
                file_name=form.cleaned_data["file"].name,
                content=form.cleaned_data["file"],
                agency=form.cleaned_data["agency"],
                source=form.cleaned_data["source"],
                profile=profile if profile and profile.kind == form.cleaned_data["kind"] else None,
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            services.run(job, "check")
            return redirect("imports:detail", pk=job.pk)
    jobs = ImportJob.objects.visible_to(user).select_related("agency", "created_by")
    page = Paginator(jobs, 30).get_page(request.GET.get("page"))
    kinds = [{"name": k.name, "label": k.label, "fields": fields(k)} for k in KINDS.values()]
    return render(request, "imports/list.html", {"form": form, "page": page, "kinds": kinds})


def _job(request: HttpRequest, pk: int, action: str = Action.VIEW) -> ImportJob:
    job = get_for_user(
        ImportJob.objects.select_related("agency", "created_by", "profile"), request.user, pk, action
    )
    return services.mark_if_interrupted(job)


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    job = _job(request, pk)
    kind = KINDS[job.kind]
    mapping = services.job_mapping(job)
    detected = services.detected_columns(job)
    headers = [h for h in job.file_info.get("headers", []) if h]  # an untitled column is no choice
    fields = [
        {
            "name": c.name,
            "label": c.label,
            "required": c.required,
            "column": mapping.get(c.name, ""),
            "default": job.defaults.get(c.name, ""),
            "detected": c.name in detected and detected[c.name] == mapping.get(c.name),
        }
        for c in kind.columns
    ]
    labels = {c.name: c.label for c in kind.columns}
    problems = job.problems.all()[:50]
    held = [p for p in problems if p.person_id]
    if (job.preview or job.errors_total) and not job.running:
        audit_read(actor=request.user, obj=job, what="import preview and problems")
    return render(
        request,
        "imports/detail.html",
        {
            "job": job,
            "kind": kind,
            "fields": fields,
            "headers": headers,
            "problems": problems,
            "held": held,
            "progress": services.progress(job),
            **_preview(kind, job),
            "flags": (job.summary or {}).get("flags", {}),
            "unused": (job.summary or {}).get("unused", []),
            "detected": [(labels[f], h) for f, h in detected.items() if mapping.get(f) == h],
            "splits": _splits(labels, mapping),
            **_people_rows(job),
        },
    )


def _splits(labels: dict[str, Any], mapping: dict[str, str]) -> list[dict[str, Any]]:
    """The full-name columns split into given and family name (see scores.split_names)."""
    return [
        {"column": mapping[full], "given": labels[given], "family": labels[family]}
        for full, given, family in (
            ("full_name", "given_name", "family_name"),
            ("full_name_latin", "given_name_latin", "family_name_latin"),
        )
        if full in mapping and given not in mapping
    ]


PEOPLE_SHOWN = 100


def _people_rows(job: ImportJob) -> dict[str, Any]:
    if job.status != ImportJob.Status.APPLIED:
        return {}
    rows = services.people_rows(job)
    total = rows.count()
    return {"people_rows": list(rows[:PEOPLE_SHOWN]), "people_more": max(total - PEOPLE_SHOWN, 0)}


def _shown(value: Any) -> str:
    if value in (None, "", [], {}):
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return str(value)


def _preview(kind: Any, job: ImportJob) -> dict[str, Any]:
    """The first rows as read, with only the columns that hold something, each cell as text."""
    names = [c.name for c in kind.columns] + ["scores"]
    labels = {c.name: c.label for c in kind.columns} | {"scores": _("Scores")}
    used = [n for n in names if any(_shown(p["values"].get(n)) for p in job.preview)]
    rows = [
        {"row": p["row"], "ok": p["ok"], "cells": [(labels[n], _shown(p["values"].get(n))) for n in used]}
        for p in job.preview
    ]
    return {"preview_labels": [labels[n] for n in used], "preview_rows": rows}


@login_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress line, polled by the page while a step runs; reloads the page when it is done."""
    _require(request)
    job = _job(request, pk)
    if not job.running:
        response = HttpResponse("")
        response["HX-Refresh"] = "true"
        return response
    return render(request, "imports/_progress.html", {"job": job, "progress": services.progress(job)})


@login_required
def problems_csv(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    job = _job(request, pk)
    audit_read(actor=request.user, obj=job, what="import problems (CSV)")
    response = HttpResponse(services.problems_csv(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-problems.csv"'
    return response


@login_required
def people_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """Which person each row of the file became: row, person number (to write back into the partner's
    own list)."""
    _require(request)
    job = _job(request, pk)
    audit_read(actor=request.user, obj=job, what="import rows and person numbers (CSV)")
    response = HttpResponse(services.people_csv(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-people.csv"'
    return response


@login_required
@require_POST
def job_remap(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose which column holds which field, check again, and optionally save the choice for next time."""
    user = _require(request)
    job = _job(request, pk, Action.CHANGE)
    if job.status in (ImportJob.Status.APPLIED, ImportJob.Status.APPLYING, ImportJob.Status.REFUSED):
        raise Http404
    headers = {h for h in job.file_info.get("headers", []) if h}  # an untitled column holds no field
    chosen = {
        c.name: request.POST[f"map_{c.name}"]
        for c in KINDS[job.kind].columns
        if request.POST.get(f"map_{c.name}") in headers
    }
    job.mapping = chosen
    job.defaults = {
        c.name: request.POST[f"default_{c.name}"].strip()[:200]
        for c in KINDS[job.kind].columns
        if request.POST.get(f"default_{c.name}", "").strip() and c.name not in chosen
    }
    job.save(update_fields=["mapping", "defaults", "updated_at"])
    name = request.POST.get("save_as", "").strip()
    if name:
        try:
            services.mapping_save(
                actor=user,
                agency=job.agency,
                kind=job.kind,
                name=name,
                source=job.source,
                columns=chosen,
                defaults=job.defaults,
            )
            messages.success(request, _("The column names are saved as “%(name)s”.") % {"name": name})
        except ValidationError as error:
            for problem in error.messages:
                messages.error(request, problem)
    services.run(job, "check")
    return redirect("imports:detail", pk=job.pk)


@login_required
@require_POST
def job_not_same(request: HttpRequest, pk: int) -> HttpResponse:
    """Rows held back as "probably person N" that the user says are someone else: check again without
    holding them back."""
    user = _require(request)
    job = _job(request, pk, Action.CHANGE)
    rows = [int(r) for r in request.POST.getlist("row") if r.isdigit()]
    if not rows:
        messages.error(request, _("Tick the rows that are other people."))
        return redirect("imports:detail", pk=job.pk)
    try:
        services.job_confirm_new(actor=user, job=job, rows=rows)
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
        return redirect("imports:detail", pk=job.pk)
    services.run(job, "check")
    return redirect("imports:detail", pk=job.pk)


@login_required
@require_POST
def job_apply(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require(request)
    job = _job(request, pk, Action.CHANGE)
    valid_only = request.POST.get("valid_only") == "yes"
    try:
        job = services.run(job, "apply", actor=user, valid_only=valid_only)
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
        return redirect("imports:detail", pk=job.pk)
    if job.status == ImportJob.Status.APPLIED:
        messages.success(request, _("Done: %(n)d records added.") % {"n": job.created})
    return redirect("imports:detail", pk=job.pk)


@login_required
@require_POST
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require(request)
    job = _job(request, pk, Action.CHANGE)
    try:
        services.job_cancel(actor=user, job=job)
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
    return redirect("imports:detail", pk=job.pk)


@login_required
def field_form(request: HttpRequest) -> HttpResponse:
    """The volunteers' assessment form as an XLSForm, to upload to ODK Central or KoboToolbox."""
    from safepassage.imports.xlsform import build

    _require(request)
    form = build()
    response = HttpResponse(
        form.xlsx, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{form.form_id}.xlsx"'
    return response


@login_required
def template(request: HttpRequest, kind: str, file_format: str) -> HttpResponse:
    """A blank file for one kind of import, its columns headed in the user's language and by code."""
    _require(request)
    if kind not in KINDS or file_format not in ("csv", "xlsx"):
        raise Http404
    if file_format == "csv":
        response = HttpResponse(template_csv(kind), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            template_xlsx(kind),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="safepassage-{kind}.{file_format}"'
    return response
