"""Who may use the import pages: an agency's coordinators and administrators."""

from __future__ import annotations

from typing import Any

import rules

from safepassage.imports.services import may_import


@rules.predicate
def runs_imports(user: Any) -> bool:
    return may_import(user)


rules.add_perm("imports.run_imports", runs_imports)
