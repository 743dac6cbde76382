"""A small printable map of a visit plan: numbered points, drawn as SVG (no tiles, no script)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()
SIZE, PAD = 320, 16


@register.simple_tag
def plan_map(workplaces: Sequence[Any]) -> SafeString:
    """Each workplace with a location as a numbered dot, in the order of the list."""
    points = [
        (n, w.lat, w.lon)
        for n, w in enumerate(workplaces, start=1)
        if w.lat is not None and w.lon is not None
    ]
    if not points:
        return mark_safe("")
    lats = [p[1] for p in points]
    lons = [p[2] for p in points]
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    span = max(north - south, east - west, 1e-4)

    def xy(lat: float, lon: float) -> tuple[str, str]:
        return (
            f"{PAD + (lon - west) / span * (SIZE - 2 * PAD):.1f}",
            f"{SIZE - PAD - (lat - south) / span * (SIZE - 2 * PAD):.1f}",
        )

    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="6" fill="#a4161a"/><text x="{}" y="{}" font-size="10">{}</text>',
        ((*xy(lat, lon), f"{float(xy(lat, lon)[0]) + 8:.1f}", xy(lat, lon)[1], n) for n, lat, lon in points),
    )
    return format_html(
        '<svg class="plan-map" viewBox="0 0 {} {}" role="img" aria-label="map">'
        '<rect width="100%" height="100%" fill="#f6f7f9" stroke="#d8dce3"/>{}</svg>',
        SIZE,
        SIZE,
        dots,
    )
