"""Abstract models and the scoped queryset every agency-owned model uses."""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import Http404

from safepassage.core.access import Grant, Viewer, viewer_for
from safepassage.core.roles import DEFAULT_ROLE_ACTIONS, Action

M = TypeVar("M", bound=models.Model)


class TextJSONField(models.JSONField):
    """JSON kept as written: PostgreSQL's `json` type rather than `jsonb` (elsewhere, JSONField as it is).

    For documents that are written in bulk and read back whole, like an assessment's answers: jsonb turns
    every document into its binary form on the way in, which made a survey round's COPY of a million
    assessments take 20 s instead of 12 and the table a third larger. What json gives up: a key lookup
    parses the text each time (so what is read back in bulk is kept in another form too, as an
    assessment's answers are in its sheet of digits), and a json value has no equality, so it cannot be
    filtered on as a whole, grouped or made DISTINCT."""

    def db_type(self, connection: Any) -> str | None:
        return "json" if connection.vendor == "postgresql" else super().db_type(connection)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is not None and not isinstance(value, str):  # (the driver parsed json already)
            return value
        return super().from_db_value(value, expression, connection)


class TimeStamped(models.Model):
    """Created and updated times."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ScopedQuerySet(models.QuerySet[M]):
    """A queryset that knows how to narrow itself to what one user may see or change."""

    def visible_to(self, user: Any, action: str = Action.VIEW) -> ScopedQuerySet[M]:
        """Only the rows this user may perform `action` on: their agencies, roles and areas."""
        viewer = user if isinstance(user, Viewer) else viewer_for(user)
        return self.filter(self.model.scope_q(viewer, action))  # type: ignore[attr-defined]


class AgencyOwned(models.Model):
    """A record that belongs to one agency and is confidential to it unless explicitly shared.

    Subclasses may set AREA_FIELD (the lookup of the area that limits volunteers and area-bound members,
    e.g. "village") and ROLE_ACTIONS (which roles may do what), and override shared_q() for explicit shares.
    """

    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")

    AREA_FIELD: ClassVar[str | None] = None
    ROLE_ACTIONS: ClassVar[dict[str, frozenset[str]]] = DEFAULT_ROLE_ACTIONS

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, viewer: Viewer, action: str) -> Q:
        """The filter for rows `viewer` may perform `action` on; an empty match when there are none."""
        return cls.own_q(viewer, action) | cls.shared_q(viewer, action)

    @classmethod
    def own_q(cls, viewer: Viewer, action: str) -> Q:
        """Rows of the viewer's own agencies they may act on by role and area (no shares)."""
        q = Q(pk__in=[])
        for grant in viewer.grants:
            if action not in cls.ROLE_ACTIONS.get(grant.role, frozenset()):
                continue
            grant_q = Q(agency_id=grant.agency_id) & cls.grant_q(grant)
            if grant.area_limited:
                if cls.AREA_FIELD is None or not grant.area_paths:
                    continue
                area_q = Q(pk__in=[])
                for path in grant.area_paths:
                    area_q |= Q(**{f"{cls.AREA_FIELD}__path__startswith": path})
                grant_q &= area_q
            q |= grant_q
        return q

    @classmethod
    def grant_q(cls, grant: Grant) -> Q:
        """A further limit for one grant (e.g. records volunteers may not see); none by default."""
        return Q()

    @classmethod
    def shared_q(cls, viewer: Viewer, action: str) -> Q:
        """Rows shared with the viewer outside their own agency (referrals, case shares); none by default."""
        return Q(pk__in=[])


def get_for_user(queryset: models.QuerySet[M], user: Any, pk: Any, action: str = Action.VIEW) -> M:
    """One record the user may act on, or 404 whether it is absent or simply not theirs."""
    scoped = queryset.visible_to(user, action)  # type: ignore[attr-defined]
    try:
        return scoped.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


class KeyRecord(models.Model):
    """Which keys the database's sealed values were made with (core.crypto.check_keys): a key id and a proof
    sealed (or, for the blind index, hashed) under it, so start-up with a wrong or missing key stops, naming
    the setting, before anything is read or written. Holds no key."""

    class Purpose(models.TextChoices):
        DATA = "data", "ENCRYPTION_KEYS"
        BLIND = "blind", "BLIND_INDEX_KEY"

    purpose = models.CharField(max_length=8, choices=Purpose.choices)
    key_id = models.CharField(max_length=16)
    proof = models.TextField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["purpose", "key_id"], name="key_record_once")]

    def __str__(self) -> str:
        return f"{self.purpose} key {self.key_id}"
