"""PDF tests need WeasyPrint's Debian libraries and the Noto fonts (core.pdf.DEBIAN_PACKAGES, installed by
.ci/run). Without them: a failure naming what to install under CI=true, else a skip with that reason."""

from __future__ import annotations

import pytest

from safepassage.testing import require_pdf_tools


@pytest.fixture(autouse=True)
def _pdf_tools() -> None:
    require_pdf_tools()
