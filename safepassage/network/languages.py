"""Languages responders speak: codes (ISO 639, lower case) and the names the interface shows for them."""

from __future__ import annotations

import re

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# The languages of the Mekong borderlands first; any other ISO 639 code is accepted and shown as its code.
LANGUAGES: list[tuple[str, str | Promise]] = [
    ("th", _("Thai")),
    ("nod", _("Northern Thai (Kham Mueang)")),
    ("my", _("Burmese")),
    ("shn", _("Shan")),
    ("kar", _("Karen")),
    ("lo", _("Lao")),
    ("km", _("Khmer")),
    ("vi", _("Vietnamese")),
    ("zh", _("Chinese")),
    ("hmn", _("Hmong")),
    ("ahk", _("Akha")),
    ("lhu", _("Lahu")),
    ("lis", _("Lisu")),
    ("en", _("English")),
]
NAMES: dict[str, str | Promise] = dict(LANGUAGES)
CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")


def language_name(code: str) -> str:
    """The name of a language in the active interface language, or its code when it has no name here."""
    return str(NAMES.get(code, code))


def clean_language(value: str) -> str | None:
    """A language code in its stored form (trimmed, lower case), or None when it is not a code."""
    code = str(value).strip().lower().replace("_", "-")
    return code if CODE.match(code) else None
