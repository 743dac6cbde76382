"""Who may use the export pages: administrators, coordinators and analysts (services.MAKERS)."""

from __future__ import annotations

from typing import Any

import rules

from safepassage.exports.services import may_export


@rules.predicate
def makes_exports(user: Any) -> bool:
    return may_export(user)


rules.add_perm("exports.make_exports", makes_exports)
