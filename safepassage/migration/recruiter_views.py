"""Pages: a channel's recruiters seen from both ends, red flags raised on them, and the list of red flags."""

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
from safepassage.core.forms import DateInput
from safepassage.core.models import get_for_user
from safepassage.migration import recruiters
from safepassage.migration.models import Channel, RedFlag
from safepassage.migration.views import _require


class FlagForm(forms.Form):
    recruiter_id = forms.TypedChoiceField(label=_lazy("Recruiter"), coerce=int)
    flag = forms.ChoiceField(label=_lazy("Red flag"))
    seen_on = forms.DateField(label=_lazy("Seen on"), widget=DateInput())
    note = forms.CharField(label=_lazy("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class RedFlagForm(forms.Form):
    code = forms.SlugField(label=_lazy("Code"), max_length=40)
    name = forms.CharField(label=_lazy("Name"), max_length=160)
    order = forms.IntegerField(label=_lazy("Order"), min_value=0, max_value=1000, initial=100)
    active = forms.BooleanField(label=_lazy("In use"), required=False, initial=True)


@login_required
def channel_recruiters(request: HttpRequest, pk: int) -> HttpResponse:
    """The recruiters named on a channel's registrations, with licence, screening and red flags."""
    _require(request)
    user = signed_in_user(request)
    channel = get_for_user(Channel.objects.select_related("origin_area"), user, pk)
    rows = recruiters.channel_recruiters(viewer=user, channel=channel)
    form = FlagForm(initial={"seen_on": timezone.localdate()})
    if request.method == "POST":
        form = FlagForm(request.POST)
    form.fields["recruiter_id"].choices = [(row.recruiter.pk, row.recruiter.name) for row in rows]  # type: ignore[attr-defined]
    form.fields["flag"].choices = [(f.code, f.label()) for f in RedFlag.objects.filter(active=True)]  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            recruiters.recruiter_flag_raise(actor=user, channel=channel, **form.cleaned_data)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            for name, problems in error.message_dict.items():
                form.add_error(name if name in form.fields else None, problems)
        else:
            messages.success(request, _("Red flag recorded."))
            return redirect("migration:channel_recruiters", pk=pk)
    return render(
        request,
        "migration/channel_recruiters.html",
        {"channel": channel, "rows": rows, "form": form, "may_raise": recruiters.may_raise(user, channel)},
    )


@login_required
def red_flags(request: HttpRequest) -> HttpResponse:
    """The list of red flags; a system administrator adds, renames and retires them."""
    user = signed_in_user(request)
    if not user.is_superuser:
        _require(request)
    form = RedFlagForm()
    if request.method == "POST":
        if not user.is_superuser:
            raise Http404
        form = RedFlagForm(request.POST)
        if form.is_valid():
            try:
                recruiters.red_flag_save(actor=user, **form.cleaned_data)
            except ValidationError as error:
                for name, problems in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, problems)
            else:
                messages.success(request, _("Red flags saved."))
                return redirect("migration:red_flags")
    return render(
        request,
        "migration/red_flags.html",
        {"flags": RedFlag.objects.all(), "form": form, "may_edit": user.is_superuser},
    )
