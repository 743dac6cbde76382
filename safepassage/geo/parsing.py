"""Reading area files (CSV and GeoJSON) into plain rows, noting every problem with its row and column."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from safepassage.core.importing import RowError
from safepassage.geo.models import LEVEL_ORDER, chain_for, level_label

CODE_RE = re.compile(r"^[A-Za-z0-9._-]{1,32}$")
OTHER_LANGUAGES = ("lo", "km", "my", "vi", "zh-hans")
REQUIRED_COLUMNS = ("code", "level", "name_en")
MAX_NAME = 200


@dataclass
class AreaRow:
    """One area as read from a file, before it is checked against the tree."""

    row: int
    code: str
    level: str
    name_en: str
    parent_code: str = ""
    name_th: str = ""
    names: dict[str, str] = field(default_factory=dict)
    lat: float | None = None
    lon: float | None = None
    boundary: dict[str, Any] | None = None


def _number(
    value: str, row: int, column: str, low: float, high: float, errors: list[RowError]
) -> float | None:
    if value in ("", None):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        errors.append(RowError(row, column, _("%(value)r is not a number") % {"value": value}))
        return None
    if not low <= number <= high:
        errors.append(
            RowError(
                row,
                column,
                _("%(value)s is outside %(low)s to %(high)s") % {"value": number, "low": low, "high": high},
            )
        )
        return None
    return number


def _geometry(geometry: Any, row: int, column: str, errors: list[RowError]) -> dict[str, Any] | None:
    if geometry in (None, ""):
        return None
    if isinstance(geometry, str):
        try:
            geometry = json.loads(geometry)
        except json.JSONDecodeError:
            errors.append(RowError(row, column, _("not valid GeoJSON")))
            return None
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon", "Point"):
        errors.append(RowError(row, column, _("expected a GeoJSON Polygon, MultiPolygon or Point")))
        return None
    coords = geometry.get("coordinates")
    if not isinstance(coords, list) or not coords:
        errors.append(RowError(row, column, _("the geometry has no coordinates")))
        return None
    return geometry


def _outer_ring(geometry: dict[str, Any]) -> list[list[float]]:
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"][0])
    return [point for polygon in geometry["coordinates"] for point in polygon[0]]


def centroid(geometry: dict[str, Any]) -> tuple[float, float] | None:
    """A simple centre (mean of the outer ring's vertices) for placing a label; (lat, lon)."""
    if geometry["type"] == "Point":
        lon, lat = geometry["coordinates"][:2]
        return float(lat), float(lon)
    ring = _outer_ring(geometry)
    if ring and ring[0] == ring[-1]:
        ring = ring[:-1]
    if not ring:
        return None
    return sum(p[1] for p in ring) / len(ring), sum(p[0] for p in ring) / len(ring)


def row_from_mapping(
    number: int, data: dict[str, Any], geometry: Any = None
) -> tuple[AreaRow | None, list[RowError]]:
    """One area from a CSV row or a GeoJSON feature's properties."""
    errors: list[RowError] = []

    def text(name: str) -> str:
        value = data.get(name)
        return "" if value is None else str(value).strip()

    code, level, name_en = text("code"), text("level").lower(), text("name_en")
    if not code:
        errors.append(RowError(number, "code", _("is empty")))
    elif not CODE_RE.match(code):
        errors.append(
            RowError(
                number,
                "code",
                _("%(code)r may hold only letters, digits, '.', '_' and '-' (at most 32)") % {"code": code},
            )
        )
    if level not in LEVEL_ORDER:
        errors.append(
            RowError(
                number,
                "level",
                _("%(level)r is not one of %(levels)s") % {"level": level, "levels": ", ".join(LEVEL_ORDER)},
            )
        )
    if not name_en:
        errors.append(RowError(number, "name_en", _("is empty")))
    names = {lang: text(f"name_{lang}") for lang in OTHER_LANGUAGES if text(f"name_{lang}")}
    names.update(
        {
            lang: text(f"name_{lang.replace('-', '_')}")
            for lang in OTHER_LANGUAGES
            if text(f"name_{lang.replace('-', '_')}")
        }
    )
    for column, value in [("name_en", name_en), ("name_th", text("name_th"))] + [
        (f"name_{k}", v) for k, v in names.items()
    ]:
        if len(value) > MAX_NAME:
            errors.append(
                RowError(number, column, _("is longer than %(max)d characters") % {"max": MAX_NAME})
            )
    lat = _number(text("lat"), number, "lat", -90, 90, errors)
    lon = _number(text("lon"), number, "lon", -180, 180, errors)
    boundary_source = geometry if geometry is not None else data.get("boundary")
    column = "geometry" if geometry is not None else "boundary"
    boundary = _geometry(boundary_source, number, column, errors)
    if boundary is not None and boundary["type"] == "Point":
        if lat is None and lon is None:
            lat, lon = centroid(boundary) or (None, None)
        boundary = None
    elif boundary is not None and lat is None and lon is None:
        lat, lon = centroid(boundary) or (None, None)
    if errors:
        return None, errors
    return AreaRow(
        row=number,
        code=code,
        level=level,
        name_en=name_en,
        parent_code=text("parent_code"),
        name_th=text("name_th"),
        names=names,
        lat=lat,
        lon=lon,
        boundary=boundary,
    ), []


def read_csv(text: str) -> tuple[list[AreaRow], list[RowError]]:
    """Rows of an areas CSV (header row 1; columns code, parent_code, level, name_en, name_th, name_lo, …)."""
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        return [], [RowError(1, c, _("required column is missing")) for c in missing]
    reader.fieldnames = header
    rows: list[AreaRow] = []
    errors: list[RowError] = []
    for index, data in enumerate(reader, start=2):
        if not any((v or "").strip() for v in data.values() if isinstance(v, str)):
            continue  # blank line
        area, problems = row_from_mapping(index, data)
        errors.extend(problems)
        if area:
            rows.append(area)
    return rows, errors


def read_geojson(text: str) -> tuple[list[AreaRow], list[RowError]]:
    """Areas from a GeoJSON FeatureCollection; feature N is reported as row N."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [RowError(exc.lineno, "-", _("not valid JSON: %(msg)s") % {"msg": exc.msg})]
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        return [], [RowError(1, "type", _("expected a GeoJSON FeatureCollection"))]
    rows: list[AreaRow] = []
    errors: list[RowError] = []
    for index, feature in enumerate(document.get("features") or [], start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(properties, dict):
            errors.append(RowError(index, "properties", _("the feature has no properties")))
            continue
        area, problems = row_from_mapping(index, properties, feature.get("geometry"))
        errors.extend(problems)
        if area:
            rows.append(area)
    return rows, errors


def read_file(path: Path) -> tuple[list[AreaRow], list[RowError]]:
    """Read a .csv, .geojson or .json file of areas."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [RowError(1, "-", _("the file is not UTF-8 text (byte %(pos)d)") % {"pos": exc.start})]
    if path.suffix.lower() in (".geojson", ".json"):
        return read_geojson(text)
    return read_csv(text)


def _names(levels: Iterable[str]) -> str:
    return " › ".join(level_label(level) for level in levels)


def countries_of(rows: Iterable[AreaRow], existing: dict[str, tuple[str, str, str]]) -> dict[str, str]:
    """The country (the code at the root of the tree) of each row, through its parents in the file or in the
    database; "" when the chain up is broken (a missing parent is reported by `check_tree`)."""
    by_code = {row.code: row for row in rows}
    found: dict[str, str] = {}

    def root(code: str, depth: int = 0) -> str:
        if code in found:
            return found[code]
        if depth > 20:  # a loop of parents
            return ""
        row = by_code.get(code)
        if row is None:
            return existing[code][2] if code in existing else ""
        if row.level == "country":
            return row.code.upper()
        return root(row.parent_code, depth + 1) if row.parent_code else ""

    for code in by_code:
        found[code] = root(code)
    return found


def check_tree(rows: Iterable[AreaRow], existing: dict[str, tuple[str, str, str]]) -> list[RowError]:
    """Problems with how the rows fit the tree: duplicate codes, missing parents, levels that are not the
    country's or out of its order. Each country has its own chain of levels (models.CHAINS).

    `existing` maps codes already in the database to (level, parent code, country code).
    """
    errors: list[RowError] = []
    seen: dict[str, AreaRow] = {}
    for area in rows:
        if area.code in seen:
            errors.append(
                RowError(
                    area.row,
                    "code",
                    _("%(code)s appears twice (first on row %(first)d)")
                    % {"code": area.code, "first": seen[area.code].row},
                )
            )
            continue
        seen[area.code] = area
    countries = countries_of(seen.values(), existing)
    for area in seen.values():
        country = countries.get(area.code, "")
        chain = chain_for(country)
        if area.level == "country":
            if area.parent_code:
                errors.append(RowError(area.row, "parent_code", _("a country has no parent")))
        elif not area.parent_code:
            errors.append(
                RowError(
                    area.row,
                    "parent_code",
                    _("is empty; a %(level)s needs a parent") % {"level": level_label(area.level)},
                )
            )
        else:
            parent_level = (
                seen[area.parent_code].level
                if area.parent_code in seen
                else (existing[area.parent_code][0] if area.parent_code in existing else None)
            )
            if parent_level is None:
                errors.append(
                    RowError(
                        area.row,
                        "parent_code",
                        _("%(code)s is not in the file or the database") % {"code": area.parent_code},
                    )
                )
            elif area.level not in chain:
                errors.append(
                    RowError(
                        area.row,
                        "level",
                        _("%(country)s has no %(level)s level; its levels are %(levels)s")
                        % {
                            "country": country or "-",
                            "level": level_label(area.level),
                            "levels": _names(chain),
                        },
                    )
                )
            elif parent_level != chain[chain.index(area.level) - 1]:
                errors.append(
                    RowError(
                        area.row,
                        "level",
                        _(
                            "in %(country)s a %(level)s must sit under a %(expected)s, but %(parent)s is a "
                            "%(actual)s (levels: %(levels)s)"
                        )
                        % {
                            "country": country or "-",
                            "level": level_label(area.level),
                            "expected": level_label(chain[chain.index(area.level) - 1]),
                            "parent": area.parent_code,
                            "actual": level_label(parent_level),
                            "levels": _names(chain),
                        },
                    )
                )
        if area.code in existing:
            old_level, old_parent, _country = existing[area.code]
            if (old_level, old_parent) != (area.level, area.parent_code):
                errors.append(
                    RowError(
                        area.row,
                        "code",
                        _("%(code)s already exists as a %(level)s under %(parent)s; an import cannot move it")
                        % {"code": area.code, "level": old_level, "parent": old_parent or "-"},
                    )
                )
    return errors
