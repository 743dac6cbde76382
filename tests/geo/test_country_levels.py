"""Each country's own administrative levels: the chain is the country's (the root of the area's path), a
parent is checked against that chain, and the Thai tree behaves as before."""

import pytest

from safepassage.audit.models import AuditEvent
from safepassage.core.importing import ImportRejected
from safepassage.geo.models import CHAINS, Area, Level, chain_for, child_level, parent_level
from safepassage.geo.parsing import read_csv
from safepassage.geo.services import areas_import
from safepassage.testing import api_client, web_client

pytestmark = pytest.mark.django_db

HEADER = "code,parent_code,level,name_en\n"

LAOS = HEADER + (
    "LA,,country,Laos\n"
    "LA01,LA,province,Vientiane Capital\n"
    "LA0101,LA01,district,Chanthabuly\n"
    "LA010101,LA0101,village,Ban Haysok\n"
)
CAMBODIA = HEADER + (
    "KH,,country,Cambodia\n"
    "KH01,KH,province,Banteay Meanchey\n"
    "KH0102,KH01,district,Mongkol Borei\n"
    "KH010201,KH0102,commune,Banteay Neang\n"
    "KH01020101,KH010201,village,Ou Thum\n"
)
CHINA = HEADER + (
    "CN,,country,China\n"
    "CN53,CN,province,Yunnan\n"
    "CN5328,CN53,prefecture,Xishuangbanna\n"
    "CN532801,CN5328,county,Jinghong\n"
    "CN532801001,CN532801,township,Yunjinghong\n"
    "CN532801001001,CN532801001,village,Manting\n"
)
MYANMAR = HEADER + (
    "MM,,country,Myanmar\n"
    "MMR017,MM,state_region,Shan State\n"
    "MMR017D001,MMR017,district,Tachileik District\n"
    "MMR017D001T1,MMR017D001,township,Tachileik\n"
    "MMVT001,MMR017D001T1,village_tract,Wan Kyaw\n"
    "MMV001,MMVT001,village,Wan Kyaw Village\n"
)


def import_text(text: str):
    rows, errors = read_csv(text)
    return areas_import(actor=None, rows=rows, source="test.csv", errors=errors)


@pytest.mark.parametrize(
    ("text", "country", "village", "depth"),
    [
        (LAOS, "LA", "LA010101", 4),
        (CAMBODIA, "KH", "KH01020101", 5),
        (CHINA, "CN", "CN532801001001", 6),
        (MYANMAR, "MM", "MMV001", 6),
    ],
)
def test_each_countrys_tree_imports_with_its_own_levels(text, country, village, depth):
    result = import_text(text)
    assert (result.created, result.updated) == (depth, 0)
    bottom = Area.objects.get(code=village)
    assert bottom.level == Level.VILLAGE  # the bottom of every chain
    assert bottom.path.startswith(f"{country}/") and bottom.path.count("/") == depth
    assert [a.level for a in Area.objects.filter(path__startswith=f"{country}/").order_by("path")] == list(
        CHAINS[country]
    )
    assert AuditEvent.objects.filter(action="geo.areas.import").count() == 1


def test_the_chains_are_data_with_the_thai_one_as_fallback():
    assert chain_for("TH") == ("country", "province", "district", "subdistrict", "village")
    assert chain_for("VN") == chain_for("TH") and chain_for("") == chain_for("TH")
    assert parent_level("village", "LA") == "district"
    assert parent_level("village", "KH") == "commune"
    assert parent_level("village", "MM") == "village_tract"
    assert parent_level("township", "CN") == "county"
    assert parent_level("province") == "country" and parent_level("country") is None
    assert parent_level("village") == "subdistrict"  # Thai when no country is said
    assert child_level("province", "LA") == "district" and child_level("village", "LA") is None
    with pytest.raises(ValueError):
        parent_level("commune", "LA")


def test_a_wrong_parent_level_is_refused_naming_the_row_and_the_levels():
    bad = LAOS + "LA0102,LA0101,district,A district under a district\n"  # row 6
    with pytest.raises(ImportRejected) as caught:
        import_text(bad)
    assert [(e.row, e.column) for e in caught.value.errors] == [(6, "level")]
    text = str(caught.value.errors[0])
    assert "row 6" in text.lower() or caught.value.errors[0].row == 6
    assert "District" in text and "Province" in text and "LA0101" in text
    assert Area.objects.count() == 0


def test_a_level_another_country_has_is_refused_in_this_one():
    # a subdistrict is Thai: in Laos a village sits right under a district
    bad = LAOS + "LA010102,LA0101,subdistrict,Not Lao,\n"  # row 6
    with pytest.raises(ImportRejected) as caught:
        import_text(bad)
    assert [(e.row, e.column) for e in caught.value.errors] == [(6, "level")]
    assert "Laos" in str(caught.value.errors[0]) or "LA" in str(caught.value.errors[0])
    # and a Lao-style village straight under a Thai district is refused too
    import_text(HEADER + "TH,,country,Thailand\n50,TH,province,Chiang Mai\n5001,50,district,Mueang\n")
    with pytest.raises(ImportRejected) as caught:
        import_text(HEADER + "50019999,5001,village,Straight under a district\n")
    assert [(e.row, e.column) for e in caught.value.errors] == [(2, "level")]


def test_a_new_file_hangs_off_an_existing_lao_district():
    import_text(LAOS)
    result = import_text(HEADER + "LA010102,LA0101,village,Ban Two\n")
    assert result.created == 1
    assert Area.objects.get(code="LA010102").path == "LA/LA01/LA0101/LA010102/"


def test_the_pages_and_the_api_name_each_countrys_levels(world):
    import_text(MYANMAR)
    client = web_client(world.caseworker_a)
    page = client.get("/areas/MMR017D001T1/").content.decode()
    assert "Township" in page and "Village tract" in page  # its own level and the level below
    listed = api_client(world.caseworker_a).get("/api/v1/areas?parent=MMR017").json()
    item = next(a for a in listed["items"] if a["code"] == "MMR017D001")
    assert item["level"] == "district" and item["level_name"] == "District"
    top = api_client(world.caseworker_a).get("/api/v1/areas/MMR017").json()
    assert top["level"] == "state_region" and top["level_name"] == "State or region"
    assert top["levels"] == ["country", "state_region", "district", "township", "village_tract", "village"]
