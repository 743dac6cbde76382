"""Pages: a child's roles in a case with the protections each needs, children in detention homes
(docs/prevention.md, R-027, R-096)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from safepassage.accounts.selectors import signed_in_user
from safepassage.cases import services
from safepassage.cases.child_roles import checklist
from safepassage.cases.models import Case, ChildRole, DetentionStay
from safepassage.core.access import viewer_for
from safepassage.core.forms import DateInput
from safepassage.core.roles import Action
from safepassage.network.languages import language_name


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_lazy("The child's role"), choices=ChildRole.Role.choices)
    since = forms.DateField(label=_lazy("Since"), widget=DateInput())


class DetentionForm(forms.Form):
    facility = forms.CharField(label=_lazy("Detention home"), max_length=200)
    admitted_on = forms.DateField(label=_lazy("Admitted on"), widget=DateInput())
    languages = forms.CharField(
        label=_lazy("Languages the child speaks"),
        help_text=_lazy("Codes separated by commas, e.g. my, shn"),
        max_length=200,
    )
    understands_local = forms.BooleanField(label=_lazy("Understands Thai"), required=False)
    interpreter_arranged_on = forms.DateField(
        label=_lazy("Interpreter arranged on"), widget=DateInput(), required=False
    )
    next_visit_on = forms.DateField(label=_lazy("Next visit due on"), widget=DateInput(), required=False)

    def clean_languages(self) -> list[str]:
        return [code.strip() for code in self.cleaned_data["languages"].split(",") if code.strip()]


class FollowForm(forms.Form):
    stay = forms.IntegerField(widget=forms.HiddenInput)
    interpreter_arranged_on = forms.DateField(
        label=_lazy("Interpreter arranged on"), widget=DateInput(), required=False
    )
    last_visit_on = forms.DateField(label=_lazy("Visited on"), widget=DateInput(), required=False)
    next_visit_on = forms.DateField(label=_lazy("Next visit due on"), widget=DateInput(), required=False)
    released_on = forms.DateField(label=_lazy("Released on"), widget=DateInput(), required=False)


def child_context(case: Case, sees_legal: bool) -> dict[str, Any]:
    """What the case page shows of a child's roles and detention (the legal part)."""
    if not sees_legal:
        return {"child_roles": [], "detentions": []}
    return {
        "child_roles": [(r, checklist(r.role, r.protections)) for r in case.child_roles.all()],
        "detentions": [(d, [language_name(c) for c in d.languages]) for d in case.detentions.all()],
    }


@login_required
def case_child(request: HttpRequest, pk: int) -> HttpResponse:
    """Record and follow a child's roles, protections and detention (the owning agency's case staff)."""
    case = Case.objects.visible_to(request.user, Action.CHANGE).select_related("person").filter(pk=pk).first()
    if case is None:
        raise Http404
    today = timezone.localdate()
    bound: dict[str, forms.Form] = {
        "role": RoleForm(initial={"since": today}),
        "detention": DetentionForm(initial={"admitted_on": today}),
        "follow": FollowForm(),
    }
    if request.method == "POST":
        action = request.POST.get("action", "")
        actor = signed_in_user(request)
        try:
            if action == "protection":
                child_role = ChildRole.objects.filter(
                    case=case, pk=request.POST.get("child_role") or 0
                ).first()
                if child_role is None:
                    raise Http404
                done = request.POST.get("done") == "1"
                services.protection_mark(
                    actor=actor,
                    child_role=child_role,
                    code=request.POST.get("code", ""),
                    done_on=today if done else None,
                )
                return redirect("cases:case_child", pk=pk)
            if action not in bound:
                raise Http404
            form = {"role": RoleForm, "detention": DetentionForm, "follow": FollowForm}[action](request.POST)
            bound[action] = form
            if form.is_valid():
                data = dict(form.cleaned_data)
                if action == "role":
                    services.child_role_set(actor=actor, case=case, **data)
                elif action == "detention":
                    services.detention_record(actor=actor, case=case, **data)
                else:
                    stay = DetentionStay.objects.filter(case=case, pk=data.pop("stay")).first()
                    if stay is None:
                        raise Http404
                    services.detention_update(actor=actor, stay=stay, **{k: v for k, v in data.items() if v})
                messages.success(request, _("Saved."))
                return redirect("cases:case_child", pk=pk)
        except ValidationError as error:
            target = bound.get(action)
            if target is None:
                messages.error(request, " ".join(error.messages))
            else:
                for field, problems in error.message_dict.items():
                    target.add_error(field if field in target.fields else None, problems)
    return render(
        request,
        "cases/child.html",
        {"case": case, "forms": bound, "today": today, **child_context(case, True)},
    )


@login_required
def detention_list(request: HttpRequest) -> HttpResponse:
    """Children in detention homes now, with those who need an interpreter and have none, and visits due."""
    if not request.user.has_perm("cases.view_cases"):
        raise Http404
    today = timezone.localdate()
    # The agency's own children only: a referral does not bring another agency's detention list.
    stays = DetentionStay.objects.filter(
        case__in=Case.objects.filter(Case.own_q(viewer_for(request.user), Action.VIEW))
    )
    current = list(stays.filter(released_on__isnull=True).select_related("case").order_by("admitted_on"))
    return render(
        request,
        "cases/detention.html",
        {
            "stays": [
                (
                    s,
                    [language_name(c) for c in s.languages],
                    s.next_visit_on is not None and s.next_visit_on < today,
                )
                for s in current
            ],
        },
    )
