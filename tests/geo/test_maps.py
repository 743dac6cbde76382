"""Maps offline: tiles from a local MBTiles file, and the area boundaries the workplace map draws when no
tiles load (the browser tests check the drawing: tests/browser/test_workplaces.py, test_risk.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from django.urls import reverse

from safepassage.geo.models import Area
from safepassage.geo.selectors import boundaries_around
from safepassage.testing import World, web_client

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n-a-tile-"


def mbtiles(path: Path, fmt: str = "png") -> Path:
    """A one-tile MBTiles file: zoom 1, column 1, XYZ row 0 (TMS row 1), as the specification lays it out."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE metadata (name text, value text)")
        db.execute(
            "CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob)"
        )
        db.execute("INSERT INTO metadata VALUES ('format', ?)", (fmt,))
        db.execute("INSERT INTO tiles VALUES (1, 1, 1, ?)", (PNG,))
    return path


def test_tiles_come_from_the_mbtiles_file_with_the_row_flipped(world: World, settings, tmp_path):
    settings.MAP_MBTILES = str(mbtiles(tmp_path / "street.mbtiles"))
    client = web_client(world.caseworker_a)
    url = reverse("geo:tile", args=["street", 1, 1, 0])
    assert url == "/areas/tiles/street/1/1/0"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content == PNG
    assert client.get(reverse("geo:tile", args=["street", 1, 1, 1])).status_code == 404  # not in the file
    assert client.get(reverse("geo:tile", args=["street", 1, 5, 0])).status_code == 404  # not on the globe
    assert client.get(reverse("geo:tile", args=["satellite", 1, 1, 0])).status_code == 404  # no file for it
    assert client.get(reverse("geo:tile", args=["other", 1, 1, 0])).status_code == 404


def test_tiles_are_for_those_who_may_see_areas(world: World, settings, tmp_path):
    settings.MAP_MBTILES = str(mbtiles(tmp_path / "street.mbtiles"))
    url = reverse("geo:tile", args=["street", 1, 1, 0])
    assert web_client(None).get(url).status_code == 302  # to sign in
    assert web_client(world.outsider).get(url).status_code == 404  # no agency: no area pages either
    assert web_client(world.volunteer_a).get(url).status_code == 200


def test_jpeg_tiles_say_so(world: World, settings, tmp_path):
    settings.SATELLITE_MBTILES = str(mbtiles(tmp_path / "sat.mbtiles", fmt="jpg"))
    response = web_client(world.caseworker_a).get(reverse("geo:tile", args=["satellite", 1, 1, 0]))
    assert response["Content-Type"] == "image/jpeg"


def test_boundaries_are_the_districts_of_the_provinces_asked_for_and_the_provinces(world: World):
    square = {"type": "Polygon", "coordinates": [[[98, 18], [99, 18], [99, 19], [98, 18]]]}
    Area.objects.filter(code__in=["50", "5001", "5002", "500101"]).update(boundary=square)
    other = Area.objects.create(
        code="51", level="province", path="TH/51/", name_en="Lamphun", boundary=square
    )
    Area.objects.create(
        code="5101", level="district", parent=other, path="TH/51/5101/", name_en="X", boundary=square
    )

    data = boundaries_around({world.village_1.path})
    assert sorted(f["properties"]["code"] for f in data["features"]) == ["50", "5001", "5002"]
    assert data["features"][0]["geometry"] == square
    # With no place to start from: the provinces' outlines.
    assert sorted(f["properties"]["code"] for f in boundaries_around(set())["features"]) == ["50", "51"]


def test_the_workplace_map_data_carries_the_boundaries_when_asked(world: World):
    from safepassage.workplaces import services

    square = {"type": "Polygon", "coordinates": [[[98, 18], [99, 18], [99, 19], [98, 18]]]}
    Area.objects.filter(code__in=["50", "5001"]).update(boundary=square)
    services.workplace_create(
        actor=world.coordinator_a,
        name="Kiln",
        sector="brick_kilns",
        lat=18.5,
        lon=98.5,
        village_code="50010101",
    )
    client = web_client(world.coordinator_a)
    plain = client.get(reverse("workplaces:map_data")).json()
    assert "boundaries" not in plain and len(plain["features"]) == 1
    data = client.get(reverse("workplaces:map_data"), {"boundaries": "1"}).json()
    assert sorted(f["properties"]["code"] for f in data["boundaries"]["features"]) == ["50", "5001"]
