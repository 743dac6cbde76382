"""A synthetic demo province shaped like Chiang Mai: 25 districts, their subdistricts and villages.

District names are Chiang Mai's; subdistrict and village names are made up from common Northern Thai
place-name parts; codes follow the Thai pattern (province 50, district 5001, subdistrict 500101,
village 50010101).

The shapes are made up too, but placed like real ones: the province is a rough outline of Chiang Mai (about
thirty points); each district grows from a seed at its real district's approximate centre (a power diagram,
a Voronoi tessellation weighted by each district's real area, clipped to the outline); each district is cut
the same way into subdistricts around random seeds, the first near the district town; villages are points
inside their subdistrict, more of them in the valley near the district town than at the edges, each with a
small cell of its own. Every polygon is a closed ring that holds its area's point. The geometry is a few
dozen lines of plain Python: clipping by half-planes (Sutherland-Hodgman) on a local plane in kilometres.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

from safepassage.geo.parsing import AreaRow

# (English name, Thai name, approximate centre (lat, lon), area in km²), in the order of the real codes.
DISTRICT_SHAPES = [
    ("Mueang Chiang Mai", "เมืองเชียงใหม่", (18.79, 98.98), 152),
    ("Chom Thong", "จอมทอง", (18.40, 98.60), 713),
    ("Mae Chaem", "แม่แจ่ม", (18.50, 98.36), 2671),
    ("Chiang Dao", "เชียงดาว", (19.40, 98.93), 1882),
    ("Doi Saket", "ดอยสะเก็ด", (18.95, 99.20), 672),
    ("Mae Taeng", "แม่แตง", (19.15, 98.80), 1362),
    ("Mae Rim", "แม่ริม", (18.95, 98.87), 444),
    ("Samoeng", "สะเมิง", (18.85, 98.66), 882),
    ("Fang", "ฝาง", (19.92, 99.21), 888),
    ("Mae Ai", "แม่อาย", (20.03, 99.30), 737),
    ("Phrao", "พร้าว", (19.37, 99.22), 1107),
    ("San Pa Tong", "สันป่าตอง", (18.59, 98.89), 178),
    ("San Kamphaeng", "สันกำแพง", (18.73, 99.15), 197),
    ("San Sai", "สันทราย", (18.88, 99.04), 282),
    ("Hang Dong", "หางดง", (18.69, 98.85), 300),
    ("Hot", "ฮอด", (18.15, 98.50), 1429),
    ("Doi Tao", "ดอยเต่า", (17.92, 98.72), 812),
    ("Omkoi", "อมก๋อย", (17.72, 98.38), 2107),
    ("Saraphi", "สารภี", (18.69, 99.03), 97),
    ("Wiang Haeng", "เวียงแหง", (19.58, 98.64), 729),
    ("Chai Prakan", "ไชยปราการ", (19.73, 99.13), 512),
    ("Mae Wang", "แม่วาง", (18.61, 98.71), 578),
    ("Mae On", "แม่ออน", (18.86, 99.33), 451),
    ("Doi Lo", "ดอยหล่อ", (18.47, 98.79), 259),
    ("Galyani Vadhana", "กัลยาณิวัฒนา", (19.07, 98.29), 688),
]
DISTRICTS = [(en, th) for en, th, _, _ in DISTRICT_SHAPES]

# A rough outline of Chiang Mai (lat, lon), clockwise from the north-west: the Myanmar border in the north,
# Chiang Rai and Lampang in the east, Lamphun (the Ping valley) and Tak in the south, Mae Hong Son in the
# west.
OUTLINE = [
    (19.75, 98.66),
    (19.77, 98.90),
    (19.95, 99.00),
    (20.07, 99.14),
    (20.12, 99.30),
    (20.05, 99.45),
    (19.90, 99.42),
    (19.70, 99.26),
    (19.55, 99.32),
    (19.35, 99.40),
    (19.15, 99.47),
    (19.02, 99.40),
    (18.90, 99.45),
    (18.78, 99.40),
    (18.65, 99.22),
    (18.62, 99.06),
    (18.55, 98.95),
    (18.45, 98.85),
    (18.30, 98.76),
    (18.12, 98.82),
    (17.90, 98.86),
    (17.68, 98.74),
    (17.48, 98.56),
    (17.33, 98.42),
    (17.48, 98.24),
    (17.80, 98.18),
    (18.10, 98.22),
    (18.45, 98.17),
    (18.80, 98.22),
    (19.05, 98.20),
    (19.18, 98.32),
    (19.20, 98.52),
    (19.48, 98.56),
    (19.70, 98.60),
]
# The province's point: the provincial town.
PROVINCE_POINT = (18.79, 98.98)

FIRST = [
    ("Mae", "แม่"),
    ("San", "สัน"),
    ("Pa", "ป่า"),
    ("Don", "ดอน"),
    ("Nong", "หนอง"),
    ("Thung", "ทุ่ง"),
    ("Huai", "ห้วย"),
    ("Pong", "โป่ง"),
    ("Wiang", "เวียง"),
    ("Doi", "ดอย"),
]
SECOND = [
    ("Sai", "ทราย"),
    ("Kaeo", "แก้ว"),
    ("Luang", "หลวง"),
    ("Mai", "ใหม่"),
    ("Ngam", "งาม"),
    ("Tong", "ตอง"),
    ("Hai", "ไฮ"),
    ("Khong", "โขง"),
    ("Pao", "เปา"),
    ("Phueng", "ผึ้ง"),
    ("Kham", "คำ"),
    ("Ton", "ต้น"),
]

Point = tuple[float, float]  # (x, y) in km on a plane tangent near the provincial town
Polygon = list[Point]

_LAT0, _LON0 = 18.8, 98.9
_KX, _KY = 111.32 * math.cos(math.radians(_LAT0)), 110.57  # km per degree of longitude, of latitude


def to_plane(lat: float, lon: float) -> Point:
    """(lat, lon) as (x, y) km east and north of the reference point."""
    return (lon - _LON0) * _KX, (lat - _LAT0) * _KY


def to_lat_lon(point: Point) -> tuple[float, float]:
    """(x, y) km back to (lat, lon)."""
    return _LAT0 + point[1] / _KY, _LON0 + point[0] / _KX


def area(polygon: Sequence[Point]) -> float:
    """Signed area (shoelace): positive for a counter-clockwise ring."""
    total = 0.0
    for (x1, y1), (x2, y2) in zip(polygon, [*polygon[1:], polygon[0]], strict=True):
        total += x1 * y2 - x2 * y1
    return total / 2


def contains(polygon: Sequence[Point], point: Point) -> bool:
    """Whether `point` is inside `polygon` (even-odd ray casting; the ring may or may not be closed)."""
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(polygon, [*polygon[1:], polygon[0]], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def clip(polygon: Sequence[Point], a: float, b: float, c: float) -> Polygon:
    """The part of `polygon` where a·x + b·y <= c (one Sutherland-Hodgman step)."""
    out: Polygon = []
    if not polygon:
        return out
    previous = polygon[-1]
    previous_in = a * previous[0] + b * previous[1] <= c
    for current in polygon:
        current_in = a * current[0] + b * current[1] <= c
        if current_in != previous_in:
            d_prev = a * previous[0] + b * previous[1] - c
            d_cur = a * current[0] + b * current[1] - c
            t = d_prev / (d_prev - d_cur)
            out.append(
                (previous[0] + t * (current[0] - previous[0]), previous[1] + t * (current[1] - previous[1]))
            )
        if current_in:
            out.append(current)
        previous, previous_in = current, current_in
    return out


def cell(
    region: Sequence[Point], seeds: Sequence[Point], index: int, weights: Sequence[float] = ()
) -> Polygon:
    """The part of `region` nearer to seeds[index] than to any other seed: its (power) Voronoi cell.

    With weights, the cell is where |x - p_i|² - w_i is least, so a seed with a larger weight takes more."""
    px, py = seeds[index]
    wi = weights[index] if weights else 0.0
    polygon = list(region)
    for j, (qx, qy) in enumerate(seeds):
        if j == index:
            continue
        wj = weights[j] if weights else 0.0
        # |x - p|² - wi <= |x - q|² - wj  <=>  2 (q - p) · x <= |q|² - |p|² + wi - wj
        polygon = clip(polygon, 2 * (qx - px), 2 * (qy - py), qx * qx + qy * qy - px * px - py * py + wi - wj)
        if not polygon:
            break
    return polygon


def _ellipse(
    rng: random.Random, centre: Point, radius: float, sides: int = 8
) -> list[tuple[float, float, float]]:
    """The half-planes (a, b, c) of a small convex polygon around `centre`: a regular polygon stretched and
    turned at random, so that no two village cells look alike."""
    stretch = rng.uniform(0.65, 1.0)
    turn = rng.uniform(0, math.pi)
    corners = []
    for k in range(sides):
        angle = 2 * math.pi * k / sides
        u, v = radius * math.cos(angle), radius * stretch * math.sin(angle)
        corners.append(
            (
                centre[0] + u * math.cos(turn) - v * math.sin(turn),
                centre[1] + u * math.sin(turn) + v * math.cos(turn),
            )
        )
    planes = []
    for (x1, y1), (x2, y2) in zip(corners, [*corners[1:], corners[0]], strict=True):
        # Counter-clockwise corners: the inside is to the left of each edge.
        a, b = y2 - y1, -(x2 - x1)
        planes.append((a, b, a * x1 + b * y1))
    return planes


def _bounds(polygon: Sequence[Point]) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in polygon], [p[1] for p in polygon]
    return min(xs), min(ys), max(xs), max(ys)


def edge_distance(polygon: Sequence[Point], point: Point) -> float:
    """The distance from `point` to the nearest edge of `polygon`."""
    best = math.inf
    for (x1, y1), (x2, y2) in zip(polygon, [*polygon[1:], polygon[0]], strict=True):
        dx, dy = x2 - x1, y2 - y1
        length = dx * dx + dy * dy
        t = 0.0 if length == 0 else max(0.0, min(1.0, ((point[0] - x1) * dx + (point[1] - y1) * dy) / length))
        best = min(best, math.dist(point, (x1 + t * dx, y1 + t * dy)))
    return best


def _inside_point(
    rng: random.Random,
    polygon: Sequence[Point],
    keep: float = 1.0,
    near: Point | None = None,
    scale: float = 1.0,
    margin: float = 0.25,
) -> Point | None:
    """A random point inside `polygon`, at least `margin` km from its edges (so that rounding never puts it
    outside); with `near`, kept with a chance that falls with the distance to it (at least `keep`), so
    points gather near `near`."""
    west, south, east, north = _bounds(polygon)
    for _ in range(2000):
        point = (rng.uniform(west, east), rng.uniform(south, north))
        if not contains(polygon, point) or edge_distance(polygon, point) < margin:
            continue
        if near is not None:
            chance = keep + (1 - keep) * math.exp(-math.dist(point, near) / scale)
            if rng.random() > chance:
                continue
        return point
    return None


def _spread(
    rng: random.Random,
    polygon: Sequence[Point],
    count: int,
    taken: list[Point],
    *,
    candidates: int = 6,
    gap: float = 0.0,
    keep: float = 1.0,
    near: Point | None = None,
    scale: float = 1.0,
) -> list[Point]:
    """`count` points inside `polygon`, each the best of a few random candidates (farthest from the points
    already placed), and if it can be at least `gap` km from them, so they spread out without lining up on
    a grid."""
    placed: list[Point] = []
    for _ in range(count):
        best: Point | None = None
        best_gap = -1.0
        for tries in range(40):
            if tries >= candidates and best_gap >= gap:
                break
            point = _inside_point(rng, polygon, keep, near, scale)
            if point is None:
                continue
            nearest = min((math.dist(point, other) for other in taken + placed), default=math.inf)
            if nearest > best_gap:
                best, best_gap = point, nearest
        if best is None:  # a sliver of a polygon: a point on a chord across its middle
            best = _fallback(polygon)
        placed.append(best)
    return placed


def _fallback(polygon: Sequence[Point]) -> Point:
    """A point inside a thin polygon: the middle of the longest chord across the middle of its bounds."""
    west, south, east, north = _bounds(polygon)
    for fraction in (0.5, 0.3, 0.7, 0.2, 0.8, 0.1, 0.9):
        y = south + (north - south) * fraction
        xs = sorted(
            x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            for (x1, y1), (x2, y2) in zip(polygon, [*polygon[1:], polygon[0]], strict=True)
            if (y1 > y) != (y2 > y)
        )
        if len(xs) >= 2:
            return (xs[0] + xs[1]) / 2, y
    return (west + east) / 2, (south + north) / 2


def _geojson(polygon: Sequence[Point]) -> dict[str, Any]:
    """A GeoJSON Polygon (lon, lat), counter-clockwise, closed, without repeated points."""
    ring: list[list[float]] = []
    ordered = list(polygon) if area(polygon) >= 0 else list(reversed(polygon))
    for point in ordered:
        lat, lon = to_lat_lon(point)
        vertex = [round(lon, 5), round(lat, 5)]
        if not ring or vertex != ring[-1]:
            ring.append(vertex)
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring.pop()
    ring.append(list(ring[0]))
    return {"type": "Polygon", "coordinates": [ring]}


def _lat_lon(point: Point) -> tuple[float, float]:
    lat, lon = to_lat_lon(point)
    return round(lat, 5), round(lon, 5)


def _name(rng: random.Random) -> tuple[str, str]:
    (a_en, a_th), (b_en, b_th) = rng.choice(FIRST), rng.choice(SECOND)
    return f"{a_en} {b_en}", a_th + b_th


def province_outline() -> Polygon:
    """The province's outline on the plane, counter-clockwise."""
    outline = [to_plane(lat, lon) for lat, lon in OUTLINE]
    return outline if area(outline) > 0 else outline[::-1]


def district_weights(seeds: Sequence[Point], strength: float = 0.6) -> list[float]:
    """Power-diagram weights from the real districts' areas (a larger district pushes its borders out), all
    scaled down together as far as needed for every seed to stay inside its own cell
    (w_j - w_i < |p - q|²)."""
    sizes = [size / math.pi for _, _, _, size in DISTRICT_SHAPES]
    for i, p in enumerate(seeds):
        for j, q in enumerate(seeds):
            if sizes[j] > sizes[i]:
                strength = min(strength, 0.8 * math.dist(p, q) ** 2 / (sizes[j] - sizes[i]))
    return [strength * size for size in sizes]


def province_rows(*, seed: int = 50, subdistricts: int = 4, villages: int = 6) -> list[AreaRow]:
    """The rows of the demo province: country, province, 25 districts and their subdistricts and villages."""
    rng = random.Random(seed)  # names: drawn in the same order as ever, so they stay the same
    shapes = random.Random(seed * 7919 + 1)  # the geometry's own draws
    outline = province_outline()
    rows = [
        AreaRow(
            row=1,
            code="TH",
            level="country",
            name_en="Thailand",
            name_th="ประเทศไทย",
            names={"lo": "ປະເທດໄທ", "my": "ထိုင်းနိုင်ငံ", "zh-hans": "泰国"},
        ),
        AreaRow(
            row=2,
            code="50",
            level="province",
            parent_code="TH",
            name_en="Chiang Mai",
            name_th="เชียงใหม่",
            names={"zh-hans": "清迈"},
            lat=PROVINCE_POINT[0],
            lon=PROVINCE_POINT[1],
            boundary=_geojson(outline),
        ),
    ]
    seeds = [to_plane(lat, lon) for _, _, (lat, lon), _ in DISTRICT_SHAPES]
    weights = district_weights(seeds)
    for d_index, (d_en, d_th, _, _) in enumerate(DISTRICT_SHAPES):
        d_code = f"50{d_index + 1:02d}"
        town = seeds[d_index]
        d_shape = cell(outline, seeds, d_index, weights)
        d_lat, d_lon = _lat_lon(town)
        rows.append(
            AreaRow(
                row=len(rows) + 1,
                code=d_code,
                level="district",
                parent_code="50",
                name_en=d_en,
                name_th=d_th,
                lat=d_lat,
                lon=d_lon,
                boundary=_geojson(d_shape),
            )
        )
        reach = math.sqrt(abs(area(d_shape)))  # the district's size, km
        # The first subdistrict holds the district town; the others spread over the district, smaller near
        # the town (more of them there) than out at the edges.
        s_seeds = [_inside_point(shapes, d_shape, 0.0, town, reach / 12) or town]
        s_seeds += _spread(
            shapes, d_shape, subdistricts - 1, s_seeds, candidates=2, keep=0.1, near=town, scale=reach / 4
        )
        for s_index in range(subdistricts):
            s_code = f"{d_code}{s_index + 1:02d}"
            s_shape = cell(d_shape, s_seeds, s_index)
            s_lat, s_lon = _lat_lon(s_seeds[s_index])
            s_en, s_th = _name(rng)
            rows.append(
                AreaRow(
                    row=len(rows) + 1,
                    code=s_code,
                    level="subdistrict",
                    parent_code=d_code,
                    name_en=s_en,
                    name_th=s_th,
                    lat=s_lat,
                    lon=s_lon,
                    boundary=_geojson(s_shape),
                )
            )
            # Villages gather in the valley near the district town; a few sit out at the edges.
            points = _spread(
                shapes, s_shape, villages, [], candidates=1, gap=1.5, keep=0.04, near=town, scale=reach / 6
            )
            for v_index, point in enumerate(points):
                v_shape: Polygon = cell(s_shape, points, v_index)
                gap = min((math.dist(point, q) for q in points if q != point), default=3.0)
                for a, b, c in _ellipse(shapes, point, min(1.6, max(0.4, gap * 0.45))):
                    v_shape = clip(v_shape, a, b, c)
                v_en, v_th = _name(rng)
                v_lat, v_lon = _lat_lon(point)
                rows.append(
                    AreaRow(
                        row=len(rows) + 1,
                        code=f"{s_code}{v_index + 1:02d}",
                        level="village",
                        parent_code=s_code,
                        name_en=f"Ban {v_en} (Moo {v_index + 1})",
                        name_th=f"บ้าน{v_th} หมู่ {v_index + 1}",
                        lat=v_lat,
                        lon=v_lon,
                        boundary=_geojson(v_shape),
                    )
                )
    return rows
