"""A synthetic demo province shaped like Chiang Mai: 25 districts, their subdistricts and villages.

District names are Chiang Mai's; subdistrict and village names are made up from common Northern Thai
place-name parts; codes follow the Thai pattern (province 50, district 5001, subdistrict 500101,
village 50010101); boundaries are simple rectangles tiling the province's rough bounding box.
"""

from __future__ import annotations

import random

from safepassage.geo.parsing import AreaRow

DISTRICTS = [
    ("Mueang Chiang Mai", "เมืองเชียงใหม่"),
    ("Chom Thong", "จอมทอง"),
    ("Mae Chaem", "แม่แจ่ม"),
    ("Chiang Dao", "เชียงดาว"),
    ("Doi Saket", "ดอยสะเก็ด"),
    ("Mae Taeng", "แม่แตง"),
    ("Mae Rim", "แม่ริม"),
    ("Samoeng", "สะเมิง"),
    ("Fang", "ฝาง"),
    ("Mae Ai", "แม่อาย"),
    ("Phrao", "พร้าว"),
    ("San Pa Tong", "สันป่าตอง"),
    ("San Kamphaeng", "สันกำแพง"),
    ("San Sai", "สันทราย"),
    ("Hang Dong", "หางดง"),
    ("Hot", "ฮอด"),
    ("Doi Tao", "ดอยเต่า"),
    ("Omkoi", "อมก๋อย"),
    ("Saraphi", "สารภี"),
    ("Wiang Haeng", "เวียงแหง"),
    ("Chai Prakan", "ไชยปราการ"),
    ("Mae Wang", "แม่วาง"),
    ("Mae On", "แม่ออน"),
    ("Doi Lo", "ดอยหล่อ"),
    ("Galyani Vadhana", "กัลยาณิวัฒนา"),
]
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

# A rough bounding box for the province (lat 17.2-20.1, lon 98.0-99.6), split 5 × 5 into districts.
SOUTH, NORTH, WEST, EAST = 17.25, 20.05, 98.05, 99.55


def _box(south: float, west: float, north: float, east: float) -> dict[str, object]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [[[round(x, 5), round(y, 5)] for x, y in ring]]}


def _name(rng: random.Random) -> tuple[str, str]:
    (a_en, a_th), (b_en, b_th) = rng.choice(FIRST), rng.choice(SECOND)
    return f"{a_en} {b_en}", a_th + b_th


def province_rows(*, seed: int = 50, subdistricts: int = 4, villages: int = 6) -> list[AreaRow]:
    """The rows of the demo province: country, province, 25 districts and their subdistricts and villages."""
    rng = random.Random(seed)
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
            lat=(SOUTH + NORTH) / 2,
            lon=(WEST + EAST) / 2,
            boundary=_box(SOUTH, WEST, NORTH, EAST),
        ),
    ]
    d_height, d_width = (NORTH - SOUTH) / 5, (EAST - WEST) / 5
    s_cols = 2
    s_rows = (subdistricts + s_cols - 1) // s_cols
    v_cols = 3
    v_rows = (villages + v_cols - 1) // v_cols
    for d_index, (d_en, d_th) in enumerate(DISTRICTS):
        d_code = f"50{d_index + 1:02d}"
        d_south = NORTH - (d_index // 5 + 1) * d_height
        d_west = WEST + (d_index % 5) * d_width
        rows.append(
            AreaRow(
                row=len(rows) + 1,
                code=d_code,
                level="district",
                parent_code="50",
                name_en=d_en,
                name_th=d_th,
                lat=d_south + d_height / 2,
                lon=d_west + d_width / 2,
                boundary=_box(d_south, d_west, d_south + d_height, d_west + d_width),
            )
        )
        s_height, s_width = d_height / s_rows, d_width / s_cols
        for s_index in range(subdistricts):
            s_code = f"{d_code}{s_index + 1:02d}"
            s_south = d_south + (s_index // s_cols) * s_height
            s_west = d_west + (s_index % s_cols) * s_width
            s_en, s_th = _name(rng)
            rows.append(
                AreaRow(
                    row=len(rows) + 1,
                    code=s_code,
                    level="subdistrict",
                    parent_code=d_code,
                    name_en=s_en,
                    name_th=s_th,
                    lat=s_south + s_height / 2,
                    lon=s_west + s_width / 2,
                    boundary=_box(s_south, s_west, s_south + s_height, s_west + s_width),
                )
            )
            v_height, v_width = s_height / v_rows, s_width / v_cols
            for v_index in range(villages):
                v_south = s_south + (v_index // v_cols) * v_height
                v_west = s_west + (v_index % v_cols) * v_width
                v_en, v_th = _name(rng)
                rows.append(
                    AreaRow(
                        row=len(rows) + 1,
                        code=f"{s_code}{v_index + 1:02d}",
                        level="village",
                        parent_code=s_code,
                        name_en=f"Ban {v_en} (Moo {v_index + 1})",
                        name_th=f"บ้าน{v_th} หมู่ {v_index + 1}",
                        lat=v_south + v_height / 2,
                        lon=v_west + v_width / 2,
                        boundary=_box(v_south, v_west, v_south + v_height, v_west + v_width),
                    )
                )
    return rows
