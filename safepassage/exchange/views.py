"""Exchange pages: the transfers (sent and received), one transfer with its packet and what to do next,
sending a case, and the peers with this installation's fingerprints."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from safepassage.accounts import profiles
from safepassage.accounts.models import Agency
from safepassage.accounts.selectors import signed_in_user
from safepassage.cases.models import Case, FollowUp, Repatriation
from safepassage.core.models import get_for_user
from safepassage.core.roles import Action
from safepassage.exchange import aggregates, keys, packet, publications, services
from safepassage.exchange.models import Peer, Publication, Transfer
from safepassage.geo.models import Area
from safepassage.registry.models import Person


def _errors(request: HttpRequest, error: ValidationError) -> None:
    for problem in error.messages:
        messages.error(request, problem)


@login_required
def transfer_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    transfers = services.transfers_for(user)[:200]
    return render(
        request,
        "exchange/transfer_list.html",
        {
            "transfers": transfers,
            "coordinator": bool(services.coordinator_agencies(user)),
            "rollup": aggregates.may_read(user),
            "publishing": publications.may_use(user),
        },
    )


@login_required
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    transfer = services.transfer_read(actor=user, pk=pk)
    fields = [(name, json.dumps(value, ensure_ascii=False)) for name, value in transfer.packet.items()]
    parts = packet.parts_for(transfer.profile, basis=transfer.basis, covers=list(transfer.consent_covers))
    context: dict[str, Any] = {
        "transfer": transfer,
        "fields": fields,
        "reads": profiles.part_labels(parts),
        "envelopes": services.messages_of(transfer),
        "may_decide": services.is_coordinator(user, transfer.agency_id),
        "agencies": services.coordinator_agencies(user),
        "wellbeing": FollowUp.Wellbeing.choices,
        "today": date.today(),
    }
    if (
        transfer.side == Transfer.Side.RECEIVED
        and transfer.status == Transfer.Status.RECEIVED
        and context["may_decide"]
    ):
        found = services.matches(transfer, transfer.agency)
        people = Person.objects.in_bulk([pk for pk, _p in found])
        context["matches"] = [(people[pk], round(p * 100)) for pk, p in found if pk in people]
    return render(request, "exchange/transfer_detail.html", context)


@login_required
@require_POST
def transfer_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = signed_in_user(request)
    transfer = get_for_user(services.transfers_for(user), user, pk)
    try:
        if action == "approve":
            services.transfer_approve(actor=user, transfer=transfer)
            messages.success(
                request, _("Approved: the packet waits in the outbox and goes out within a minute.")
            )
        elif action == "accept":
            wanted = request.POST.get("agency", "")
            agency = Agency.objects.filter(pk=int(wanted) if wanted.isdigit() else transfer.agency_id).first()
            chosen = request.POST.get("person", "")
            person = Person.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
            if agency is None:
                raise Http404
            case = services.transfer_accept(
                actor=user,
                transfer=transfer,
                agency=agency,
                person=person,
                village_code=request.POST.get("village_code", "").strip(),
            )
            messages.success(request, _("Accepted: case %(ref)s was opened.") % {"ref": case.reference})
        elif action == "decline":
            services.transfer_decline(actor=user, transfer=transfer, reason=request.POST.get("reason", ""))
            messages.success(request, _("Declined: the sender is told why."))
        elif action == "follow_up":
            services.follow_up_send(
                actor=user,
                transfer=transfer,
                done_on=parse_date(request.POST.get("done_on", "")) or date.today(),
                wellbeing=request.POST.get("wellbeing", ""),
                summary=request.POST.get("summary", ""),
                by=request.POST.get("by", ""),
            )
            messages.success(request, _("Follow-up recorded and reported to the sender."))
        else:
            raise Http404
    except ValidationError as error:
        _errors(request, error)
    return redirect("exchange:transfer", pk=transfer.pk)


@login_required
def send(request: HttpRequest, case_pk: int) -> HttpResponse:
    """Ask to send a case to a peer; the page says what each peer would receive."""
    user = signed_in_user(request)
    case = get_for_user(Case.objects.select_related("person", "agency"), user, case_pk, Action.CHANGE)
    peers = list(Peer.objects.filter(active=True))
    returns = list(case.repatriations.exclude(status__in=["completed", "cancelled"]))
    if request.method == "POST":
        peer = Peer.objects.filter(pk=request.POST.get("peer") or 0, active=True).first()
        if peer is None:
            messages.error(request, _("Choose the installation to send to."))
        else:
            chosen = request.POST.get("repatriation", "")
            repatriation = case.repatriations.filter(pk=int(chosen)).first() if chosen.isdigit() else None
            try:
                transfer = services.transfer_request(
                    actor=user,
                    case=case,
                    peer=peer,
                    kind=request.POST.get("kind", ""),
                    basis=request.POST.get("basis", ""),
                    repatriation=repatriation,
                    consent_covers=request.POST.getlist("consent_covers"),
                )
            except ValidationError as error:
                _errors(request, error)
            else:
                messages.success(request, _("Asked: a coordinator must approve before it is sent."))
                return redirect("exchange:transfer", pk=transfer.pk)
    will_see = [
        (peer, profiles.part_labels(packet.parts_for(peer.profile, basis="best_interests", covers=[])))
        for peer in peers
    ]
    return render(
        request,
        "exchange/send.html",
        {
            "case": case,
            "will_see": will_see,
            "returns": returns,
            "kinds": Transfer.Kind.choices,
            "bases": Transfer.Basis.choices,
            "consent_parts": [(p, profiles.PART_LABELS[p]) for p in profiles.CONSENT_PARTS],
            "child": case.is_child,
            "Repatriation": Repatriation,
        },
    )


@login_required
def peers(request: HttpRequest) -> HttpResponse:
    """The peers, this installation's own fingerprints, and (for coordinators) registering a peer."""
    user = signed_in_user(request)
    agencies = services.coordinator_agencies(user)
    if not agencies:
        raise Http404
    if request.method == "POST":
        agency = next((a for a in agencies if str(a.pk) == request.POST.get("agency")), None)
        if agency is None:
            messages.error(request, _("Choose the agency that receives its cases."))
        else:
            try:
                peer = services.peer_register(
                    actor=user,
                    name=request.POST.get("name", ""),
                    country=request.POST.get("country", ""),
                    address=request.POST.get("address", ""),
                    signing_key=request.POST.get("signing_key", ""),
                    encryption_key=request.POST.get("encryption_key", ""),
                    receiving_agency=agency,
                    profile=request.POST.get("profile", ""),
                )
            except ValidationError as error:
                _errors(request, error)
            else:
                messages.success(
                    request,
                    _("Registered. Read out its fingerprint %(fp)s with them over the phone before sending.")
                    % {"fp": keys.fingerprint(peer.key_id)},
                )
                return redirect("exchange:peers")
    try:
        own = keys.load()
        mine: dict[str, Any] | None = {
            "signing": keys.fingerprint(own.signing_id),
            "encryption": keys.fingerprint(own.encryption_id),
            "public": json.dumps(own.public(), indent=1),
        }
    except ImproperlyConfigured:
        mine = None
    mine_ids = {a.pk for a in agencies}
    listed = [
        (p, keys.fingerprint(p.key_id), p.receiving_agency_id in mine_ids)
        for p in Peer.objects.select_related("receiving_agency", "status_changed_by")
    ]
    return render(
        request,
        "exchange/peers.html",
        {
            "peers": listed,
            "mine": mine,
            "agencies": agencies,
            "profiles": profiles.ReceivingProfile.choices,
        },
    )


@login_required
def peer_status(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Deactivate or reactivate a peer: a page that says what it means and asks for the reason, then the
    change (POST, confirmed). Only a coordinator of the agency that receives its cases; others get 404."""
    user = signed_in_user(request)
    peer = Peer.objects.select_related("receiving_agency").filter(pk=pk).first()
    if peer is None or action not in ("deactivate", "reactivate"):
        raise Http404
    if not services.is_coordinator(user, peer.receiving_agency_id):
        raise Http404
    waiting = peer.envelopes.filter(direction="out", status="waiting").count()
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Tick the box to confirm."))
        else:
            try:
                if action == "deactivate":
                    services.peer_deactivate(actor=user, peer=peer, reason=reason)
                    messages.success(
                        request,
                        _("%(name)s is deactivated: its messages are refused and nothing is sent to it.")
                        % {"name": peer.name},
                    )
                else:
                    services.peer_reactivate(actor=user, peer=peer, reason=reason)
                    messages.success(
                        request,
                        _("%(name)s is active again: what waited for it goes out within a minute.")
                        % {"name": peer.name},
                    )
            except ValidationError as error:
                _errors(request, error)
            else:
                return redirect("exchange:peers")
    return render(
        request,
        "exchange/peer_status.html",
        {"peer": peer, "action": action, "waiting": waiting, "reason": request.POST.get("reason", "")},
    )


@login_required
def aggregate_list(request: HttpRequest) -> HttpResponse:
    """The roll-up: reports received from the centres below (here or from other installations), each area's
    figures as they published them, and (for coordinators) sending this agency's own report up."""
    user = signed_in_user(request)
    agencies = services.coordinator_agencies(user)
    reports = aggregates.reports_for(user)
    if not aggregates.may_read(user):
        raise Http404
    if request.method == "POST":
        agency = next((a for a in agencies if str(a.pk) == request.POST.get("agency")), None)
        area = Area.objects.filter(code=request.POST.get("area", "")).first()
        target = request.POST.get("to", "")
        number = int(target[2:]) if target[2:].isdigit() else 0
        to_agency = Agency.objects.filter(pk=number, active=True).first() if target[:2] == "a-" else None
        peer = Peer.objects.filter(pk=number, active=True).first() if target[:2] == "p-" else None
        if agency is None or area is None:
            messages.error(request, _("Choose your agency and the area of the report."))
        else:
            try:
                aggregates.report_send(
                    actor=user,
                    agency=agency,
                    area=area,
                    start=parse_date(request.POST.get("start", "")),
                    end=parse_date(request.POST.get("end", "")),
                    to_agency=to_agency,
                    peer=peer,
                )
            except ValidationError as error:
                _errors(request, error)
            else:
                messages.success(request, _("Sent. Only the protected figures left your agency."))
                return redirect("exchange:aggregates")
    return render(
        request,
        "exchange/aggregates.html",
        {
            "rows": aggregates.read_rollup(user),
            "reports": reports[:100],
            "agencies": agencies,
            "targets": Agency.objects.filter(active=True).exclude(pk__in=[a.pk for a in agencies]),
            "peers": Peer.objects.filter(active=True),
            "areas": Area.objects.filter(level__in=("country", "province", "district")).order_by("path"),
        },
    )


@login_required
def publication_list(request: HttpRequest) -> HttpResponse:
    """Publications, case stories and cross-agency reports: drafting one, and those waiting for approval."""
    user = signed_in_user(request)
    if not publications.may_use(user):
        raise Http404
    drafting = publications.drafting_agencies(user)
    found = publications.visible(user)
    if request.method == "POST":
        agency = next((a for a in drafting if str(a.pk) == request.POST.get("agency")), None)
        case = None
        reference = request.POST.get("case", "").strip()
        if reference:
            case = Case.objects.visible_to(user).filter(reference=reference).first()
        if agency is None or (reference and case is None):
            messages.error(request, _("Choose your agency (and a case of yours, for a story)."))
        else:
            try:
                publication = publications.draft(
                    actor=user,
                    agency=agency,
                    kind=request.POST.get("kind", ""),
                    title=request.POST.get("title", ""),
                    text=request.POST.get("text", ""),
                    case=case,
                    reviewer_agency=Agency.objects.filter(
                        pk=int(request.POST["reviewer"]) if request.POST.get("reviewer", "").isdigit() else 0
                    ).first(),
                )
            except ValidationError as error:
                _errors(request, error)
            else:
                messages.success(
                    request, _("Drafted. A coordinator other than you approves it before it is published.")
                )
                return redirect("exchange:publication", publication.pk)
    return render(
        request,
        "exchange/publications.html",
        {
            "publications": found.select_related("agency", "drafted_by")[:200],
            "drafting": drafting,
            "kinds": Publication.Kind.choices,
            "reviewers": Agency.objects.filter(active=True),
        },
    )


@login_required
def publication_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One publication: its text (an audited read), approving it, and downloading it once approved."""
    user = signed_in_user(request)
    if request.method == "POST":
        publication = publications.read(actor=user, pk=pk)
        try:
            publications.approve(actor=user, publication=publication)
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Approved: it may now be downloaded and published."))
        return redirect("exchange:publication", pk)
    if request.GET.get("download"):
        publication = publications.download(actor=user, pk=pk)
        response = HttpResponse(
            f"{publication.title}\n\n{publication.text}\n", content_type="text/plain; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="publication-{publication.pk}.txt"'
        return response
    publication = publications.read(actor=user, pk=pk)
    may_approve = (
        publication.status == Publication.Status.DRAFT
        and publication.drafted_by_id != user.pk
        and any(services.is_coordinator(user, a) for a in publications.reviewers(publication))
    )
    return render(
        request, "exchange/publication_detail.html", {"publication": publication, "may_approve": may_approve}
    )
