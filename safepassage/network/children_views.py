"""Pages: children's committees and youth forums (docs/prevention.md, R-100, W-25)."""

from __future__ import annotations

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
from safepassage.audit.services import audit_read
from safepassage.core.access import viewer_for
from safepassage.core.forms import DateInput
from safepassage.core.roles import Action, Role
from safepassage.network import children_services as children
from safepassage.network.children_models import ChildMember, ChildrenGroup, ChildrenGroupReport


class GroupForm(forms.Form):
    name = forms.CharField(label=_lazy("Name"), max_length=200)
    kind = forms.ChoiceField(label=_lazy("Kind"), choices=ChildrenGroup.Kind.choices)
    named_adult_id = forms.IntegerField(
        label=_lazy("Named adult (responder number in the directory)"),
        help_text=_lazy("The adult responsible for the group's safeguarding."),
    )
    area_code = forms.CharField(label=_lazy("Area code"), max_length=32, required=False)
    meets = forms.CharField(label=_lazy("Meets"), max_length=200, required=False)


class MemberForm(forms.Form):
    name = forms.CharField(label=_lazy("Child's name"), max_length=200)
    birth_date = forms.DateField(label=_lazy("Birth date"), widget=DateInput())
    joined_on = forms.DateField(label=_lazy("Joined on"), widget=DateInput())
    seat = forms.ChoiceField(label=_lazy("Seat"), choices=ChildMember.Seat.choices)
    consent_by = forms.CharField(label=_lazy("Guardian who gave consent"), max_length=200, required=False)
    consent_on = forms.DateField(label=_lazy("Consent given on"), widget=DateInput(), required=False)


class LeaveForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput)
    left_on = forms.DateField(label=_lazy("Left on"), widget=DateInput())
    reason = forms.ChoiceField(label=_lazy("Why"), choices=ChildMember.Left.choices)


class ReportForm(forms.Form):
    reported_on = forms.DateField(label=_lazy("Reported on"), widget=DateInput())
    about = forms.ChoiceField(label=_lazy("About"), choices=ChildrenGroupReport.About.choices)
    summary = forms.CharField(label=_lazy("What was reported"), widget=forms.Textarea(attrs={"rows": 3}))
    passed_to = forms.CharField(label=_lazy("Passed on to"), max_length=200, required=False)


def _staff(request: HttpRequest) -> None:
    if not viewer_for(request.user).has_role(Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER):
        raise Http404


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    """The agency's children's committees and youth forums; coordinators start new ones."""
    _staff(request)
    may_start = viewer_for(request.user).has_role(Role.ADMIN, Role.COORDINATOR)
    form = GroupForm(request.POST or None)
    if request.method == "POST":
        if not may_start:
            raise Http404
        if form.is_valid():
            try:
                group = children.group_create(actor=signed_in_user(request), **form.cleaned_data)
            except (ValidationError, PermissionDenied) as error:
                problems = error.message_dict if isinstance(error, ValidationError) else {"": [str(error)]}
                for field, messages_ in problems.items():
                    form.add_error(field if field in form.fields else None, messages_)
            else:
                return redirect("network:children_group", pk=group.pk)
    return render(
        request,
        "network/children_groups.html",
        {"groups": children.group_list(viewer=request.user), "form": form, "may_start": may_start},
    )


@login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One group: members with their consent and who turns 18 soon, those who left, and what it reported."""
    group = children.get_group_for_user(request.user, pk)
    today = timezone.localdate()
    may_change = ChildrenGroup.objects.visible_to(request.user, Action.CHANGE).filter(pk=pk).exists()
    forms_: dict[str, forms.Form] = {
        "member": MemberForm(initial={"joined_on": today, "consent_on": today}),
        "leave": LeaveForm(initial={"left_on": today}),
        "report": ReportForm(initial={"reported_on": today}),
    }
    if request.method == "POST":
        action = request.POST.get("action", "")
        if not may_change or action not in forms_:
            raise Http404
        form = {"member": MemberForm, "leave": LeaveForm, "report": ReportForm}[action](request.POST)
        forms_[action] = form
        if form.is_valid():
            data = dict(form.cleaned_data)
            actor = signed_in_user(request)
            try:
                if action == "member":
                    children.member_add(actor=actor, group=group, **data)
                elif action == "report":
                    children.group_report_add(actor=actor, group=group, **data)
                else:
                    member = group.members.filter(pk=data.pop("member")).first()
                    if member is None:
                        raise Http404
                    children.member_leave(
                        actor=actor, member=member, left_on=data["left_on"], reason=data["reason"]
                    )
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(request, _("Saved."))
                return redirect("network:children_group", pk=pk)
    audit_read(actor=request.user, obj=group, what="members and reports")
    return render(
        request,
        "network/children_group.html",
        {
            "group": group,
            "members": children.members_flagged(group, today),
            "former": group.members.filter(left_on__isnull=False),
            "reports": group.reports.all(),
            "may_change": may_change,
            "forms": forms_,
        },
    )
