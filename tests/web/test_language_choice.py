"""`?lang=` picks one request's language; a value that names no language of the app is ignored, never a
server error (the fuzzer found `?lang=low` answering 500 on every page and API operation)."""

import pytest

from safepassage.testing import api_client, web_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("asked", ["low", "xx-yy", "«Ãb", ""])
def test_a_language_the_app_does_not_speak_is_ignored(world, asked):
    page = web_client(world.coordinator_a).get("/", {"lang": asked})
    assert page.status_code == 200
    assert api_client(world.coordinator_a).get(f"/api/v1/me?lang={asked}").status_code == 200


def test_a_language_the_app_speaks_is_used(world):
    page = web_client(world.coordinator_a).get("/", {"lang": "th"})
    assert page["Content-Language"] == "th"
