"""Directory pages: who can respond in a village, responders' cards, organisations, committees, focal
points and hotlines, and the forms coordinators keep them with."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safepassage.accounts.models import Agency
from safepassage.accounts.selectors import signed_in_user
from safepassage.audit.services import audit_read
from safepassage.core.access import viewer_for
from safepassage.core.roles import Action
from safepassage.geo.models import Area, Level
from safepassage.geo.selectors import area_list, villages_covered
from safepassage.network import selectors, services, sharing
from safepassage.network.forms import (
    CommitteeForm,
    OrganisationForm,
    ResponderForm,
    SearchForm,
    SeatForm,
    SharingAgreementForm,
    TrainingForm,
)
from safepassage.network.kinds import expertise_labels
from safepassage.network.languages import language_name
from safepassage.network.models import Committee, Organisation, Responder, may_see_address

PAGE_SIZE = 25


def _require_directory(request: HttpRequest) -> None:
    """Analysts and partners do not read the directory: the pages are not there for them."""
    if not request.user.has_perm("network.view_directory"):
        raise Http404


def _require_keeper(request: HttpRequest) -> None:
    if not request.user.has_perm("network.change_directory"):
        raise Http404


def _add_errors(form: Any, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


def _labels(codes: list[str], choices: Any) -> list[str]:
    names = dict(choices)
    return [str(names.get(code, code)) for code in codes]


# -------------------------------------------------------------------------------------------------- search


def _pick_village(text: str) -> tuple[Area | None, list[Area]]:
    """The village typed (by code, or by a name only one village has), or the villages it could mean."""
    text = text.strip()
    if not text:
        return None, []
    exact = Area.objects.filter(code=text).first()
    if exact is not None:
        return exact, []
    candidates = list(area_list(level=Level.VILLAGE, query=text).select_related("parent")[:21])
    if len(candidates) == 1:
        return candidates[0], []
    return None, candidates


@login_required
def directory_search(request: HttpRequest) -> HttpResponse:
    """Who can respond in a village: by language, expertise and role, ranked by how closely they cover it."""
    _require_directory(request)
    form = SearchForm(request.GET or None)
    village: Area | None = None
    candidates: list[Area] = []
    page, searched = None, False
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        village, candidates = _pick_village(data["village"])
        if data["village"] and village is None and not candidates:
            form.add_error("village", _("No village has this name or code."))
        elif not candidates:
            searched = True
            matches = selectors.responders_search(
                request.user,
                village=village,
                language=data["language"] or None,
                expertise=data["expertise"] or None,
                role_type=data["role_type"] or None,
                text=data["q"] or None,
            )
            page = Paginator(matches, PAGE_SIZE).get_page(request.GET.get("page"))
    others = {k: str(v) for k, v in request.GET.items() if k not in ("village", "page")}
    return render(
        request,
        "network/search.html",
        {
            "form": form,
            "village": village,
            "candidates": [(v, urlencode({**others, "village": v.code})) for v in candidates],
            "page": page,
            "searched": searched,
            "my_villages": list(villages_covered(viewer_for(request.user)).order_by("path")[:12]),
            "can_add": request.user.has_perm("network.change_directory"),
        },
    )


# ---------------------------------------------------------------------------------------------- responders


@login_required
def responder_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A responder's card: contacts (only for those allowed, and that look is audited), languages,
    expertise, areas, training, committees."""
    _require_directory(request)
    responder = selectors.get_responder_for_user(request.user, pk)
    contacts = selectors.contacts_for(request.user, responder)
    if contacts and any(contacts.values()):
        audit_read(actor=request.user, obj=responder, what="contacts")
    today = timezone.localdate()
    return render(
        request,
        "network/responder_detail.html",
        {
            "responder": responder,
            "contacts": contacts,
            "languages": [language_name(code) for code in responder.languages],
            "expertise": _labels(responder.expertise, expertise_labels()),
            "areas": list(responder.areas.all()),
            "trainings": [
                (t, t.expires_on is not None and t.expires_on < today) for t in responder.trainings.all()
            ],
            "seats": list(responder.seats.all()),
            "focal_points": [f for f in responder.focal_points.all() if f.active],
            "can_change": selectors.may_change(request.user, responder),
        },
    )


def _organisations(request: HttpRequest) -> Any:
    return selectors.organisation_list(viewer=request.user)


@login_required
def responder_create(request: HttpRequest) -> HttpResponse:
    """Add a responder to the directory."""
    _require_keeper(request)
    initial: dict[str, Any] = {"availability": Responder.Availability.AVAILABLE}
    if request.GET.get("organisation", "").isdigit():
        initial["organisation_id"] = request.GET["organisation"]
    form = ResponderForm(request.POST or None, organisations=_organisations(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            responder = services.responder_create(actor=signed_in_user(request), **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Responder added."))
            return redirect("network:responder", pk=responder.pk)
    return render(request, "network/form.html", {"form": form, "title": _("Add a responder")})


@login_required
def responder_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a responder's entry (the keeping agency's coordinators and administrators)."""
    responder = selectors.get_responder_for_user(request.user, pk, Action.CHANGE)
    initial = {
        **{name: getattr(responder, name) for name in services.RESPONDER_FIELDS},
        "organisation_id": responder.organisation_id,
        "area_codes": " ".join(sorted(a.code for a in responder.areas.all())),
        "username": responder.user.get_username() if responder.user else "",
    }
    form = ResponderForm(
        request.POST or None,
        organisations=_organisations(request),
        languages=responder.languages,
        editing=True,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.responder_update(actor=signed_in_user(request), responder=responder, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("network:responder", pk=pk)
    return render(request, "network/form.html", {"form": form, "title": responder.name})


@login_required
def training_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a course a responder completed."""
    responder = selectors.get_responder_for_user(request.user, pk, Action.CHANGE)
    form = TrainingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.training_add(actor=signed_in_user(request), responder=responder, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Training recorded."))
            return redirect("network:responder", pk=pk)
    title = _("Training of %(name)s") % {"name": responder.name}
    return render(request, "network/form.html", {"form": form, "title": title})


# ------------------------------------------------------------------------------------------- organisations


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    """Organisations of the directory, by kind or name."""
    _require_directory(request)
    kind = request.GET.get("kind", "")
    try:
        organisations = selectors.organisation_list(
            viewer=request.user, kind=kind, text=request.GET.get("q", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        organisations = Organisation.objects.none()
    return render(
        request,
        "network/organisation_list.html",
        {
            "page": Paginator(organisations, 50).get_page(request.GET.get("page")),
            "kinds": Organisation.Kind.choices,
            "kind": kind,
            "query": request.GET.get("q", ""),
            "can_add": request.user.has_perm("network.change_directory"),
        },
    )


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An organisation: what it does, where, who responds for it; a shelter's address for staff only."""
    _require_directory(request)
    organisation = selectors.get_organisation_for_user(request.user, pk)
    show_address = may_see_address(viewer_for(request.user), organisation)
    if show_address and organisation.kind == Organisation.Kind.SHELTER and organisation.address:
        audit_read(actor=request.user, obj=organisation, what="address")
    return render(
        request,
        "network/organisation_detail.html",
        {
            "organisation": organisation,
            "show_address": show_address,
            "services": _labels(organisation.services, expertise_labels()),
            "languages": [language_name(code) for code in organisation.languages],
            "responders": selectors.organisation_responders(viewer=request.user, organisation=organisation),
            "hotlines": organisation.hotlines.filter(active=True),
            "can_change": selectors.may_change(request.user, organisation),
        },
    )


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    """Add an organisation to the directory."""
    _require_keeper(request)
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(actor=signed_in_user(request), **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Organisation added."))
            return redirect("network:organisation", pk=organisation.pk)
    return render(request, "network/form.html", {"form": form, "title": _("Add an organisation")})


@login_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct an organisation's entry."""
    organisation = selectors.get_organisation_for_user(request.user, pk, Action.CHANGE)
    initial = {
        **{name: getattr(organisation, name) for name in services.ORGANISATION_FIELDS},
        "area_code": organisation.area.code if organisation.area else "",
        "member_agency_code": organisation.member_agency.code if organisation.member_agency else "",
    }
    form = OrganisationForm(
        request.POST or None, languages=organisation.languages, editing=True, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                actor=signed_in_user(request), organisation=organisation, **form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("network:organisation", pk=pk)
    return render(request, "network/form.html", {"form": form, "title": organisation.name})


# ---------------------------------------------------------------------------------------------- committees


@login_required
def committee_list(request: HttpRequest) -> HttpResponse:
    """Committees: DOCs, MDTs, child-protection and village committees."""
    _require_directory(request)
    kind = request.GET.get("kind", "")
    try:
        committees = selectors.committee_list(viewer=request.user, kind=kind)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        committees = selectors.committee_list(viewer=request.user)
    return render(
        request,
        "network/committee_list.html",
        {
            "page": Paginator(committees, 50).get_page(request.GET.get("page")),
            "kinds": Committee.Kind.choices,
            "kind": kind,
            "can_add": request.user.has_perm("network.change_directory"),
        },
    )


def _seat_form(request: HttpRequest, data: Any = None) -> SeatForm:
    return SeatForm(data, responders=selectors.responder_list(viewer=request.user))


@login_required
def committee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A committee and its members; its keepers add and remove seats here."""
    _require_directory(request)
    committee = selectors.get_committee_for_user(request.user, pk)
    can_change = selectors.may_change(request.user, committee)
    return render(
        request,
        "network/committee_detail.html",
        {
            "committee": committee,
            "seats": selectors.seats_in_order(committee),
            "can_change": can_change,
            "seat_form": _seat_form(request) if can_change else None,
        },
    )


@login_required
def committee_create(request: HttpRequest) -> HttpResponse:
    """Add a committee."""
    _require_keeper(request)
    form = CommitteeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            committee = services.committee_create(actor=signed_in_user(request), **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Committee added."))
            return redirect("network:committee", pk=committee.pk)
    return render(request, "network/form.html", {"form": form, "title": _("Add a committee")})


@login_required
def committee_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a committee."""
    committee = selectors.get_committee_for_user(request.user, pk, Action.CHANGE)
    initial = {
        "name": committee.name,
        "kind": committee.kind,
        "area_code": committee.area.code if committee.area else "",
        "meets": committee.meets,
        "active": committee.active,
    }
    form = CommitteeForm(request.POST or None, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.committee_update(actor=signed_in_user(request), committee=committee, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("network:committee", pk=pk)
    return render(request, "network/form.html", {"form": form, "title": committee.name})


@login_required
@require_POST
def committee_seat(request: HttpRequest, pk: int) -> HttpResponse:
    """Give a responder a seat on the committee, or change their seat."""
    committee = selectors.get_committee_for_user(request.user, pk, Action.CHANGE)
    form = _seat_form(request, request.POST)
    if form.is_valid():
        try:
            services.committee_seat_set(
                actor=signed_in_user(request), committee=committee, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Seat saved."))
    else:
        messages.error(request, _("Choose a responder and a seat."))
    return redirect("network:committee", pk=pk)


@login_required
@require_POST
def committee_unseat(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a responder off the committee."""
    committee = selectors.get_committee_for_user(request.user, pk, Action.CHANGE)
    responder_id = request.POST.get("responder_id", "")
    try:
        services.committee_seat_remove(
            actor=signed_in_user(request),
            committee=committee,
            responder_id=int(responder_id) if responder_id.isdigit() else 0,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Removed from the committee."))
    return redirect("network:committee", pk=pk)


# ------------------------------------------------------------------------------- focal points and hotlines


@login_required
def focal_point_list(request: HttpRequest) -> HttpResponse:
    """Who to contact across the border, under which agreement."""
    _require_directory(request)
    country = request.GET.get("country", "").strip().upper()[:2]
    return render(
        request,
        "network/focal_points.html",
        {
            "focal_points": selectors.focal_point_list(viewer=request.user, country=country),
            "agreements": selectors.agreement_list(),
            "country": country,
        },
    )


@login_required
def hotline_list(request: HttpRequest) -> HttpResponse:
    """Hotlines anyone can call: for every signed-in user."""
    if not request.user.has_perm("network.view_hotlines"):
        raise Http404
    return render(request, "network/hotlines.html", {"hotlines": selectors.hotline_list()})


@login_required
def sharing_agreement_list(request: HttpRequest) -> HttpResponse:
    """Agreements to share case records between the user's agency and others; coordinators record them."""
    user = signed_in_user(request)
    if not viewer_for(user).has_role(*sharing.READERS):
        raise Http404
    may_record = sharing.may_record(user)
    mine = {g.agency_id for g in viewer_for(user).grants}
    others = Agency.objects.filter(active=True).exclude(pk__in=mine).exclude(profile="").order_by("name")
    form = SharingAgreementForm(request.POST or None, agencies=others) if may_record else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                sharing.sharing_agreement_record(actor=user, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("network:sharing")
    return render(
        request,
        "network/sharing.html",
        {"agreements": sharing.sharing_agreements(user), "form": form},
    )
