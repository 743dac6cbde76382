"""The prevention summary on a person's page (registry's person page loads it): what they received, and the
package rules their help breaks (R-074)."""

from __future__ import annotations

from typing import Any

from django import template

from safepassage.prevention.package import person_package

register = template.Library()


@register.inclusion_tag("prevention/_person_summary.html")
def prevention_summary(person: Any) -> dict[str, Any]:
    """The caller has already decided the viewer sees this person (the person page is scoped and audited)."""
    found = person_package(person)
    return {
        "person": person,
        "package": found,
        "latest": found.deliveries[:3],
        "count": len(found.deliveries),
    }
