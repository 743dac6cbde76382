"""Who may use the network directory's pages."""

from __future__ import annotations

from typing import Any

import rules

from safepassage.accounts.rules import _has_role
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


@rules.predicate
def keeps_help(user: Any) -> bool:
    """The coordination centre keeps the hotlines and minimum wages of the public help page (network.help)."""
    from safepassage.network.help import may_keep

    return bool(getattr(user, "is_authenticated", False)) and may_keep(user)


rules.add_perm("network.change_hotlines", keeps_help)
