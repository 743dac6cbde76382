"""Who can see a person's record, and who has (PRODUCT.md rule 8), for the person page.

The registry knows the owning agency and the reads of the person page. Layers above it (cases: agencies a
case of the person was referred to, and reads of those cases) add theirs through the two hooks below, filled
in their AppConfig.ready(), since the registry may not import them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from safepassage.audit.models import AuditEvent
from safepassage.registry.models import Person


@dataclass(frozen=True)
class Reach:
    """An agency that can read (some of) the record, and why."""

    agency: str
    why: str
    reads: str = ""  # what of it, in words, when it is not everything


# Each returns the agencies outside the owner that can read the person through it.
REACH_SOURCES: list[Callable[[Person], Iterable[Reach]]] = []
# Each returns the audit events (as a filter) that are reads of the person through it.
READ_SOURCES: list[Callable[[Person], Q]] = []


def who_can_see(person: Person) -> list[Reach]:
    """The owning agency first, then every agency the layers above name."""
    found = [Reach(person.agency.name, _("keeps the record"))]
    for source in REACH_SOURCES:
        found.extend(source(person))
    return found


def who_has_seen(person: Person, limit: int = 30) -> list[AuditEvent]:
    """The latest reads of the person's page and of what the layers above name (their cases), newest first."""
    q = Q(object_type="registry.person", object_id=str(person.pk), action="registry.person.view")
    for source in READ_SOURCES:
        q |= source(person)
    return list(AuditEvent.objects.filter(q).order_by("-at", "-id")[:limit])
