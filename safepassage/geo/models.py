"""Administrative areas, each country with its own levels (Thailand: country → province → district →
subdistrict → village; see `CHAINS`)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """The administrative levels of every country we know, each country's chain taken from `CHAINS`."""

    COUNTRY = "country", _("Country")
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    SUBDISTRICT = "subdistrict", _("Subdistrict")
    VILLAGE = "village", _("Village")
    STATE_REGION = "state_region", _("State or region")
    PREFECTURE = "prefecture", _("Prefecture")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township")
    COMMUNE = "commune", _("Commune")
    VILLAGE_TRACT = "village_tract", _("Village tract")


# Each country's levels from the top down, keyed by ISO country code (the code at the root of an area's
# path). A village is the bottom of every chain. A country not listed here has the Thai chain.
THAI_CHAIN: tuple[str, ...] = (
    Level.COUNTRY,
    Level.PROVINCE,
    Level.DISTRICT,
    Level.SUBDISTRICT,
    Level.VILLAGE,
)
CHAINS: dict[str, tuple[str, ...]] = {
    "TH": THAI_CHAIN,
    "CN": (Level.COUNTRY, Level.PROVINCE, Level.PREFECTURE, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE),
    "LA": (Level.COUNTRY, Level.PROVINCE, Level.DISTRICT, Level.VILLAGE),
    "KH": (Level.COUNTRY, Level.PROVINCE, Level.DISTRICT, Level.COMMUNE, Level.VILLAGE),
    "MM": (
        Level.COUNTRY,
        Level.STATE_REGION,
        Level.DISTRICT,
        Level.TOWNSHIP,
        Level.VILLAGE_TRACT,
        Level.VILLAGE,
    ),
}
CHAINS = {country: tuple(str(level) for level in chain) for country, chain in CHAINS.items()}
THAI_CHAIN = CHAINS["TH"]

# Every level, parents before children whatever the country (the Thai levels first, as before).
LEVEL_ORDER: list[str] = [level.value for level in Level]


def chain_for(country: str) -> tuple[str, ...]:
    """The levels of `country` from the top down (the Thai chain for a country not listed)."""
    return CHAINS.get((country or "").strip().upper(), THAI_CHAIN)


def country_of(path: str) -> str:
    """The country code at the root of an area's path ("LA/LA01/" → "LA")."""
    return path.split("/", 1)[0].upper() if path else ""


def level_label(level: str) -> str:
    """The level's name in the active language ("village_tract" → "Village tract")."""
    try:
        return str(Level(level).label)
    except ValueError:
        return level


def parent_level(level: str, country: str = "") -> str | None:
    """The level directly above in `country`'s chain (Thai when none is said), or None for a country.
    ValueError when the level is not one of that country's."""
    chain = chain_for(country)
    index = chain.index(level)
    return chain[index - 1] if index else None


def child_level(level: str, country: str = "") -> str | None:
    """The level directly below in `country`'s chain, or None for a village."""
    chain = chain_for(country)
    index = chain.index(level)
    return chain[index + 1] if index + 1 < len(chain) else None


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
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, db_index=True)
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

    @property
    def country_code(self) -> str:
        """The ISO code of the country the area lies in: the root of its path."""
        return country_of(self.path)

    @property
    def levels(self) -> tuple[str, ...]:
        """The levels of the area's country, from the top down."""
        return chain_for(self.country_code)

    @property
    def level_name(self) -> str:
        return level_label(self.level)

    @property
    def child_level_name(self) -> str:
        """The name of the level below this one in its country ("" for a village)."""
        try:
            below = child_level(self.level, self.country_code)
        except ValueError:
            return ""
        return level_label(below) if below else ""

    def contains(self, other: Area) -> bool:
        """True when `other` is this area or lies inside it."""
        return other.path.startswith(self.path)
