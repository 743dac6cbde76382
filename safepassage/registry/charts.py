"""Small server-drawn SVG charts: no JavaScript, no CDN, readable on any phone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH, HEIGHT, PAD = 320, 140, 28
BAND_COLOURS = {"low": "#2b7a0b", "medium": "#9a6700", "high": "#a4161a", "incomplete": "#8a8f98"}


def history_svg(assessments: Sequence[Any]) -> SafeString:
    """A person's risk index over time: one dot per assessment, coloured by band, bands shaded behind."""
    points = [a for a in assessments if a.index is not None]
    if not points:
        return mark_safe("")
    first, last = points[0].assessed_on.toordinal(), points[-1].assessed_on.toordinal()
    span = max(last - first, 1)

    def x(a: Any) -> float:
        if len(points) == 1:
            return WIDTH / 2
        return PAD + (a.assessed_on.toordinal() - first) / span * (WIDTH - 2 * PAD)

    def y(value: float) -> float:
        return HEIGHT - PAD + (-(value / 100) * (HEIGHT - 2 * PAD))

    line = " ".join(f"{x(a):.1f},{y(a.index):.1f}" for a in points)
    bands = format_html(
        '<rect x="{}" y="{}" width="{}" height="{}" fill="#fde8e8"/>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="#fff8e1"/>',
        PAD,
        y(100),
        WIDTH - 2 * PAD,
        y(66) - y(100),
        PAD,
        y(66),
        WIDTH - 2 * PAD,
        y(34) - y(66),
    )
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="5" fill="{}"><title>{}: {} ({})</title></circle>',
        (
            (
                f"{x(a):.1f}",
                f"{y(a.index):.1f}",
                BAND_COLOURS.get(a.band, "#333"),
                a.assessed_on.isoformat(),
                a.index,
                _(a.band),
            )
            for a in points
        ),
    )
    labels = format_html(
        '<text x="2" y="{}" font-size="10">100</text><text x="2" y="{}" font-size="10">0</text>'
        '<text x="{}" y="{}" font-size="10">{}</text>'
        '<text x="{}" y="{}" font-size="10" text-anchor="end">{}</text>',
        f"{y(100) + 4:.0f}",
        f"{y(0) + 4:.0f}",
        PAD,
        HEIGHT - 6,
        points[0].assessed_on.isoformat(),
        WIDTH - PAD,
        HEIGHT - 6,
        points[-1].assessed_on.isoformat(),
    )
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}">{}'
        '<polyline points="{}" fill="none" '
        'stroke="#0b5cad" stroke-width="2"/>{}{}</svg>',
        WIDTH,
        HEIGHT,
        _("Risk index over time"),
        bands,
        line,
        dots,
        labels,
    )
