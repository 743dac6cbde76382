"""Reading a PDF back as its reader would: does it open, what text does it hold, which fonts are embedded."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader

SCRIPTS = {
    "th": ("Thai", re.compile("[\u0e00-\u0e7f]"), "NotoSansThai"),
    "lo": ("Lao", re.compile("[\u0e80-\u0eff]"), "NotoSansLao"),
    "km": ("Khmer", re.compile("[\u1780-\u17ff]"), "NotoSansKhmer"),
    "my": ("Burmese", re.compile("[\u1000-\u109f]"), "NotoSansMyanmar"),
    "zh-hans": ("Chinese", re.compile("[\u4e00-\u9fff]"), "NotoSansCJKSC"),
}


@dataclass
class Pdf:
    text: str
    pages: int
    fonts: dict[str, bool] = field(default_factory=dict)  # font name (no subset prefix) -> embedded

    def embedded(self, name: str) -> bool:
        return any(name in font and ok for font, ok in self.fonts.items())


def _embedded(font: Any) -> bool:
    font = font.get_object()
    fonts = [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]
    for each in fonts:
        descriptor = each.get("/FontDescriptor")
        if descriptor is None:
            return False
        descriptor = descriptor.get_object()
        if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
            return False
    return True


def read(body: bytes) -> Pdf:
    assert body.startswith(b"%PDF-"), body[:40]
    reader = PdfReader(io.BytesIO(body))
    fonts: dict[str, bool] = {}
    text = []
    for page in reader.pages:
        text.append(page.extract_text() or "")
        resources = page.get("/Resources")
        for font in (resources.get_object().get("/Font", {}) if resources else {}).values():
            base = str(font.get_object().get("/BaseFont", ""))
            name = re.sub(r"^/?([A-Z]{6}\+)?", "", base).replace("-", "").replace(" ", "")
            fonts[name] = fonts.get(name, False) or _embedded(font)
    return Pdf(text="\n".join(text), pages=len(reader.pages), fonts=fonts)


def numbers(text: str) -> list[str]:
    """The whole numbers and "<11"s in a text, in order."""
    return re.findall(r"<11|\d+(?:\.\d+)?", text)
