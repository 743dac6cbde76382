"""The visit plan as a PDF: the workplaces due a visit, numbered on a drawn map, in the reader's language."""

from __future__ import annotations

import pytest

from safepassage.testing import web_client
from safepassage.workplaces import services

from ..workplaces.conftest import employer_world  # noqa: F401 (a fixture)
from .reading import SCRIPTS, read

pytestmark = pytest.mark.django_db


def test_the_visit_plan_prints_the_workplaces_due_in_the_readers_language(employer_world):  # noqa: F811
    world, mine, _ = employer_world
    services.workplace_update(
        actor=world.coordinator_a, workplace=mine, watch_listed=True, watch_reason="tips"
    )
    client = web_client(world.coordinator_a)
    page = client.get("/workplaces/watch/").content.decode()
    assert "format=pdf" in page  # the page's button
    response = client.get("/workplaces/watch/?format=pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    document = read(response.content)
    assert "Pier 4 processing" in document.text and "13.50000, 100.30000" in document.text
    thai = read(client.get("/workplaces/watch/?format=pdf&lang=th").content)
    assert SCRIPTS["th"][1].search(thai.text) and thai.embedded("NotoSansThai")
    assert "Pier 4 processing" in thai.text


def test_roles_without_the_watch_list_get_no_visit_plan(employer_world):  # noqa: F811
    world, _mine, _ = employer_world
    assert web_client(world.analyst_a).get("/workplaces/watch/?format=pdf").status_code == 404
    assert web_client(world.users["employer_user"]).get("/workplaces/watch/?format=pdf").status_code == 404
