"""Who may review likely duplicates: an agency's coordinators and administrators."""

from __future__ import annotations

from typing import Any

import rules

from safepassage.linkage.services import may_review


@rules.predicate
def reviews_duplicates(user: Any) -> bool:
    return may_review(user)


rules.add_perm("linkage.review_duplicates", reviews_duplicates)
