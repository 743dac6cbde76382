"""Map tiles from a local MBTiles file (a SQLite database of tiles), for offices with no tile server.

`MAP_MBTILES` (street) and `SATELLITE_MBTILES` (satellite) name .mbtiles files on the server; when set, the
maps load their tiles from `/areas/tiles/<layer>/<z>/<x>/<y>` instead of the internet (settings.py). Raster
tiles only (PNG, JPEG or WebP). MBTiles stores rows bottom-up (TMS), so the row asked for is flipped.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

FILES = {"street": "MAP_MBTILES", "satellite": "SATELLITE_MBTILES"}
TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}


def tile_bytes(path: Path, z: int, x: int, y: int) -> tuple[bytes, str] | None:
    """The tile at zoom z, column x, row y (XYZ, top-down) and its content type, or None."""
    if not 0 <= z <= 24 or not (0 <= x < 2**z and 0 <= y < 2**z):
        return None
    # Read-only and never created: a missing file is an error, not an empty database.
    with sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True) as db:
        row = db.execute(
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
            (z, x, 2**z - 1 - y),
        ).fetchone()
        if row is None:
            return None
        found = db.execute("SELECT value FROM metadata WHERE name = 'format'").fetchone()
    kind = TYPES.get(str(found[0]).lower() if found else "png")
    return (bytes(row[0]), kind) if kind else None


@require_GET
@login_required
def tile(request: HttpRequest, layer: str, z: int, x: int, y: int) -> HttpResponse:
    """One tile of a configured MBTiles file, for those who may see areas (as the area pages); 404 when the
    layer has no file or the tile is not in it."""
    if not request.user.has_perm("geo.view_areas"):
        raise Http404
    name = getattr(settings, FILES.get(layer, ""), "") if layer in FILES else ""
    if not name:
        raise Http404
    found = tile_bytes(Path(name), z, x, y)
    if found is None:
        raise Http404
    response = HttpResponse(found[0], content_type=found[1])
    response["Cache-Control"] = "private, max-age=86400"
    return response
