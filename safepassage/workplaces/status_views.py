"""The employer page: its status from evidence, findings, commitments and periodic returns (staff), or its
own status and returns (the employer's partner users). docs/prevention.md."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from safepassage.accounts.selectors import signed_in_user
from safepassage.core.access import viewer_for
from safepassage.core.forms import DateInput
from safepassage.core.roles import Role
from safepassage.workplaces import selectors, status_services
from safepassage.workplaces.models import EmployerViolation, ReturnSchedule


class GrantForm(forms.Form):
    note = forms.CharField(label=_lazy("Note (staff only)"), required=False, max_length=500)


class FindingForm(forms.Form):
    """A finding against the employer."""

    kind = forms.ChoiceField(label=_lazy("Kind"), choices=EmployerViolation.Kind.choices)
    found_on = forms.DateField(label=_lazy("Found on"), widget=DateInput())
    law = forms.CharField(label=_lazy("Law or rule broken"), max_length=200)
    outcome = forms.CharField(label=_lazy("Outcome"), max_length=300, required=False)
    case_reference = forms.CharField(
        label=_lazy("Case or inspection reference"), max_length=40, required=False
    )
    notified_on = forms.DateField(
        label=_lazy("Notified to the employer on"),
        required=False,
        widget=DateInput(),
        help_text=_lazy("Leave empty until the employer has been told through the normal channel."),
    )
    notified_how = forms.CharField(label=_lazy("Notified how"), max_length=200, required=False)


class NotifiedForm(forms.Form):
    finding = forms.IntegerField(widget=forms.HiddenInput)
    notified_on = forms.DateField(label=_lazy("Notified to the employer on"), widget=DateInput())
    notified_how = forms.CharField(label=_lazy("How (letter, inspection report)"), max_length=200)


class CheckForm(forms.Form):
    commitment = forms.IntegerField(widget=forms.HiddenInput)
    kept = forms.TypedChoiceField(
        label=_lazy("Kept?"),
        choices=[("yes", _lazy("Kept")), ("no", _lazy("Broken"))],
        coerce=lambda value: value == "yes",
    )
    checked_on = forms.DateField(label=_lazy("Checked on"), widget=DateInput())


class ScheduleForm(forms.Form):
    every_months = forms.TypedChoiceField(
        label=_lazy("Returns"), choices=ReturnSchedule.Every.choices, coerce=int
    )
    starts_on = forms.DateField(label=_lazy("First period starts on"), widget=DateInput())
    due_days = forms.IntegerField(label=_lazy("Days after a period ends to send it"), min_value=0, initial=15)
    remind_days = forms.IntegerField(label=_lazy("Remind this many days before"), min_value=0, initial=7)
    active = forms.BooleanField(label=_lazy("Active"), required=False, initial=True)


FORMS: dict[str, type[forms.Form]] = {
    "grant": GrantForm,
    "finding": FindingForm,
    "notified": NotifiedForm,
    "check": CheckForm,
    "schedule": ScheduleForm,
}


def _act(request: HttpRequest, employer: Any, action: str, data: dict[str, Any]) -> None:
    actor = signed_in_user(request)
    if action == "grant":
        status_services.employer_status_grant(actor=actor, employer=employer, note=data["note"])
    elif action == "finding":
        status_services.employer_violation_add(actor=actor, employer=employer, **data)
    elif action == "notified":
        finding = employer.violations.filter(pk=data.pop("finding")).first()
        if finding is None:
            raise Http404
        status_services.employer_finding_notified(actor=actor, finding=finding, **data)
    elif action == "check":
        commitment = employer.commitments.filter(pk=data.pop("commitment")).first()
        if commitment is None:
            raise Http404
        status_services.commitment_check(actor=actor, commitment=commitment, **data)
    else:
        status_services.return_schedule_set(actor=actor, employer=employer, **data)


@login_required
def employer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One employer: staff see criteria, decisions and findings; its own users their status and returns."""
    employer = selectors.get_employer_for_user(request.user, pk)
    viewer = viewer_for(request.user)
    staff = employer.agency_id in selectors.staff_agency_ids(viewer)
    today = timezone.localdate()
    schedule = ReturnSchedule.objects.filter(employer=employer).first()
    bound: dict[str, forms.Form] = {
        "grant": GrantForm(),
        "finding": FindingForm(initial={"found_on": today}),
        "schedule": ScheduleForm(
            initial={
                "every_months": schedule.every_months if schedule else 3,
                "starts_on": schedule.starts_on if schedule else today.replace(day=1),
                "due_days": schedule.due_days if schedule else 15,
                "remind_days": schedule.remind_days if schedule else 7,
                "active": schedule.active if schedule else True,
            }
        ),
    }
    if request.method == "POST":
        if not staff:
            raise Http404
        action = request.POST.get("action", "")
        if action not in FORMS:
            raise Http404
        form = FORMS[action](request.POST)
        bound[action] = form
        if form.is_valid():
            try:
                _act(request, employer, action, dict(form.cleaned_data))
            except PermissionDenied as exc:
                messages.error(request, str(exc))
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(request, _("Saved."))
                return redirect("workplaces:employer", pk=pk)
    findings = list(employer.violations.all().order_by("-found_on", "-pk"))
    return render(
        request,
        "workplaces/employer.html",
        {
            "employer": employer,
            "staff": staff,
            "may_decide": viewer.has_role(Role.COORDINATOR, Role.ADMIN, agency_id=employer.agency_id),
            "criteria": status_services.employer_criteria(employer, today) if staff else [],
            "decisions": employer.status_decisions.all()[:20] if staff else [],
            "tips": selectors.tips_since_status(employer) if staff else None,
            # Its own users read only the findings they have been told of.
            "findings": findings if staff else [f for f in findings if f.notified_on is not None],
            "commitments": employer.commitments.all(),
            "returns": status_services.returns_of(employer, today),
            "schedule": schedule,
            "forms": bound,
            "can_submit": employer.partner_agency_id is not None
            and viewer.has_role(Role.PARTNER, agency_id=employer.partner_agency_id),
        },
    )
