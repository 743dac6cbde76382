"""Who may use the case pages."""

from __future__ import annotations

from typing import Any

import rules

from safepassage.core.access import viewer_for
from safepassage.core.roles import Role

LESSON_ROLES = (Role.COORDINATOR, Role.ANALYST)


@rules.predicate
def works_cases(user: Any) -> bool:
    return viewer_for(user).has_role(Role.COORDINATOR, Role.CASEWORKER)


@rules.predicate
def takes_reports(user: Any) -> bool:
    """Staff take calls; volunteers send notifications from their villages."""
    return viewer_for(user).has_role(Role.COORDINATOR, Role.CASEWORKER, Role.VOLUNTEER)


@rules.predicate
def reads_lessons(user: Any) -> bool:
    return viewer_for(user).has_role(*LESSON_ROLES)


rules.add_perm("cases.view_cases", works_cases)
rules.add_perm("cases.view_intake", takes_reports)
rules.add_perm("cases.view_lessons", reads_lessons)
