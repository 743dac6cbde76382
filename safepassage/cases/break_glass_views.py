"""Pages of break-glass: "Emergency access" (open one case outside your scope) and the owner's reviews."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from safepassage.accounts.selectors import signed_in_user
from safepassage.audit.services import audit_list
from safepassage.cases import break_glass
from safepassage.core.access import viewer_for
from safepassage.core.roles import Role


class EmergencyForm(forms.Form):
    """Open one case in an emergency: its exact number and agency, or an exact ID number, and why."""

    reference = forms.CharField(
        label=gettext_lazy("Case number"),
        required=False,
        max_length=30,
        help_text=gettext_lazy("Exactly as written on the case, for example C-2026-00042."),
    )
    agency = forms.CharField(
        label=gettext_lazy("Code of the agency that holds the case"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("Needed with a case number: each agency counts its own cases."),
    )
    national_id = forms.CharField(
        label=gettext_lazy("Or: the person's national ID number"),
        required=False,
        max_length=32,
        help_text=gettext_lazy(
            "Exactly as on the card. Nothing is searched: a number that is not exact finds nothing."
        ),
    )
    reason = forms.CharField(
        label=gettext_lazy("Why this cannot wait"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=break_glass.REASON_MAX,
        help_text=gettext_lazy("The agency that holds the case reads this when it checks your access."),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "This is an emergency: someone may come to harm if I wait for the agency that holds the case."
        ),
        required=True,
    )


def _may_open(request: HttpRequest) -> None:
    """Not there (404) for roles without case work, like every case page; refused with 403, and why, to
    case staff who may not break the glass (police, immigration, prosecutors)."""
    if not request.user.has_perm("cases.view_cases"):
        raise Http404
    break_glass.reader_agency(viewer_for(request.user))


@login_required
def emergency_open(request: HttpRequest) -> HttpResponse:
    """The "Emergency access" form: open one case outside your scope for a few hours, saying why."""
    _may_open(request)
    form = EmergencyForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "confirm"}
        try:
            grant = break_glass.break_glass_open(actor=signed_in_user(request), **data)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
            status = 400
        except Http404 as missing:
            form.add_error(None, str(missing))
            status = 404
        else:
            messages.warning(
                request,
                _("Emergency access is open for %(hours)s hours. Every page you read is recorded.")
                % {"hours": break_glass.hours()},
            )
            return redirect("cases:case_detail", pk=grant.case_id)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "cases/emergency.html",
        {"form": form, "hours": break_glass.hours()},
        status=status,
    )


@login_required
def emergency_reviews(request: HttpRequest) -> HttpResponse:
    """Emergency accesses to the agency's cases (coordinators) and those of its staff reported as misuse
    (administrators)."""
    viewer = viewer_for(request.user)
    if not viewer.has_role(Role.COORDINATOR, Role.ADMIN):
        raise Http404
    reviews = list(break_glass.reviews_for(request.user)[:200])
    reported = list(break_glass.reported_to_admin(request.user)[:200])
    if reviews or reported:  # reasons are the readers' own words: reading them is recorded
        with transaction.atomic():
            audit_list(
                actor=request.user,
                object_type="cases.breakglass",
                rows=reviews + reported,
                what="page:emergency-reviews",
            )
    return render(
        request,
        "cases/emergency_reviews.html",
        {
            "reviews": [(g, break_glass.describe(g)) for g in reviews],
            "reported": [(g, break_glass.describe(g, with_reason=False)) for g in reported],
        },
    )


@login_required
@require_POST
def emergency_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept an emergency access, or report it (it ends at once)."""
    actor = signed_in_user(request)
    grant = break_glass.review_get(actor, pk)
    try:
        break_glass.break_glass_review(
            actor=actor,
            grant=grant,
            decision=request.POST.get("decision", ""),
            note=request.POST.get("note", ""),
        )
    except ValidationError as error:
        for problems in error.message_dict.values():
            for problem in problems:
                messages.error(request, problem)
    else:
        messages.success(request, _("Thank you: your review is recorded."))
    return redirect("cases:emergency_reviews")
