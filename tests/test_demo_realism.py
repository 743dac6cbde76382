"""The demo looks like a province (issue 19, item 7): areas shaped and placed like real ones, workplaces
scattered near villages and towns, partner employers with believable sites, recruitment methods and names
drawn from realistic distributions. Each check runs the demo's own generators on a small world."""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest

from safepassage.accounts.models import Agency
from safepassage.cases import htcds
from safepassage.cases.demo import RECRUITMENT_METHODS, recruitment_method
from safepassage.geo.demo import area, contains, province_rows, to_plane
from safepassage.geo.models import Area
from safepassage.geo.parsing import AreaRow
from safepassage.geo.services import areas_import
from safepassage.registry.demo import generate_population, person_name
from safepassage.registry.models import Household, Person
from safepassage.workplaces.demo import generate_workplaces
from safepassage.workplaces.models import Employer, Workplace

Ring = list[tuple[float, float]]


def _ring(row: AreaRow) -> Ring:
    assert row.boundary is not None and row.boundary["type"] == "Polygon"
    return [to_plane(lat, lon) for lon, lat in row.boundary["coordinates"][0][:-1]]


def _point(row: AreaRow) -> tuple[float, float]:
    assert row.lat is not None and row.lon is not None
    return to_plane(row.lat, row.lon)


@pytest.fixture(scope="module")
def rows() -> list[AreaRow]:
    return province_rows()


def test_the_districts_are_not_rectangles_and_tile_the_province(rows):
    province = next(r for r in rows if r.level == "province")
    districts = [r for r in rows if r.level == "district"]
    assert len(districts) == 25
    for district in districts:
        ring = district.boundary["coordinates"][0]
        lons, lats = {p[0] for p in ring}, {p[1] for p in ring}
        assert not (len(lons) == 2 and len(lats) == 2), f"{district.code} is an axis-aligned rectangle"
    # Shapes of their own: most districts have more than four corners, and their sizes differ widely.
    assert sum(len(d.boundary["coordinates"][0]) > 5 for d in districts) >= 20
    sizes = sorted(abs(area(_ring(d))) for d in districts)
    assert sizes[-1] > 8 * sizes[0]
    # Not the box of old: the outline has many corners and fills much less than its bounding box.
    outline = _ring(province)
    xs, ys = [p[0] for p in outline], [p[1] for p in outline]
    assert len(outline) >= 20
    assert abs(area(outline)) < 0.7 * (max(xs) - min(xs)) * (max(ys) - min(ys))
    # The districts cover the province: their areas add up to its area, and a point of the province is in
    # exactly one district.
    total = sum(abs(area(_ring(d))) for d in districts)
    assert total == pytest.approx(abs(area(outline)), rel=0.02)
    rng = random.Random(1)
    rings = [_ring(d) for d in districts]
    inside = 0
    while inside < 400:
        point = (rng.uniform(min(xs), max(xs)), rng.uniform(min(ys), max(ys)))
        if not contains(outline, point):
            continue
        inside += 1
        assert sum(contains(r, point) for r in rings) == 1, point


def test_every_area_has_a_valid_polygon_holding_its_point_inside_its_parent(rows):
    by_code = {r.code: r for r in rows}
    shaped = [r for r in rows if r.level != "country"]
    assert len(shaped) == 1 + 25 + 25 * 4 + 25 * 4 * 6
    for row in shaped:
        ring = row.boundary["coordinates"][0]
        assert len(ring) >= 4 and ring[0] == ring[-1], row.code
        assert all(math.isfinite(v) for point in ring for v in point), row.code
        assert area(_ring(row)) > 0, row.code  # counter-clockwise, not degenerate
        assert contains(_ring(row), _point(row)), f"{row.code}'s point is outside its polygon"
        parent = by_code.get(row.parent_code)
        if parent is not None and parent.boundary is not None:
            assert contains(_ring(parent), _point(row)), f"{row.code} is outside {parent.code}"
    # Subdistricts and villages are irregular too: no grid of equal boxes.
    subdistricts = [r for r in rows if r.level == "subdistrict"]
    assert len({round(abs(area(_ring(s))), 1) for s in subdistricts}) > 90
    villages = [r for r in rows if r.level == "village"]
    assert len({round(v.lat or 0, 3) for v in villages}) > 500


def test_villages_gather_near_the_district_town(rows):
    """More villages in the valley around the district town than evenly spread points would put there."""
    rng = random.Random(2)
    villages_near = villages_all = even_near = even_all = 0
    for district in (r for r in rows if r.level == "district"):
        ring, town = _ring(district), _point(district)
        radius = math.sqrt(abs(area(ring))) / 3
        for village in (r for r in rows if r.level == "village" and r.code.startswith(district.code)):
            villages_near += math.dist(_point(village), town) < radius
            villages_all += 1
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        while even_all < 200 * int(district.code[2:]):
            point = (rng.uniform(min(xs), max(xs)), rng.uniform(min(ys), max(ys)))
            if contains(ring, point):
                even_near += math.dist(point, town) < radius
                even_all += 1
    assert villages_near / villages_all > 1.2 * even_near / even_all


def test_the_province_is_the_same_for_the_same_seed_and_fast(rows):
    again = province_rows()
    assert [(r.code, r.name_en, r.lat, r.lon, r.boundary) for r in again] == [
        (r.code, r.name_en, r.lat, r.lon, r.boundary) for r in rows
    ]
    other = province_rows(seed=51)
    assert [r.code for r in other] == [r.code for r in rows]
    assert [r.boundary for r in other if r.level == "district"] == [
        r.boundary for r in rows if r.level == "district"
    ]
    assert [r.boundary for r in other if r.level == "village"] != [
        r.boundary for r in rows if r.level == "village"
    ]
    districts = {r.code: r for r in rows if r.level == "district"}
    assert districts["5001"].name_en == "Mueang Chiang Mai"
    assert (districts["5001"].lat, districts["5001"].lon) == pytest.approx((18.79, 98.98), abs=0.01)
    assert districts["5009"].name_en == "Fang" and districts["5009"].lat > 19.8


@pytest.fixture
def province(db, rows) -> dict[str, Agency]:
    areas_import(actor=None, rows=rows, source="demo")
    return {
        code: Agency.objects.create(code=code, name=name, kind=kind, country="TH")
        for code, name, kind in (
            ("cc", "Coordination Centre", "government"),
            ("ngo", "Child Safety NGO", "ngo"),
            ("labour", "Labour Office", "government"),
            ("employer", "Lanna Agro Co., Ltd. (partner employer)", "employer"),
        )
    }


def test_workplaces_are_scattered_near_villages_and_partners_run_believable_sites(province):
    made = generate_workplaces(agencies=province, employer_agency=province["employer"], count=300)
    assert made["workplaces"] == Workplace.objects.count() == 300
    workplaces = list(Workplace.objects.select_related("village", "employer"))
    # Not a grid: the villages they are at are not in rows and columns (the old 5 × 5 districts of 2 × 2
    # subdistricts of 3 × 2 villages had 20 village latitudes and 30 longitudes), and the workplaces spread
    # over more kilometre-wide bands of latitude than the old ones did (96), though many are in the towns.
    assert len({w.village.centroid_lat for w in workplaces if w.village}) > 150
    assert len({w.village.centroid_lon for w in workplaces if w.village}) > 150
    assert len({round(w.lat or 0, 2) for w in workplaces}) > 120
    assert len({round(w.lat or 0, 3) for w in workplaces}) > 250
    # Each is near its village (a few km), inside the village's district.
    districts = {d.code: d for d in Area.objects.filter(level="district")}
    for w in workplaces:
        assert w.village is not None and w.lat is not None and w.lon is not None
        assert w.village.centroid_lat is not None and w.village.centroid_lon is not None
        here, village = to_plane(w.lat, w.lon), to_plane(w.village.centroid_lat, w.village.centroid_lon)
        assert math.dist(here, village) < 12, w.name
        boundary = districts[w.village.code[:4]].boundary
        assert boundary is not None
        shape = [to_plane(lat, lon) for lon, lat in boundary["coordinates"][0]]
        assert contains(shape, here) or here == village, w.name
    # Sectors as in a northern inland province: farms first; commercial sex and begging rare; no fishing.
    sectors = Counter(w.sector for w in workplaces)
    assert sectors.most_common(1)[0][0] == "agriculture"
    assert sectors["commercial_sex"] + sectors["begging"] <= 0.05 * len(workplaces)
    assert not sectors["fishing"] and not sectors["seafood"]
    # Begging and commercial sex are in the provincial town and its suburbs, not in the hills.
    for w in workplaces:
        if w.sector in ("begging", "commercial_sex"):
            assert w.village is not None and w.village.code[:4] not in {"5003", "5018", "5025"}
    # The partner employer runs farms and a packing house of its own, nothing else.
    partner = Employer.objects.get(partner_agency=province["employer"])
    assert partner.legal_name == "Lanna Agro Co., Ltd."
    sites = list(partner.workplaces.all())
    assert len(sites) >= 3
    assert {s.sector for s in sites} <= {"agriculture", "manufacturing"}
    assert Counter(s.sector for s in sites)["agriculture"] >= 3
    # No employer is linked to a begging spot, a commercial-sex venue or a bar.
    assert not Workplace.objects.filter(
        employer__isnull=False, sector__in=["begging", "commercial_sex", "entertainment"]
    ).exists()
    for employer in Employer.objects.all():
        assert len({w.sector for w in employer.workplaces.all()} - {"manufacturing"}) <= 1, employer


def test_recruitment_methods_follow_a_realistic_distribution():
    rng = random.Random(7)
    drawn = Counter(recruitment_method(rng) for _ in range(5000))
    assert set(drawn) <= set(htcds.RecruitmentMethod.values)
    ranked = [method for method, _ in drawn.most_common()]
    assert ranked[0] == htcds.RecruitmentMethod.FRIENDS
    assert set(ranked[:2]) == {htcds.RecruitmentMethod.FRIENDS, htcds.RecruitmentMethod.FAMILY}
    assert ranked[0] != htcds.RecruitmentMethod.TV_AD
    assert drawn[htcds.RecruitmentMethod.TV_AD] < 0.03 * 5000
    assert max(RECRUITMENT_METHODS, key=RECRUITMENT_METHODS.__getitem__) != htcds.RecruitmentMethod.TV_AD


def test_a_population_has_varied_names_and_households_share_a_family_name(province):
    made = generate_population(people=2500, agencies=province)
    assert made["people"] == Person.objects.count() == 2500
    people = list(Person.objects.all())
    full = {f"{p.given_name_latin} {p.family_name_latin}".strip() for p in people}
    assert len(full) >= 0.5 * len(people)
    assert all(p.given_name and p.given_name_latin for p in people)
    # Households share one family name; Thai family names are nearly unique to a family.
    families: Counter[tuple[str, str]] = Counter()
    for household in Household.objects.prefetch_related("members"):
        names = {(m.family_name, m.family_name_latin) for m in household.members.all()}
        assert len(names) == 1, household.pk
        families[next(iter(names))] += 1
    named = {name: n for name, n in families.items() if name[0]}
    assert len(named) >= 0.5 * sum(named.values())
    # Names in the scripts of the province's peoples: Thai, Burmese and Lao, each with a Latin spelling.
    scripts: Counter[str] = Counter()
    for p in people:
        first = ord(p.given_name[0])
        scripts[
            "thai"
            if 0x0E00 <= first <= 0x0E7F
            else "lao"
            if 0x0E80 <= first <= 0x0EFF
            else "burmese"
            if 0x1000 <= first <= 0x109F
            else "other"
        ] += 1
        assert p.given_name_latin.isascii(), p.given_name_latin
    assert scripts["thai"] > 0.8 * len(people)
    assert scripts["burmese"] > 0 and scripts["lao"] > 0 and not scripts["other"]
    # Shan (Sai, Nang), Karen (Naw, Saw) and Hmong (Sae…) names are among them.
    latin = [p.given_name_latin for p in people]
    assert any(n.startswith(("Sai ", "Nang ")) for n in latin)
    assert any(n.startswith(("Naw ", "Saw ")) for n in latin)
    assert any(p.family_name_latin.startswith("Sae") for p in people)


def test_names_for_people_from_across_the_border():
    rng = random.Random(3)
    burmese = [person_name(rng, "female", nationality="MM") for _ in range(50)]
    assert all(not n.family for n in burmese)  # no family names in Myanmar
    assert any(0x1000 <= ord(n.given[0]) <= 0x109F for n in burmese)
    lao = [person_name(rng, "male", nationality="LA") for _ in range(20)]
    assert all(0x0E80 <= ord(n.given[0]) <= 0x0EFF and n.family and n.family_latin for n in lao)
    thai = [person_name(rng, "male", district_code="5001") for _ in range(200)]
    assert len({n.latin for n in thai}) > 190
