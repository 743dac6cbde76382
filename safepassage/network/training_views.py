"""Pages: a trainee's follow-up after a course, and the trainees due one (R-020)."""

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
from safepassage.core.access import viewer_for
from safepassage.core.forms import DateInput
from safepassage.core.roles import Action
from safepassage.network import training
from safepassage.network.models import MAINTAINER_ROLES, Responder, Training

YES_NO = [("", "—"), ("yes", _lazy("Yes")), ("no", _lazy("No"))]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class FollowUpForm(forms.Form):
    followed_up_on = forms.DateField(label=_lazy("Followed up on"), widget=DateInput())
    applying = forms.ChoiceField(label=_lazy("Uses what they learned"), choices=YES_NO, required=False)
    still_active = forms.ChoiceField(
        label=_lazy("Still active in the network"), choices=YES_NO, required=False
    )
    needs = forms.CharField(label=_lazy("Further training or support needed"), max_length=300, required=False)


def _kept_training(request: HttpRequest, pk: int) -> Training:
    kept = Responder.objects.visible_to(request.user, Action.CHANGE)
    found = Training.objects.select_related("responder").filter(pk=pk, responder__in=kept).first()
    if found is None:
        raise Http404
    return found


@login_required
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    """Record how a trainee is doing some time after the course."""
    course = _kept_training(request, pk)
    form = FollowUpForm(request.POST or None, initial={"followed_up_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            training.training_follow_up(
                actor=signed_in_user(request),
                training=course,
                followed_up_on=data["followed_up_on"],
                applying=_yes_no(data["applying"]),
                still_active=_yes_no(data["still_active"]),
                needs=data["needs"],
            )
        except PermissionDenied as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            for name, problems in error.message_dict.items():
                form.add_error(name if name in form.fields else None, problems)
        else:
            messages.success(request, _("Follow-up recorded."))
            return redirect("network:responder", pk=course.responder_id)
    title = _("Follow-up of %(name)s after %(course)s") % {
        "name": course.responder.name,
        "course": course.course,
    }
    return render(request, "network/form.html", {"form": form, "title": title})


@login_required
def trainees(request: HttpRequest) -> HttpResponse:
    """Trainees of the agencies I keep the directory for, whose course was at least 90 days ago and who have
    not been followed up yet."""
    if not viewer_for(request.user).has_role(*MAINTAINER_ROLES):
        raise Http404
    return render(
        request,
        "network/trainees.html",
        {"due": training.trainees_due(viewer=request.user)[:300], "days": training.FOLLOW_UP_AFTER_DAYS},
    )
