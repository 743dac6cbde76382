"""A stacked bar of the risk bands, drawn as SVG so it needs no script and no inline style."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()
COLOURS = [("low", "#2b7a0b"), ("medium", "#d4a017"), ("high", "#a4161a"), ("incomplete", "#8a8f98")]


@register.simple_tag
def band_bar(row: dict[str, Any]) -> SafeString:
    """Bands as shares of their sum (perturbed counts need not add up to the row's total); nothing when a
    band is hidden ("<11")."""
    counts = [row.get(b) for b, _ in COLOURS]
    if any(not isinstance(c, int) or isinstance(c, bool) for c in counts):
        return mark_safe("")
    total = sum(int(c or 0) for c in counts)
    if not total:
        return mark_safe("")
    x = 0.0
    parts = []
    for band, colour in COLOURS:
        width = 100 * (row.get(band) or 0) / total
        parts.append((f"{x:.2f}", f"{width:.2f}", colour))
        x += width
    rects = format_html_join("", '<rect x="{}" y="0" width="{}" height="10" fill="{}"/>', parts)
    return format_html(
        '<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">{}</svg>', rects
    )


@register.filter
def get(row: dict[str, Any], key: str) -> Any:
    """row|get:"district_name"."""
    return row.get(key)


@register.simple_tag(takes_context=True)
def sees_documentation(context: dict[str, Any]) -> bool:
    """Whether the reader gets the documentation report (never through an enforcement agency alone)."""
    from safepassage.reports.documentation import may_see

    request = context.get("request")
    return request is not None and may_see(request.user)
