"""What a message says: a fixed sentence for its kind, the record's reference and a link. Nothing else goes
in (no name, place or story), so a phone left on a table or a shared LINE screen gives nobody away."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import override

from safepassage.core.notices import NoticeKind


def link_for(path: str) -> str:
    """The full address of a page (NOTIFY_BASE_URL + path), or the path alone when no base is set."""
    return settings.NOTIFY_BASE_URL.rstrip("/") + path


def message_text(*, kind: str, reference: str, link: str, language: str = "") -> str:
    """One notification: "SafePassage: <sentence> Ref <reference>. <link>"."""
    with override(language or settings.LANGUAGE_CODE):
        sentence = str(NoticeKind(kind).label) if kind in NoticeKind.values else _("Something needs you.")
        return _("SafePassage: %(sentence)s. Ref %(reference)s. %(link)s") % {
            "sentence": sentence,
            "reference": reference,
            "link": link_for(link),
        }


def digest_text(*, references: Sequence[str], language: str = "") -> str:
    """The daily summary: how many, their references and a link to the list."""
    with override(language or settings.LANGUAGE_CODE):
        shown = ", ".join(references[:10]) + (" …" if len(references) > 10 else "")
        return _("SafePassage: %(count)s new notifications. Ref %(references)s. %(link)s") % {
            "count": len(references),
            "references": shown,
            "link": link_for("/notify/"),
        }


def subject_text(*, count: int, language: str = "") -> str:
    """An e-mail subject that says nothing but that something is waiting."""
    with override(language or settings.LANGUAGE_CODE):
        if count == 1:
            return _("SafePassage: a new notification")
        return _("SafePassage: %(count)s new notifications") % {"count": count}
