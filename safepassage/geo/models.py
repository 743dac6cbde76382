"""Administrative areas: country → province → district → subdistrict → village."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """The administrative levels, from the top down."""

    COUNTRY = "country", _("Country")
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    SUBDISTRICT = "subdistrict", _("Subdistrict")
    VILLAGE = "village", _("Village")


LEVEL_ORDER: list[str] = [level.value for level in Level]


def parent_level(level: str) -> str | None:
    """The level directly above, or None for a country."""
    index = LEVEL_ORDER.index(level)
    return LEVEL_ORDER[index - 1] if index else None


class Area(models.Model):
    """One administrative area with its official code, names in several languages and optional shape.

    `path` is the chain of codes from the country down ("TH/50/5001/"), so "everything inside an area"
    is one indexed prefix query on any database.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, db_index=True)
    path = models.CharField(max_length=255, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_th = models.CharField(_("name (Thai)"), max_length=200, blank=True)
    names = models.JSONField(
        _("other names"), default=dict, blank=True, help_text=_("Names by language code.")
    )
    centroid_lat = models.FloatField(null=True, blank=True)
    centroid_lon = models.FloatField(null=True, blank=True)
    boundary = models.JSONField(null=True, blank=True, help_text=_("GeoJSON Polygon or MultiPolygon."))

    class Meta:
        ordering = ["path"]
        verbose_name = _("area")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(centroid_lat__isnull=True)
                | models.Q(centroid_lat__gte=-90, centroid_lat__lte=90),
                name="area_lat_range",
            ),
            models.CheckConstraint(
                condition=models.Q(centroid_lon__isnull=True)
                | models.Q(centroid_lon__gte=-180, centroid_lon__lte=180),
                name="area_lon_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def name(self) -> str:
        """The name in the active language, falling back to Thai for Thai speakers, then English."""
        language = get_language() or "en"
        if language == "th" and self.name_th:
            return self.name_th
        return self.names.get(language) or self.name_en

    def contains(self, other: Area) -> bool:
        """True when `other` is this area or lies inside it."""
        return other.path.startswith(self.path)
