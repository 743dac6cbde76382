"""Pages: labour disputes and their escalation; a returned worker's experience and reintegration steps."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from safepassage.accounts.selectors import signed_in_user
from safepassage.cases.services import one_or_404
from safepassage.core.forms import DateInput
from safepassage.core.roles import Action
from safepassage.migration import followup
from safepassage.migration.forms import YES_NO, yes_no
from safepassage.migration.models import (
    DISPUTE_TOPICS,
    DisputeLevel,
    LabourDispute,
    Problem,
    ReintegrationStep,
    ReturnInterview,
)
from safepassage.migration.views import _registration, _require


def _levels() -> list[tuple[str, str]]:
    return [(level.code, level.label()) for level in DisputeLevel.objects.filter(active=True)]


class DisputeForm(forms.Form):
    opened_on = forms.DateField(label=_lazy("Raised on"), widget=DateInput())
    about = forms.MultipleChoiceField(
        label=_lazy("What it is about"),
        choices=[*DISPUTE_TOPICS, *Problem.choices],
        widget=forms.CheckboxSelectMultiple,
    )
    employer_name = forms.CharField(label=_lazy("Employer"), max_length=200, required=False)
    first_level = forms.ChoiceField(label=_lazy("Taken up first by"), required=False)
    handled_by = forms.CharField(label=_lazy("Who handled it"), max_length=200, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["first_level"].choices = [("", "—"), *_levels()]  # type: ignore[attr-defined]


class StepForm(forms.Form):
    level = forms.ChoiceField(label=_lazy("Level"))
    taken_on = forms.DateField(label=_lazy("Date"), widget=DateInput())
    handled_by = forms.CharField(label=_lazy("Who handled it"), max_length=200, required=False)
    result = forms.CharField(label=_lazy("What came of it"), max_length=300, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["level"].choices = _levels()  # type: ignore[attr-defined]


class CloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_lazy("How it ended"),
        choices=[
            (LabourDispute.Status.RESOLVED, _lazy("Resolved")),
            (LabourDispute.Status.DROPPED, _lazy("Dropped")),
        ],
    )
    closed_on = forms.DateField(label=_lazy("Date"), widget=DateInput())
    outcome = forms.CharField(label=_lazy("Outcome"), max_length=300)
    amount_recovered = forms.IntegerField(label=_lazy("Money recovered"), min_value=0, required=False)


class ReturnForm(forms.Form):
    returned_on = forms.DateField(label=_lazy("Came back on"), widget=DateInput())
    why = forms.ChoiceField(label=_lazy("Why they came back"), choices=ReturnInterview.Why.choices)
    paid_as_promised = forms.ChoiceField(label=_lazy("Paid as promised"), choices=YES_NO, required=False)
    job_as_promised = forms.ChoiceField(
        label=_lazy("The job was as promised"), choices=YES_NO, required=False
    )
    problems = forms.MultipleChoiceField(
        label=_lazy("Problems met"),
        choices=Problem.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    would_go_again = forms.ChoiceField(
        label=_lazy("Would go again"), choices=[("", "—"), *ReturnInterview.Again.choices], required=False
    )
    experience = forms.CharField(
        label=_lazy("In their words"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    advice_for_others = forms.CharField(
        label=_lazy("Advice for others who want to go"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class ReintegrationForm(forms.Form):
    kind = forms.ChoiceField(label=_lazy("What"), choices=ReintegrationStep.Kind.choices)
    started_on = forms.DateField(label=_lazy("Started on"), widget=DateInput())
    status = forms.ChoiceField(
        label=_lazy("Status"), choices=ReintegrationStep.Status.choices, initial="ongoing"
    )
    note = forms.CharField(label=_lazy("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class FollowUpForm(forms.Form):
    followed_up_on = forms.DateField(label=_lazy("Followed up on"), widget=DateInput())
    status = forms.ChoiceField(label=_lazy("Status"), choices=ReintegrationStep.Status.choices)
    back_in_child_labour = forms.ChoiceField(
        label=_lazy("Back in child labour (children)"), choices=YES_NO, required=False
    )


def followup_context(registration: object) -> dict[str, object]:
    """What the registration page shows of disputes, return and reintegration, with empty forms."""
    today = timezone.localdate()
    return {
        "disputes": followup.disputes_of(registration),  # type: ignore[arg-type]
        "return_interviews": registration.return_interviews.all(),  # type: ignore[attr-defined]
        "reintegration": registration.reintegration.select_related("organisation"),  # type: ignore[attr-defined]
        "dispute_form": DisputeForm(initial={"opened_on": today}, prefix="dispute"),
        "step_form": StepForm(initial={"taken_on": today}, prefix="step"),
        "close_form": CloseForm(initial={"closed_on": today}, prefix="close"),
        "return_form": ReturnForm(initial={"returned_on": today}, prefix="return"),
        "reintegration_form": ReintegrationForm(initial={"started_on": today}, prefix="reint"),
        "follow_form": FollowUpForm(initial={"followed_up_on": today}, prefix="follow"),
    }


@login_required
@require_POST
def followup_action(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """Record a dispute, a step up the escalation path, its end, a return interview or a reintegration."""
    _require(request)
    registration = _registration(request, pk, Action.CHANGE)
    actor = signed_in_user(request)
    form: forms.Form
    try:
        if verb == "dispute":
            form = DisputeForm(request.POST, prefix="dispute")
            if form.is_valid():
                followup.dispute_open(actor=actor, registration=registration, **form.cleaned_data)
                messages.success(request, _("Dispute recorded."))
        elif verb in ("step", "close"):
            dispute = one_or_404(registration.disputes.all(), request.POST.get("dispute"))
            if verb == "step":
                form = StepForm(request.POST, prefix="step")
                if form.is_valid():
                    followup.dispute_escalate(actor=actor, dispute=dispute, **form.cleaned_data)
                    messages.success(request, _("Step recorded."))
            else:
                form = CloseForm(request.POST, prefix="close")
                if form.is_valid():
                    followup.dispute_close(actor=actor, dispute=dispute, **form.cleaned_data)
                    messages.success(request, _("Dispute closed."))
        elif verb == "return":
            form = ReturnForm(request.POST, prefix="return")
            if form.is_valid():
                data = dict(form.cleaned_data)
                data["paid_as_promised"] = yes_no(data["paid_as_promised"])
                data["job_as_promised"] = yes_no(data["job_as_promised"])
                followup.return_interview_record(actor=actor, registration=registration, **data)
                messages.success(request, _("Their experience is recorded. Thank you."))
        elif verb == "reintegration":
            form = ReintegrationForm(request.POST, prefix="reint")
            if form.is_valid():
                followup.reintegration_add(actor=actor, registration=registration, **form.cleaned_data)
                messages.success(request, _("Reintegration step recorded."))
        elif verb == "follow":
            step = one_or_404(registration.reintegration.all(), request.POST.get("step"))
            form = FollowUpForm(request.POST, prefix="follow")
            if form.is_valid():
                data = dict(form.cleaned_data)
                data["back_in_child_labour"] = yes_no(data["back_in_child_labour"])
                followup.reintegration_follow_up(actor=actor, step=step, **data)
                messages.success(request, _("Follow-up recorded."))
        else:
            return redirect("migration:registration", pk=pk)
        if not form.is_valid():
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("migration:registration", pk=pk)


class LevelForm(forms.Form):
    code = forms.SlugField(label=_lazy("Code"), max_length=40)
    name = forms.CharField(label=_lazy("Name"), max_length=120)
    order = forms.IntegerField(label=_lazy("Order"), min_value=0, max_value=1000)
    formal = forms.BooleanField(label=_lazy("A formal complaint channel"), required=False)
    active = forms.BooleanField(label=_lazy("In use"), required=False, initial=True)


@login_required
def disputes(request: HttpRequest) -> HttpResponse:
    """Open labour disputes I may see, grouped by the level each has reached; a system administrator
    changes the escalation path here."""
    user = signed_in_user(request)
    if not user.is_superuser:
        _require(request)
    form = LevelForm(prefix="level")
    if request.method == "POST":
        if not user.is_superuser:
            raise Http404
        form = LevelForm(request.POST, prefix="level")
        if form.is_valid():
            try:
                followup.level_save(actor=user, **form.cleaned_data)
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(request, _("Escalation path saved."))
                return redirect("migration:disputes")
    return render(
        request,
        "migration/disputes.html",
        {
            "groups": followup.open_disputes_by_level(viewer=user),
            "levels": DisputeLevel.objects.all(),
            "may_edit": user.is_superuser,
            "form": form,
        },
    )
