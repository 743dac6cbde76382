"""Who may see aggregates."""

from __future__ import annotations

from typing import Any

import rules

from safepassage.reports.selectors import may_report


@rules.predicate
def sees_reports(user: Any) -> bool:
    return may_report(user)


rules.add_perm("reports.view_reports", sees_reports)
