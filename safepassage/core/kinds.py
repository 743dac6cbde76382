"""An entry of a list kept as data that a system administrator edits without a release (R-016, G-07):
workplace sectors (`workplaces.SectorKind`), what responders can help with (`network.ExpertiseKind`)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _lazy


class Kind(models.Model):
    """One obj of a list kept as data: a code (kept for ever), an English name, names per language, an
    order, in use or retired. Retired entries are refused for new records; old records still show them."""

    code = models.SlugField(_lazy("code"), max_length=40, unique=True)
    name = models.CharField(_lazy("name"), max_length=160)
    names = models.JSONField(_lazy("name in other languages"), default=dict, blank=True)
    order = models.PositiveSmallIntegerField(_lazy("order"), default=0)
    active = models.BooleanField(_lazy("in use"), default=True)

    class Meta:
        abstract = True
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.label()

    def label(self, language: str | None = None) -> str:
        lang = (language or get_language() or "en").lower()
        return str(self.names.get(lang) or self.names.get(lang.split("-")[0]) or self.name)


def kind_choices(model: type[Kind]) -> list[tuple[str, str]]:
    """(code, label in the current language) of the entries in use, in their order."""
    return [(k.code, k.label()) for k in model.objects.filter(active=True)]  # type: ignore[attr-defined]


def kind_codes(model: type[Kind], *, active: bool = True) -> list[str]:
    """Codes in their order: only those in use, or (active=False) every code ever listed."""
    rows = model.objects.all()  # type: ignore[attr-defined]
    return list((rows.filter(active=True) if active else rows).values_list("code", flat=True))


def kind_labels(model: type[Kind]) -> dict[str, str]:
    """Every code, retired ones too, to its label in the current language (for showing old records)."""
    return {k.code: k.label() for k in model.objects.all()}  # type: ignore[attr-defined]
