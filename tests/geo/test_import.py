"""Importing areas: every bad row reported with its column, and nothing imported if any row is bad."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from safepassage.audit.models import AuditEvent
from safepassage.core.importing import ImportRejected
from safepassage.geo.models import Area
from safepassage.geo.parsing import read_csv, read_file
from safepassage.geo.services import areas_import

pytestmark = pytest.mark.django_db

GOOD = """code,parent_code,level,name_en,name_th,name_my,lat,lon
TH,,country,Thailand,ประเทศไทย,,,
50,TH,province,Chiang Mai,เชียงใหม่,,18.79,98.98
5001,50,district,Mueang Chiang Mai,เมืองเชียงใหม่,,,
500101,5001,subdistrict,Si Phum,ศรีภูมิ,,,
50010101,500101,village,Ban One,บ้านหนึ่ง,ဘန်,18.8,98.99
"""


def import_text(text: str):
    rows, errors = read_csv(text)
    return areas_import(actor=None, rows=rows, source="test.csv", errors=errors)


def test_a_good_file_builds_the_tree_with_names_in_every_script():
    result = import_text(GOOD)
    assert (result.created, result.updated) == (5, 0)
    village = Area.objects.get(code="50010101")
    assert village.path == "TH/50/5001/500101/50010101/"
    assert village.parent is not None and village.parent.code == "500101"
    assert village.name_th == "บ้านหนึ่ง"
    assert village.names == {"my": "ဘန်"}
    assert (village.centroid_lat, village.centroid_lon) == (18.8, 98.99)
    assert AuditEvent.objects.filter(action="geo.areas.import").count() == 1


def test_a_missing_parent_a_duplicate_code_and_a_bad_level_are_all_reported_and_nothing_is_imported():
    bad = GOOD + (
        "50010102,500199,village,Orphan,,,,\n"  # row 7: parent not anywhere
        "5001,50,district,Twice,,,,\n"  # row 8: duplicate code
        "50010103,500101,hamlet,Wrong level,,,,\n"  # row 9: bad level
    )
    with pytest.raises(ImportRejected) as caught:
        import_text(bad)
    found = {(e.row, e.column) for e in caught.value.errors}
    assert found == {(7, "parent_code"), (8, "code"), (9, "level")}
    messages = " ".join(str(e) for e in caught.value.errors)
    assert "500199" in messages and "appears twice" in messages and "hamlet" in messages
    assert Area.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_level_that_does_not_fit_its_parent_is_refused():
    with pytest.raises(ImportRejected) as caught:
        import_text(GOOD + "5099,500101,district,Under a subdistrict,,,,\n")
    assert [(e.row, e.column) for e in caught.value.errors] == [(7, "level")]


def test_missing_required_columns_are_named():
    rows, errors = read_csv("code,parent_code,name_th\nTH,,ไทย\n")
    assert {(e.row, e.column) for e in errors} == {(1, "level"), (1, "name_en")}
    assert rows == []


def test_bad_coordinates_name_the_column():
    _, errors = read_csv("code,parent_code,level,name_en,lat,lon\nTH,,country,Thailand,95,abc\n")
    assert {(e.row, e.column) for e in errors} == {(2, "lat"), (2, "lon")}


def test_importing_again_updates_names_and_keeps_the_tree():
    import_text(GOOD)
    result = import_text(GOOD.replace("Ban One", "Ban Nueng"))
    assert (result.created, result.updated) == (0, 5)
    assert Area.objects.get(code="50010101").name_en == "Ban Nueng"


def test_an_import_cannot_move_an_area():
    import_text(GOOD)
    with pytest.raises(ImportRejected) as caught:
        import_text("code,parent_code,level,name_en\n5001,TH,province,Moved\n")
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "code")]


def test_a_new_file_can_hang_off_areas_already_in_the_database():
    import_text(GOOD)
    result = import_text("code;parent_code;level;name_en\n50010102;500101;village;Ban Two\n")
    assert result.created == 1
    assert Area.objects.get(code="50010102").path.startswith("TH/50/")


def test_geojson_features_import_with_their_boundaries(tmp_path: Path):
    import_text(GOOD)
    square = [[[98.9, 18.7], [99.0, 18.7], [99.0, 18.8], [98.9, 18.8], [98.9, 18.7]]]
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": square},
                "properties": {
                    "code": "50010109",
                    "parent_code": "500101",
                    "level": "village",
                    "name_en": "Ban Nine",
                },
            },
        ],
    }
    path = tmp_path / "villages.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    rows, errors = read_file(path)
    areas_import(actor=None, rows=rows, errors=errors)
    village = Area.objects.get(code="50010109")
    assert village.boundary is not None
    assert village.boundary["type"] == "Polygon"
    assert village.centroid_lat == pytest.approx(18.75)
    assert village.centroid_lon == pytest.approx(98.95)


def test_geojson_feature_problems_are_reported_by_feature_number(tmp_path: Path):
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": None,
                "properties": {"code": "TH", "level": "country", "name_en": "Thailand"},
            },
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [[1, 2], [3, 4]]},
                "properties": {"code": "50", "parent_code": "TH", "level": "province", "name_en": "CM"},
            },
        ],
    }
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    _, errors = read_file(path)
    assert [(e.row, e.column) for e in errors] == [(2, "geometry")]


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path):
    path = tmp_path / "areas.csv"
    path.write_bytes("code,level,name_en\nTH,country,ไทย\n".encode("cp874"))
    _, errors = read_file(path)
    assert errors and errors[0].row == 1 and "UTF-8" in errors[0].reason


def test_the_command_reports_every_problem_and_imports_nothing(tmp_path: Path, capsys):
    path = tmp_path / "areas.csv"
    path.write_text(GOOD + "5001,50,district,Twice,,,,\n", encoding="utf-8-sig")  # with a BOM
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("areas", "import", str(path))
    assert "row 7, column code" in capsys.readouterr().err
    assert Area.objects.count() == 0
    path.write_text(GOOD, encoding="utf-8-sig")
    call_command("areas", "import", str(path))
    assert "5 areas added" in capsys.readouterr().out


def test_the_demo_province_is_a_valid_tree():
    from safepassage.geo.demo import province_rows

    rows = province_rows()
    result = areas_import(actor=None, rows=rows, source="demo")
    assert Area.objects.filter(level="district").count() == 25
    assert Area.objects.filter(level="village").count() == result.created - 2 - 25 - 100
    for village in Area.objects.filter(level="village")[:20]:
        district = Area.objects.get(code=village.code[:4])
        assert district.boundary is not None
        ring = district.boundary["coordinates"][0]
        lons, lats = [p[0] for p in ring], [p[1] for p in ring]
        assert min(lats) <= village.centroid_lat <= max(lats)
        assert min(lons) <= village.centroid_lon <= max(lons)
