"""A reference library of laws, agreements, national plans, guidelines, handbooks and country timelines
(issue 22 part 8, R-101): a link or a sealed file, kept by one agency, read by the network or that agency."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from safepassage.accounts.models import Agency, User
from safepassage.audit.services import audit_record
from safepassage.core.access import viewer_for
from safepassage.core.files import check_attachment
from safepassage.core.models import get_for_user
from safepassage.core.roles import Action
from safepassage.core.validation import not_in_future
from safepassage.network.languages import clean_language
from safepassage.network.models import MAINTAINER_ROLES, LibraryDocument


def _keeper(actor: User | None) -> Agency:
    for grant in viewer_for(actor).grants:
        if grant.role in MAINTAINER_ROLES:
            return Agency.objects.get(pk=grant.agency_id)
    raise PermissionDenied(_("Only an agency's administrators and coordinators add to the library."))


@transaction.atomic
def document_add(
    *,
    actor: User | None,
    title: str,
    kind: str,
    language: str,
    audience: str,
    country: str = "",
    published_on: date | None = None,
    summary: str = "",
    url: str = "",
    upload: Any = None,
    agency: Agency | None = None,
) -> LibraryDocument:
    """Add a document: a link, a file (a PDF or photo, sealed on disk) or both."""
    owner = agency if actor is None and agency is not None else _keeper(actor)
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("Give the title.")]
    if kind not in LibraryDocument.Kind.values:
        errors["kind"] = [_("Choose what kind of document it is.")]
    code = clean_language(language)
    if code is None:
        errors["language"] = [_("Give the language as a code, e.g. th, my, en.")]
    if audience not in LibraryDocument.Audience.values:
        errors["audience"] = [_("Say who may see it.")]
    country = country.strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        errors["country"] = [_("A country is a two-letter code, e.g. TH.")]
    if url and not url.startswith(("http://", "https://")):
        errors["url"] = [_("A link starts with http:// or https://.")]
    if not url and upload is None:
        errors["url"] = [_("Give a link or attach the file.")]
    if errors:
        raise ValidationError(errors)
    not_in_future(published_on, "published_on")
    content_type = check_attachment(upload) if upload is not None else ""
    document = LibraryDocument(
        agency=owner,
        title=title.strip(),
        kind=kind,
        language=code or "",
        country=country,
        published_on=published_on,
        summary=summary.strip(),
        url=url.strip(),
        audience=audience,
        added_by=actor,
    )
    if upload is not None:
        document.file_name = str(getattr(upload, "name", "file"))[-200:]
        document.content_type, document.size = content_type, upload.size
        document.file.save(document.file_name, upload, save=False)
    document.save()
    audit_record(
        actor=actor,
        action="network.library.add",
        obj=document,
        changes={"title": document.title, "kind": kind, "audience": audience, "file": bool(upload)},
        plain=("title",),
    )
    return document


@transaction.atomic
def document_retire(*, actor: User | None, document: LibraryDocument) -> LibraryDocument:
    """Take a document out of the library (kept on record, no longer listed)."""
    document = get_for_user(LibraryDocument.objects.all(), actor, document.pk, Action.CHANGE)
    document.active = False
    document.save(update_fields=["active", "updated_at"])
    audit_record(actor=actor, action="network.library.retire", obj=document, changes={"active": False})
    return document


def library(
    *, viewer: Any, kind: str = "", language: str = "", country: str = "", query: str = ""
) -> QuerySet[LibraryDocument]:
    """The documents the viewer may read, filtered by kind, language, country and words of the title."""
    qs = LibraryDocument.objects.visible_to(viewer).filter(active=True).select_related("agency")
    if kind:
        qs = qs.filter(kind=kind)
    if language:
        qs = qs.filter(language=language.strip().lower())
    if country:
        qs = qs.filter(country=country.strip().upper())
    if query:
        qs = qs.filter(Q(title__icontains=query) | Q(summary__icontains=query))
    return qs
