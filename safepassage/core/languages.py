"""The interface languages (settings.LANGUAGES) as a request or an account names them."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


def supported(asked: str) -> str:
    """The app's language for a code such as "th", "zh-Hans" or "en-GB", or "" when it names none of them
    (never an error: `?lang=` comes from anyone)."""
    if not asked:
        return ""
    try:
        variant = translation.get_supported_language_variant(asked, strict=False)
    except LookupError:
        return ""
    return variant if variant in {code for code, _name in settings.LANGUAGES} else ""
