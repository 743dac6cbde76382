"""Who may use the sin-space pages."""

from __future__ import annotations

import rules

from safepassage.accounts.rules import _has_role
from safepassage.core.roles import Role

rules.add_perm(
    "workplaces.view_workplaces", _has_role(Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER, Role.PARTNER)
)
# The watch list and the recruiters are staff pages: partners never open them (their tabs are not shown).
rules.add_perm("workplaces.view_staff_pages", _has_role(Role.ADMIN, Role.COORDINATOR, Role.CASEWORKER))
