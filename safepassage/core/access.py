"""Who a user is for scoping: their agencies, roles and covered areas, read once per request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from safepassage.core.roles import Role


@dataclass(frozen=True)
class Grant:
    """One active membership: an agency, a role in it, and the area paths it is limited to (empty = all)."""

    agency_id: int
    role: str
    area_paths: tuple[str, ...] = ()

    @property
    def area_limited(self) -> bool:
        """Volunteers always work inside their areas; other roles only when their membership names areas."""
        return self.role == Role.VOLUNTEER or bool(self.area_paths)


@dataclass(frozen=True)
class Viewer:
    """Everything scoping needs to know about a user, without touching their models again."""

    user_id: int | None
    is_superuser: bool = False
    grants: tuple[Grant, ...] = field(default_factory=tuple)

    def roles_in(self, agency_id: int | None) -> set[str]:
        """The roles this viewer holds in one agency."""
        return {g.role for g in self.grants if g.agency_id == agency_id}

    def has_role(self, *roles: str, agency_id: int | None = None) -> bool:
        """Holds any of these roles, in the given agency or in any."""
        return any(g.role in roles and (agency_id is None or g.agency_id == agency_id) for g in self.grants)

    @property
    def agency_ids(self) -> set[int]:
        """Every agency the viewer belongs to."""
        return {g.agency_id for g in self.grants}


ANONYMOUS = Viewer(user_id=None)
_CACHE_ATTR = "_safepassage_viewer"


def viewer_for(user: Any) -> Viewer:
    """The viewer for a user, cached on the user object for the rest of the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    grants = []
    # The relation names are the accounts app's; core reads them without importing it.
    memberships = user.memberships.filter(active=True, agency__active=True).prefetch_related("areas")
    for membership in memberships:
        paths = tuple(sorted(area.path for area in membership.areas.all()))
        grants.append(Grant(agency_id=membership.agency_id, role=membership.role, area_paths=paths))
    viewer = Viewer(user_id=user.pk, is_superuser=user.is_superuser, grants=tuple(grants))
    setattr(user, _CACHE_ATTR, viewer)
    return viewer


def forget_viewer(user: Any) -> None:
    """Drop the cached viewer after the user's memberships change."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
