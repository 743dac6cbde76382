"""Who may use the network directory's pages."""

from __future__ import annotations

from typing import Any

import rules

from safepassage.accounts.rules import _has_role, is_system_admin
from safepassage.network.models import DIRECTORY_ROLES, MAINTAINER_ROLES


@rules.predicate
def is_signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


# Everyone who works with people searches the directory (volunteers need someone to call); analysts and
# partners do not read responders' names.
rules.add_perm("network.view_directory", _has_role(*DIRECTORY_ROLES))
rules.add_perm("network.change_directory", _has_role(*MAINTAINER_ROLES))
# Hotline numbers are public: every signed-in user, whatever their role.
rules.add_perm("network.view_hotlines", is_signed_in)
rules.add_perm("network.change_hotlines", is_system_admin)
