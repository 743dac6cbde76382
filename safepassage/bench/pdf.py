"""PDF benchmark: how long WeasyPrint takes to draw the risk report's table (core.pdf), by its number of
rows, in Thai (Noto Sans Thai shaped by Pango). No database: the rows are made up, the template and
renderer real."""

from __future__ import annotations

import time

from django.template.loader import render_to_string
from django.utils import timezone, translation

from safepassage.bench import Figure, benchmark


def _html(rows: int) -> str:
    from safepassage.reports import selectors

    table = [
        {
            "village": f"5001{n:04d}",
            "village_name": f"บ้านหนองบัว {n}",
            "n": 20 + n % 50,
            "low": "<11",
            "medium": 12,
            "high": 14 + n % 7,
            "incomplete": 0,
            "mean_index": 61.5,
        }
        for n in range(rows)
    ]
    context = {
        "report": {"rows": table, "perturbed": True},
        "group_by": ["village"],
        "labels": selectors.DIMENSION_LABELS,
        "perturbed": True,
        "generated_at": timezone.now(),
    }
    return render_to_string("reports/pdf/risk.html", context)


@benchmark("pdf", "the risk report's PDF in Thai: seconds to draw by rows, and its size")
def pdf_bench(quick: bool) -> list[Figure]:
    from safepassage.core import pdf

    reason = pdf.missing()
    if reason:
        raise RuntimeError(reason)
    figures = []
    with translation.override("th"):
        pdf.render(_html(1))  # the first drawing loads the fonts: not counted
        for rows in (20, 100) if quick else (20, 200, 1000):
            html = _html(rows)
            start = time.perf_counter()
            body = pdf.render(html)
            seconds = time.perf_counter() - start
            target = "≤ 30 s (gunicorn's timeout)" if rows == 1000 else ""
            figures.append(Figure("pdf", f"{rows} rows: time to draw", seconds, "s", target))
            figures.append(Figure("pdf", f"{rows} rows: size", len(body) / 1024, "KiB"))
    return figures
