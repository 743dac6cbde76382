"""Who may use the safe-migration pages."""

from __future__ import annotations

from typing import Any

import rules

from safepassage.core.access import viewer_for
from safepassage.core.roles import Role


@rules.predicate
def works_channels(user: Any) -> bool:
    """Committee members at either end: staff and village volunteers."""
    return viewer_for(user).has_role(Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER, Role.VOLUNTEER)


@rules.predicate
def reads_migration_reports(user: Any) -> bool:
    return viewer_for(user).has_role(Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER, Role.ANALYST)


rules.add_perm("migration.view_channels", works_channels)
rules.add_perm("migration.view_reports", reads_migration_reports)
