"""Who can respond in village 1, speaks Burmese, in child protection: by coverage, then availability."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from safepassage.core.access import viewer_for
from safepassage.network.selectors import ancestor_paths, responder_list, responders_search

from .conftest import add_responder

pytestmark = pytest.mark.django_db


def test_ancestor_paths_run_from_the_country_down():
    assert ancestor_paths("TH/50/5001/") == ["TH/", "TH/50/", "TH/50/5001/"]


def test_the_ranking_is_village_then_subdistrict_district_province_anywhere_then_availability(
    world, directory
):
    matches = responders_search(
        world.volunteer_a, village=world.village_1, language="my", expertise="child_protection"
    )
    assert [m.responder.name for m in matches] == [
        "Vee Village",  # the village itself, available
        "Bee Busy",  # the village itself, busy
        "Amy Away",  # the village itself, away: still listed, last of the village
        "Sam Subdistrict",
        "Dao District",
        "Pim Province",
        "Ann Anywhere",
    ]
    assert [m.coverage for m in matches] == [
        "village",
        "village",
        "village",
        "subdistrict",
        "district",
        "province",
        "anywhere",
    ]
    first = matches[0]
    assert first.area == world.village_1
    assert first.reasons == (
        "Covers the village, Area 50010101",
        "Speaks Burmese",
        "Expertise: Child protection",
    )
    assert matches[4].reasons[0] == "Covers the district, Area 5001"
    assert matches[-1].area is None and matches[-1].reasons[0] == "No area recorded: responds anywhere"


def test_the_narrowest_covered_area_counts(world, directory):
    add_responder(world, directory.centre, "Wide and narrow", area_codes=["50", "500101"])
    matches = {m.responder.name: m for m in responders_search(world.coordinator_a, village=world.village_1)}
    assert matches["Wide and narrow"].coverage == "subdistrict"


def test_language_expertise_role_and_words_narrow_the_search(world, directory):
    thai = {
        m.responder.name
        for m in responders_search(world.coordinator_a, village=world.village_1, language="th")
    }
    assert "Tong Thai" in thai
    burmese = {
        m.responder.name
        for m in responders_search(world.coordinator_a, village=world.village_1, language="my")
    }
    assert "Tong Thai" not in burmese
    labour = responders_search(world.coordinator_a, village=world.village_1, expertise="labour")
    assert [m.responder.name for m in labour] == ["Lek Labour"]
    inspectors = responders_search(world.coordinator_a, role_type="labour_inspector")
    assert [m.responder.name for m in inspectors] == ["Lek Labour"] and inspectors[0].coverage is None
    assert [m.responder.name for m in responders_search(world.coordinator_a, text="bee")] == ["Bee Busy"]
    assert len(responders_search(world.coordinator_a, text="provincial centre")) == 10  # the organisation


def test_inactive_responders_and_those_covering_other_villages_are_not_found(world, directory):
    names = {m.responder.name for m in responders_search(world.coordinator_a, village=world.village_1)}
    assert "Ian Inactive" not in names and "Otto Elsewhere" not in names
    elsewhere = {m.responder.name for m in responders_search(world.coordinator_a, village=world.village_3)}
    assert "Otto Elsewhere" in elsewhere and "Vee Village" not in elsewhere


def test_without_a_village_everyone_active_is_ranked_by_availability_then_name(world, directory):
    names = [m.responder.name for m in responders_search(world.coordinator_a)]
    assert names[:3] == ["Ann Anywhere", "Dao District", "Lek Labour"]
    assert names[-1] == "Amy Away"
    assert "Ian Inactive" not in names


def test_unknown_filters_are_refused_by_name(world):
    cases: list[tuple[dict[str, Any], str]] = [
        ({"language": "Burmese!"}, "language"),
        ({"expertise": "magic"}, "expertise"),
        ({"role_type": "sheriff"}, "role_type"),
    ]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as caught:
            responders_search(world.coordinator_a, **kwargs)
        assert set(caught.value.message_dict) == {field}


def test_analysts_partners_and_outsiders_find_nobody(world, directory):
    for persona in ("analyst_a", "partner_a", "outsider", "sysadmin"):
        assert responders_search(world.users[persona], village=world.village_1) == []
        assert not responder_list(viewer=world.users[persona]).exists()
    assert len(responders_search(world.volunteer_b, village=world.village_1)) == 9


def test_the_search_takes_the_same_few_queries_however_many_match(
    world, directory, django_assert_num_queries
):
    viewer = viewer_for(world.coordinator_a)
    with django_assert_num_queries(2):  # responders (with their organisation), then their areas
        few = responders_search(viewer, village=world.village_1, language="my")
    for n in range(15):
        add_responder(world, directory.centre, f"Extra {n}", area_codes=["50010101", "5002"])
    with django_assert_num_queries(2):
        many = responders_search(viewer, village=world.village_1, language="my")
    assert len(many) == len(few) + 15
