"""The directory on a phone: find who can respond in a village, in a language, for a need, and open a card."""

from typing import Any

import pytest

from safepassage.network import services
from safepassage.testing import PASSWORD, build_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_volunteer_finds_a_responder_for_a_village_and_opens_the_card(phone):
    world = build_world()
    centre = services.organisation_create(actor=world.coordinator_a, name="Provincial Centre", kind="member")

    def responder(name: str, areas: list[str], languages: list[str], **fields: Any) -> None:
        services.responder_create(
            actor=world.coordinator_a,
            organisation_id=centre.pk,
            name=name,
            role_type="social_worker",
            area_codes=areas,
            languages=languages,
            expertise=["child_protection"],
            **fields,
        )

    responder("Dao District", ["5001"], ["th", "my"])
    responder("Vee Village", ["50010101"], ["my"], phone="081 111 2222", availability="on_call")
    responder("Tong Thai", ["50010101"], ["th"])
    responder("Otto Elsewhere", ["50020101"], ["my"])
    phone.sign_in("volunteer_a", PASSWORD)
    page = phone.page
    phone.goto("/network/")
    page.fill("#id_village", "50010101")
    page.select_option("#id_language", "my")
    page.select_option("#id_expertise", "child_protection")
    page.click("#directory-search button[type=submit]")
    page.wait_for_selector("#results")
    assert page.locator("#results > li strong").all_inner_texts() == ["Vee Village", "Dao District"]
    assert "Covers the village" in page.inner_text("#results > li >> nth=0")
    page.click("#results > li >> nth=0 >> a")
    page.wait_for_selector("#contacts")
    assert page.inner_text("h1") == "Vee Village"
    assert "081 111 2222" in page.inner_text("#contacts")
    assert phone.errors == []
