"""Publications, anonymised case stories and cross-agency reports that name places or partners: drafted by one
person, approved by a coordinator who is not the author (of the agency asked to review it, or a second
coordinator of the author's own), and only then downloadable. A case story's text is checked against the
names and ID number of the people of its case: it is refused while it names them. Every step is audited."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from safepassage.accounts.models import Agency, User
from safepassage.audit.services import audit_read, audit_record
from safepassage.cases.models import Case
from safepassage.core.access import viewer_for
from safepassage.core.models import get_for_user
from safepassage.core.roles import Action, Role
from safepassage.exchange.models import Publication

DRAFTING_ROLES = {Role.COORDINATOR, Role.CASEWORKER}


def _fail(field: str, text: str) -> ValidationError:
    return ValidationError({field: [text]})


def _words(value: str) -> list[str]:
    return [w for w in re.split(r"[\s,;/()]+", value or "") if len(w) >= 2]


def names_of(case: Case) -> list[str]:
    """The names of the people of a case (the person, their parents, the perpetrators), each name and each
    word of it."""
    person = case.person
    found: list[str] = []
    for value in (
        person.given_name,
        person.family_name,
        person.given_name_latin,
        person.family_name_latin,
        person.father_name,
        person.mother_name,
        person.other_names,
        *case.perpetrators.values_list("name", flat=True),
    ):
        found += _words(value)
    return sorted(set(found), key=len, reverse=True)


def named_in(text: str, case: Case) -> list[str]:
    """The names or ID number of the case's people found in `text` (whole words in Latin letters; anywhere
    in scripts written without spaces, such as Thai)."""
    hits = []
    for name in names_of(case):
        if name.isascii():
            if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, flags=re.IGNORECASE):
                hits.append(name)
        elif name.casefold() in text.casefold():
            hits.append(name)
    number = re.sub(r"\D", "", case.person.national_id or "")
    if len(number) >= 6 and number in re.sub(r"[\s-]", "", text):
        hits.append("national_id")
    return hits


def _check_text(kind: str, text: str, case: Case | None) -> None:
    if not text.strip():
        raise _fail("text", _("Write the text."))
    if kind == Publication.Kind.STORY:
        if case is None:
            raise _fail("case", _("Say which case the story is about, so its people's names can be checked."))
        if named_in(text, case):
            raise _fail(
                "text",
                _(
                    "The story names a person of the case or gives their ID number: change the names "
                    "and leave the number out."
                ),
            )


def _is_coordinator(actor: User | None, agency_id: int) -> bool:
    return viewer_for(actor).has_role(Role.COORDINATOR, agency_id=agency_id)


@transaction.atomic
def draft(
    *,
    actor: User,
    agency: Agency,
    kind: str,
    title: str,
    text: str,
    case: Case | None = None,
    reviewer_agency: Agency | None = None,
) -> Publication:
    """Draft a publication in an agency the actor is a coordinator or caseworker of."""
    if not any(viewer_for(actor).has_role(role, agency_id=agency.pk) for role in DRAFTING_ROLES):
        raise Http404
    if kind not in Publication.Kind.values:
        raise _fail("kind", _("Choose what it is."))
    if not title.strip():
        raise _fail("title", _("Give it a title."))
    if case is not None:
        case = get_for_user(Case.objects.select_related("person"), actor, case.pk, Action.VIEW)
        if case.agency_id != agency.pk:
            raise Http404
    _check_text(kind, text, case)
    publication = Publication.objects.create(
        agency=agency,
        kind=kind,
        title=title.strip(),
        text=text,
        case=case,
        reviewer_agency=reviewer_agency if reviewer_agency != agency else None,
        drafted_by=actor,
    )
    audit_record(
        actor=actor,
        action="exchange.publication.draft",
        obj=publication,
        changes={
            "kind": kind,
            "case": case.pk if case else None,
            "reviewer_agency": publication.reviewer_agency_id,
        },
    )
    return publication


def drafting_agencies(actor: User | None) -> list[Agency]:
    """The agencies the actor may draft publications in (coordinator or caseworker)."""
    ids = {g.agency_id for g in viewer_for(actor).grants if g.role in DRAFTING_ROLES}
    return list(Agency.objects.filter(pk__in=ids, active=True).order_by("name"))


def may_use(actor: User | None) -> bool:
    """Whether the publications pages are for this actor: they draft, or review, in an agency."""
    return any(g.role in DRAFTING_ROLES for g in viewer_for(actor).grants)


def reviewers(publication: Publication) -> list[int]:
    """The agencies whose coordinators may approve it: the agency asked to review it, and its own."""
    ids = [publication.agency_id]
    if publication.reviewer_agency_id:
        ids.append(publication.reviewer_agency_id)
    return ids


@transaction.atomic
def approve(*, actor: User, publication: Publication) -> Publication:
    """A coordinator of the reviewing agency, or a second coordinator of its own (never the author),
    approves it: only then may it be downloaded. A story is checked again for the case's names."""
    publication = Publication.objects.select_for_update(of=("self",)).get(pk=publication.pk)
    if not any(_is_coordinator(actor, pk) for pk in reviewers(publication)):
        raise Http404
    if publication.status != Publication.Status.DRAFT:
        raise _fail("status", _("This was approved already."))
    if publication.drafted_by_id == actor.pk:
        raise _fail("approved_by", _("Someone other than its author approves it: another coordinator."))
    case = (
        Case.objects.select_related("person").filter(pk=publication.case_id).first()
        if publication.case_id is not None
        else None
    )
    _check_text(publication.kind, publication.text, case)
    publication.status = Publication.Status.APPROVED
    publication.approved_by, publication.approved_at = actor, timezone.now()
    publication.save()
    audit_record(
        actor=actor,
        action="exchange.publication.approve",
        obj=publication,
        changes={"drafted_by": publication.drafted_by_id},
    )
    return publication


def visible(actor: User | None) -> Any:
    """Publications of the actor's agencies, and those their agencies are asked to review (coordinators)."""
    v = viewer_for(actor)
    asked = [g.agency_id for g in v.grants if g.role == Role.COORDINATOR]
    own = Publication.objects.visible_to(actor, Action.VIEW)
    return (own | Publication.objects.filter(reviewer_agency_id__in=asked)).distinct()


def _one(actor: User | None, pk: Any) -> Publication:
    publication = visible(actor).filter(pk=pk).first()
    if publication is None:
        raise Http404
    return publication


def read(*, actor: User | None, pk: Any) -> Publication:
    """One publication with its text: an audited read."""
    publication = _one(actor, pk)
    audit_read(actor=actor, obj=publication, what="text")
    return publication


@transaction.atomic
def download(*, actor: User | None, pk: Any) -> Publication:
    """The approved text, to publish: refused (404) until approved; audited."""
    publication = _one(actor, pk)
    if publication.status != Publication.Status.APPROVED:
        raise Http404
    audit_record(actor=actor, action="exchange.publication.download", obj=publication)
    return publication
