"""Pages for links between establishments, supply chains, hot spots over time and the media review queue."""

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
from safepassage.core.models import get_for_user
from safepassage.core.roles import Action, Role
from safepassage.geo.selectors import get_area
from safepassage.workplaces import links, selectors
from safepassage.workplaces.models import (
    Employer,
    LabourIndicator,
    MediaItem,
    Observation,
    Workplace,
    WorkplaceLink,
)

OPTIONS_LIMIT = 500


def _staff(request: HttpRequest) -> None:
    if not viewer_for(request.user).has_role(Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER):
        raise Http404


def _workplace_choices(request: HttpRequest, exclude: int | None = None) -> list[tuple[str, str]]:
    qs = Workplace.objects.visible_to(request.user, Action.CHANGE).order_by("name", "pk")
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return [("", "—")] + [(str(w.pk), w.name) for w in qs[:OPTIONS_LIMIT]]


class LinkForm(forms.Form):
    to_workplace = forms.ChoiceField(label=_lazy("Linked to"))
    direction = forms.ChoiceField(
        label=_lazy("Direction"),
        choices=[
            ("out", _lazy("From this workplace to the other")),
            ("in", _lazy("From the other to this one")),
        ],
    )
    kind = forms.ChoiceField(label=_lazy("Kind of link"), choices=WorkplaceLink.Kind.choices)
    started_on = forms.DateField(label=_lazy("First seen on"), widget=DateInput())
    ended_on = forms.DateField(label=_lazy("Last seen on"), widget=DateInput(), required=False)
    source = forms.ChoiceField(label=_lazy("Source"), choices=Observation.Source.choices)
    reliability = forms.ChoiceField(label=_lazy("How reliable"), choices=Observation.Reliability.choices)
    note = forms.CharField(label=_lazy("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class SupplyForm(forms.Form):
    product = forms.CharField(label=_lazy("Product"), max_length=200)
    buyer = forms.ChoiceField(label=_lazy("Employer or buyer on record"), required=False)
    buyer_name = forms.CharField(
        label=_lazy("Or a buyer not on record"),
        max_length=200,
        required=False,
        help_text=_lazy("e.g. an exporter or a brand"),
    )
    buyer_country = forms.CharField(label=_lazy("Buyer's country (code)"), max_length=2, required=False)
    since = forms.DateField(label=_lazy("Since"), widget=DateInput(), required=False)
    until = forms.DateField(label=_lazy("Until"), widget=DateInput(), required=False)
    source = forms.ChoiceField(label=_lazy("Source"), choices=Observation.Source.choices)
    note = forms.CharField(label=_lazy("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class MediaForm(forms.Form):
    published_on = forms.DateField(label=_lazy("Published on"), widget=DateInput())
    outlet = forms.CharField(
        label=_lazy("Outlet"), max_length=200, help_text=_lazy("newspaper, station, page")
    )
    title = forms.CharField(label=_lazy("Title or headline"), max_length=300)
    url = forms.URLField(label=_lazy("Link"), max_length=500, required=False, assume_scheme="https")
    summary = forms.CharField(
        label=_lazy("What it says"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    workplace = forms.ChoiceField(label=_lazy("Workplace it is about"), required=False)
    indicators = forms.MultipleChoiceField(
        label=_lazy("What it reports"),
        choices=LabourIndicator.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


def _choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    for name, problems in error.message_dict.items():
        form.add_error(name if name in form.fields else None, problems)


@login_required
def connections(request: HttpRequest, pk: int) -> HttpResponse:
    """A workplace's links to other establishments, what it supplies to whom, and its evidence by month."""
    workplace = selectors.get_workplace_for_user(request.user, pk)
    if not selectors.is_staff_of(viewer_for(request.user), workplace):
        raise Http404  # a partner employer never learns what is known about its links
    link_form = LinkForm(initial={"started_on": timezone.localdate()}, prefix="link")
    supply_form = SupplyForm(prefix="supply")
    employers = Employer.objects.visible_to(request.user).order_by("legal_name", "pk")[:OPTIONS_LIMIT]
    buyer_choices = [("", "—")] + [(str(e.pk), e.legal_name) for e in employers]
    if request.method == "POST":
        get_for_user(Workplace.objects.all(), request.user, pk, Action.CHANGE)
        actor = signed_in_user(request)
        action = request.POST.get("action")
        form: forms.Form
        if action == "link":
            form = link_form = LinkForm(request.POST, prefix="link")
            _choices(form, "to_workplace", _workplace_choices(request, exclude=pk))
        else:
            form = supply_form = SupplyForm(request.POST, prefix="supply")
            _choices(form, "buyer", buyer_choices)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                if action == "link":
                    other = int(data.pop("to_workplace"))
                    direction = data.pop("direction")
                    if direction == "in":
                        source_workplace = get_for_user(
                            Workplace.objects.all(), request.user, other, Action.CHANGE
                        )
                        links.link_record(
                            actor=actor, from_workplace=source_workplace, to_workplace_id=pk, **data
                        )
                    else:
                        links.link_record(
                            actor=actor, from_workplace=workplace, to_workplace_id=other, **data
                        )
                    messages.success(request, _("Link saved."))
                else:
                    buyer = data.pop("buyer")
                    links.supply_record(
                        actor=actor, workplace=workplace, buyer_id=int(buyer) if buyer else None, **data
                    )
                    messages.success(request, _("Supply link saved."))
                return redirect("workplaces:connections", pk=pk)
            except (ValidationError, PermissionDenied) as error:
                if isinstance(error, PermissionDenied):
                    form.add_error(None, str(error))
                else:
                    _add_errors(form, error)
    _choices(link_form, "to_workplace", _workplace_choices(request, exclude=pk))
    _choices(supply_form, "buyer", buyer_choices)
    return render(
        request,
        "workplaces/connections.html",
        {
            "workplace": workplace,
            "links": links.links_of(viewer=request.user, workplace=workplace),
            "supplies": links.supplies_of(viewer=request.user, workplace=workplace),
            "spots": links.hotspots(viewer=request.user, workplace=workplace, months=12),
            "media": MediaItem.objects.visible_to(request.user).filter(workplace=workplace)[:20],
            "link_form": link_form,
            "supply_form": supply_form,
        },
    )


@login_required
def hotspots(request: HttpRequest) -> HttpResponse:
    """Evidence by month for each workplace in an area: where the hot spots are and whether they move."""
    _staff(request)
    area = get_area(request.GET["area"]) if request.GET.get("area") else None
    try:
        months = int(request.GET.get("months", 12))
    except ValueError:
        months = 12
    spots = links.hotspots(viewer=request.user, area=area, months=months)
    return render(
        request, "workplaces/hotspots.html", {"spots": spots, "area": area, "months": len(spots.months)}
    )


@login_required
def media_queue(request: HttpRequest) -> HttpResponse:
    """Media items waiting for review (or reviewed), and a form to add one."""
    _staff(request)
    status = request.GET.get("status", MediaItem.Status.PENDING)
    if status not in MediaItem.Status.values:
        status = MediaItem.Status.PENDING
    form = MediaForm(initial={"published_on": timezone.localdate()})
    choices = _workplace_choices(request)
    _choices(form, "workplace", choices)
    if request.method == "POST":
        form = MediaForm(request.POST)
        _choices(form, "workplace", choices)
        if form.is_valid():
            data = dict(form.cleaned_data)
            workplace = data.pop("workplace")
            try:
                links.media_add(
                    actor=signed_in_user(request), workplace_id=int(workplace) if workplace else None, **data
                )
            except (ValidationError, PermissionDenied) as error:
                if isinstance(error, PermissionDenied):
                    form.add_error(None, str(error))
                else:
                    _add_errors(form, error)
            else:
                messages.success(request, _("The item waits for a coordinator's review."))
                return redirect("workplaces:media")
    items = links.media_queue(viewer=request.user, status=status)[:200]
    viewer = viewer_for(request.user)
    return render(
        request,
        "workplaces/media.html",
        {
            "items": [
                (i, viewer.has_role(Role.COORDINATOR, Role.ADMIN, agency_id=i.agency_id)) for i in items
            ],
            "status": status,
            "statuses": MediaItem.Status.choices,
            "counts": links.media_counts(viewer=request.user),
            "form": form,
            "workplaces": choices,
            "reliabilities": Observation.Reliability.choices,
            "labels": dict(LabourIndicator.choices),
        },
    )


@login_required
def media_review(request: HttpRequest, pk: int) -> HttpResponse:
    """A coordinator accepts a media item (it becomes evidence) or rejects it with a reason."""
    item = get_for_user(MediaItem.objects.all(), request.user, pk)
    if request.method != "POST":
        return redirect("workplaces:media")
    actor = signed_in_user(request)
    try:
        if request.POST.get("decision") == "accept":
            workplace = request.POST.get("workplace") or None
            observation = links.media_accept(
                actor=actor,
                item=item,
                reliability=request.POST.get("reliability", ""),
                workplace_id=int(workplace) if workplace else None,
            )
            messages.success(request, _("Accepted: the item is now evidence; the rating was updated."))
            return redirect("workplaces:detail", pk=observation.workplace_id)
        links.media_reject(actor=actor, item=item, reason=request.POST.get("reason", ""))
        messages.success(request, _("Rejected."))
    except PermissionDenied as error:
        messages.error(request, str(error))
    except (ValidationError, ValueError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    return redirect("workplaces:media")
