"""Which writing system a text is in, for tests that check a page or a form speaks a language."""

from __future__ import annotations

# Unicode blocks of the scripts SafePassage's languages are written in (Vietnamese is in Latin letters:
# tests compare it with the English instead).
SCRIPTS: dict[str, tuple[tuple[int, int], ...]] = {
    "th": ((0x0E00, 0x0E7F),),
    "lo": ((0x0E80, 0x0EFF),),
    "km": ((0x1780, 0x17FF), (0x19E0, 0x19FF)),
    "my": ((0x1000, 0x109F), (0xAA60, 0xAA7F)),
    "zh-hans": ((0x4E00, 0x9FFF), (0x3400, 0x4DBF)),
}


def letters_in_script(text: str, language: str) -> int:
    """How many characters of `text` belong to the script `language` is written in."""
    blocks = SCRIPTS[language]
    return sum(1 for char in text if any(low <= ord(char) <= high for low, high in blocks))


def is_in_script(text: str, language: str) -> bool:
    """True when `text` has letters of the language's script and no Latin letters (an English fallback, or
    English left inside a translation, has some)."""
    latin = sum(1 for char in text if char.isascii() and char.isalpha())
    return letters_in_script(text, language) > 0 and latin == 0


# Words for "illegal" in the seven languages: a person is never illegal, and the texts say "irregular" or name
# what is missing (tests/registry/test_translations.py, tests/test_no_illegal_word.py).
ILLEGAL_WORDS = {
    "en": "illegal",
    "th": "ผิดกฎหมาย",
    "lo": "ຜິດກົດໝາຍ",
    "km": "ខុសច្បាប់",
    "my": "တရားမဝင်",
    "vi": "bất hợp pháp",
    "zh-hans": "非法",
}
