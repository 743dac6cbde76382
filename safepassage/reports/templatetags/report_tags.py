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
    """Bands as shares of the row's total; nothing when the row is suppressed."""
    total = row.get("n")
    if not total or any(row.get(b) is None for b, _ in COLOURS):
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
