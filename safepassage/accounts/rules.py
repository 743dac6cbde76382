"""Object rules as `rules` predicates: what a user may do with an agency or an agency's record."""

from __future__ import annotations

from typing import Any

import rules

from safepassage.core.access import viewer_for
from safepassage.core.roles import Role


def _agency_id(obj: Any) -> int | None:
    if obj is None:
        return None
    if hasattr(obj, "agency_id"):
        return obj.agency_id
    return getattr(obj, "pk", None)


def _has_role(*roles: str) -> Any:
    @rules.predicate
    def predicate(user: Any, obj: Any = None) -> bool:
        viewer = viewer_for(user)
        if obj is None:
            return viewer.has_role(*roles)
        return viewer.has_role(*roles, agency_id=_agency_id(obj))

    predicate.name = "has_role_" + "_or_".join(roles)
    return predicate


is_agency_admin = _has_role(Role.ADMIN)
is_coordinator = _has_role(Role.COORDINATOR, Role.ADMIN)
is_caseworker = _has_role(Role.CASEWORKER, Role.COORDINATOR, Role.ADMIN)
is_volunteer = _has_role(Role.VOLUNTEER)
is_analyst = _has_role(Role.ANALYST, Role.COORDINATOR, Role.ADMIN)
is_member = _has_role(*Role.values)


@rules.predicate
def is_system_admin(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active)


rules.add_perm("accounts.manage_members", is_agency_admin)
rules.add_perm("audit.view_trail", is_agency_admin)
rules.add_perm("geo.view_areas", is_member | is_system_admin)
