"""The one door to erasing a person, for apps below the privacy app (the migration channel's withdrawal).

Erasure reaches every store (people, cases, registrations, merges, imports, exports), so it lives in the
privacy app, above all of them. An app lower down that must erase someone (a withdrawal of consent) calls
`erase_withdrawn` here; the privacy app installs the implementation when Django starts (its AppConfig).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

WithdrawalEraser = Callable[..., Any]
_eraser: WithdrawalEraser | None = None


def install(eraser: WithdrawalEraser) -> None:
    """Called once by the privacy app when it is ready."""
    global _eraser
    _eraser = eraser


def erase_withdrawn(*, actor: Any, person: Any, source: str) -> Any:
    """Remove the identity of a person whose consent was withdrawn, in every store, logged for restores.
    The caller has decided that nothing else holds the person; returns the erasure log."""
    if _eraser is None:
        raise ImproperlyConfigured("safepassage.privacy must be in INSTALLED_APPS to erase people")
    return _eraser(actor=actor, person=person, source=source)
