"""Sectors are data a system administrator edits on a page (R-016, G-07): a new sector is accepted at once by
the form, the service and the API; a retired one is refused for new workplaces while old ones still show it;
only a system administrator edits, and every change is audited."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from safepassage.audit.models import AuditEvent
from safepassage.testing import api_client, web_client
from safepassage.workplaces import services
from safepassage.workplaces.models import SectorKind, Workplace

pytestmark = pytest.mark.django_db


def save_kind(client, url_name, **data):
    """The page's form, as a system administrator fills it in."""
    fields = {"code": "", "name": "", "in_language": "", "translated_name": "", "order": 50, "active": "on"}
    fields.update(data)
    if data.get("active") is False:
        fields.pop("active")
    return client.post(reverse(url_name), fields)


def test_a_sector_added_on_the_page_is_accepted_and_shown(world):
    client = web_client(world.users["sysadmin"])
    response = save_kind(
        client,
        "workplaces:sectors",
        code="rubber_tapping",
        name="Rubber tapping",
        in_language="th",
        translated_name="กรีดยาง",
    )
    assert response.status_code == 302
    kind = SectorKind.objects.get(code="rubber_tapping")
    assert kind.names == {"th": "กรีดยาง"} and kind.active
    assert kind.label("th") == "กรีดยาง" and kind.label("en") == "Rubber tapping"
    assert AuditEvent.objects.filter(action="workplaces.sectorkind.create").exists()

    client = web_client(world.coordinator_a)
    assert "Rubber tapping" in client.get(reverse("workplaces:create")).content.decode()
    workplace = services.workplace_create(actor=world.coordinator_a, name="Estate 4", sector="rubber_tapping")
    assert workplace.get_sector_display() == "Rubber tapping"
    api = api_client(world.coordinator_a).post(
        "/api/v1/workplaces", {"name": "Estate 5", "sector": "rubber_tapping"}
    )
    assert api.status_code in (200, 201), api.content
    assert "Rubber tapping" in client.get(reverse("workplaces:detail", args=[workplace.pk])).content.decode()


def test_a_retired_sector_is_refused_for_new_but_still_shown_on_old(world):
    old = services.workplace_create(actor=world.coordinator_a, name="Boat 1", sector="fishing")
    client = web_client(world.users["sysadmin"])
    response = save_kind(client, "workplaces:sectors", code="fishing", name="Fishing boats", active=False)
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="workplaces.sectorkind.update").exists()
    with pytest.raises(ValidationError) as refused:
        services.workplace_create(actor=world.coordinator_a, name="Boat 2", sector="fishing")
    assert "sector" in refused.value.message_dict
    api = api_client(world.coordinator_a).post("/api/v1/workplaces", {"name": "Boat 3", "sector": "fishing"})
    assert api.status_code in (400, 422)
    assert not Workplace.objects.filter(name__in=["Boat 2", "Boat 3"]).exists()
    client = web_client(world.coordinator_a)
    assert "Fishing boats" in client.get(reverse("workplaces:detail", args=[old.pk])).content.decode()
    assert "Fishing boats" not in client.get(reverse("workplaces:create")).content.decode()
    services.workplace_update(
        actor=world.coordinator_a, workplace=old, name="Boat 1 renamed", sector="fishing"
    )
    old.refresh_from_db()
    assert old.sector == "fishing" and old.get_sector_display() == "Fishing boats"


@pytest.mark.parametrize("url_name", ["workplaces:sectors", "network:expertise_kinds"])
@pytest.mark.parametrize("persona", ["admin_a", "coordinator_a"])
def test_only_a_system_administrator_edits(world, url_name, persona):
    client = web_client(world.users[persona])
    assert client.get(reverse(url_name)).status_code == 404
    assert save_kind(client, url_name, code="x_new", name="New").status_code == 404
    with pytest.raises(Exception, match="system administrator"):
        from safepassage.workplaces.kinds import kind_save

        kind_save(SectorKind, actor=world.users[persona], code="x_new", name="New")
    assert not SectorKind.objects.filter(code="x_new").exists()
    client = web_client(world.users["sysadmin"])
    assert client.get(reverse(url_name)).status_code == 200
