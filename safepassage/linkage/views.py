"""Likely duplicates for a coordinator to review: the queue, one pair side by side with the evidence in
words, and the decisions (same person — merge; not the same; undo a merge)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from safepassage.accounts.selectors import signed_in_user
from safepassage.audit.services import audit_page
from safepassage.core.roles import Action
from safepassage.linkage import services
from safepassage.linkage.models import MatchCandidate, Merge

ROWS = (
    ("given_name", gettext_noop("Given name")),
    ("family_name", gettext_noop("Family name")),
    ("given_name_latin", gettext_noop("Given name in Latin letters")),
    ("family_name_latin", gettext_noop("Family name in Latin letters")),
    ("sex", gettext_noop("Sex")),
    ("birth_date", gettext_noop("Date of birth")),
    ("birth_year", gettext_noop("Year of birth")),
    ("village", gettext_noop("Village")),
    ("national_id", gettext_noop("ID card number")),
    ("father_name", gettext_noop("Father's name")),
    ("mother_name", gettext_noop("Mother's name")),
    ("other_names", gettext_noop("Other names and spellings")),
)


def _require(request: HttpRequest) -> Any:
    user = signed_in_user(request)
    if not services.may_review(user):
        raise Http404
    return user


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    user = _require(request)
    status = request.GET.get("status", MatchCandidate.Status.PENDING)
    if status not in MatchCandidate.Status.values:
        status = MatchCandidate.Status.PENDING
    pairs = services.candidates_by_status(MatchCandidate.objects.visible_to(user), status)
    page = Paginator(pairs.order_by("-match_weight", "pk"), 30).get_page(request.GET.get("page"))
    audit_page(actor=request.user, page=page, what="page:linkage")
    # "To review" holds the undone merges too; they have no tab of their own.
    tabs = [(v, label) for v, label in MatchCandidate.Status.choices if v != MatchCandidate.Status.UNDONE]
    return render(request, "linkage/queue.html", {"page": page, "status": status, "statuses": tabs})


@login_required
def pair(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require(request)
    candidate = services.candidate_for(user, pk)
    a, b = services.pair_records(user, candidate)
    rows = []
    for name, label in ROWS:
        field = "village_id" if name == "village" else name
        values = (_value(a, name), _value(b, name))
        rows.append(
            {
                "label": _(label),
                "a": values[0],
                "b": values[1],
                # Both records seen and their values differ: the reviewer chooses which one is kept.
                "choose": field if a and b and values[0] != values[1] and field in services.CHOOSABLE else "",
                "default_a": a is not None and b is not None and services.kept_by_default(a, b, field) is a,
            }
        )
    evidence = services.evidence_in_words(candidate.evidence)
    last = candidate.merges.filter(undone_at__isnull=True).order_by("-pk").first()
    return render(
        request,
        "linkage/pair.html",
        {
            "candidate": candidate,
            "a": a,
            "b": b,
            "rows": rows,
            "evidence": evidence,
            "merge": last,
            "may_decide": services.may_decide(user, candidate),
            "a_elsewhere": not services.may_review(user, candidate.agency_id),
            "b_elsewhere": not services.may_review(user, candidate.other_agency_id),
        },
    )


def _value(person: Any, name: str) -> Any:
    if person is None:
        return None
    if name == "village":
        return f"{person.village.name} ({person.village.code})"
    if name == "sex":
        return person.get_sex_display()
    if name == "other_names":
        return ", ".join(n for n in person.other_names.splitlines() if n) or "—"
    return getattr(person, name) or "—"


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require(request)
    candidate = services.candidate_for(user, pk, Action.CHANGE)
    note = request.POST.get("note", "")[:1000]
    try:
        if request.POST.get("decision") == "merge":
            choices = {}
            for name in services.CHOOSABLE:
                chosen = request.POST.get(f"choose_{name}", "")
                if chosen:
                    if not chosen.isdigit():
                        raise ValidationError({name: _("Choose the value of one of the two records.")})
                    choices[name] = int(chosen)
            services.merge(actor=user, candidate=candidate, note=note, choices=choices)
            messages.success(request, _("Merged: one record now, with the history of both."))
        elif request.POST.get("decision") == "not_same":
            services.not_same(actor=user, candidate=candidate, note=note)
            messages.success(request, _("Marked as two different people."))
        else:
            messages.error(request, _("Choose “same person” or “not the same”."))
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
    return redirect("linkage:pair", pk=candidate.pk)


@login_required
@require_POST
def undo(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require(request)
    record = Merge.objects.filter(pk=pk).first()
    if record is None:
        raise Http404
    services.candidate_for(user, record.candidate_id, Action.CHANGE)
    try:
        services.undo(actor=user, merge_record=record)
        messages.success(request, _("The merge is undone: both records are back as they were."))
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
    return redirect("linkage:pair", pk=record.candidate_id)
