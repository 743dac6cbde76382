"""PDF tests need WeasyPrint's Debian libraries and the Noto fonts (core.pdf.DEBIAN_PACKAGES, installed by
.ci/run). Without them: a failure naming what to install under CI=true, else a skip with that reason."""

from __future__ import annotations

import os

import pytest

from safepassage.core import pdf


@pytest.fixture(autouse=True)
def _pdf_tools() -> None:
    reason = pdf.missing()
    if not reason:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"PDFs cannot be drawn on this CI machine: {reason}", pytrace=False)
    pytest.skip(f"PDFs cannot be drawn here: {reason}")
