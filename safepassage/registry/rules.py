"""Who may use the risk-index pages."""

from __future__ import annotations

from typing import Any

import rules

from safepassage.accounts.rules import is_system_admin
from safepassage.core.access import viewer_for
from safepassage.core.roles import Role

PERSON_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER, Role.VOLUNTEER)


@rules.predicate
def sees_people(user: Any) -> bool:
    return viewer_for(user).has_role(*PERSON_ROLES)


rules.add_perm("registry.view_people", sees_people)
rules.add_perm("registry.work_in_villages", sees_people)
rules.add_perm("registry.view_alerts", sees_people)
rules.add_perm("registry.edit_catalogue", is_system_admin)
