"""Template helpers shared by every page."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context: dict[str, Any], number: int, param: str = "") -> str:
    """The current URL's query string with another page number, keeping every filter. `param` names the
    page number's parameter when a page has two lists, each with its own pages ("page" by default)."""
    query = context["request"].GET.copy()
    query[param or "page"] = number
    return "?" + query.urlencode()
