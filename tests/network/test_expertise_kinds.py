"""What responders can help with is data a system administrator edits (R-016, G-07): a new entry is accepted
for a responder and shown with its label; a retired one is refused for a new responder while an old one
still shows it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from safepassage.audit.models import AuditEvent
from safepassage.network import services
from safepassage.network.models import ExpertiseKind
from safepassage.testing import web_client
from tests.workplaces.test_sector_kinds import save_kind

pytestmark = pytest.mark.django_db


def test_expertise_added_then_retired(world, directory):
    client = web_client(world.users["sysadmin"])
    assert (
        save_kind(client, "network:expertise_kinds", code="debt_advice", name="Debt advice").status_code
        == 302
    )
    assert AuditEvent.objects.filter(action="network.expertisekind.create").exists()
    responder = services.responder_create(
        actor=world.coordinator_a,
        organisation_id=directory.centre.pk,
        name="Ms Dao",
        role_type="interpreter",
        expertise=["debt_advice", "legal"],
    )
    assert set(responder.expertise) == {"legal", "debt_advice"}
    client = web_client(world.coordinator_a)
    assert "Debt advice" in client.get(reverse("network:responder", args=[responder.pk])).content.decode()

    client = web_client(world.users["sysadmin"])
    save_kind(client, "network:expertise_kinds", code="debt_advice", name="Debt advice", active=False)
    assert not ExpertiseKind.objects.get(code="debt_advice").active
    assert AuditEvent.objects.filter(action="network.expertisekind.update").exists()
    with pytest.raises(ValidationError) as refused:
        services.responder_create(
            actor=world.coordinator_a,
            organisation_id=directory.centre.pk,
            name="Mr Bo",
            role_type="interpreter",
            expertise=["debt_advice"],
        )
    assert "expertise" in refused.value.message_dict
    client = web_client(world.coordinator_a)
    assert "Debt advice" in client.get(reverse("network:responder", args=[responder.pk])).content.decode()
    services.responder_update(
        actor=world.coordinator_a, responder=responder, expertise=["debt_advice"]
    )  # kept
    responder.refresh_from_db()
    assert responder.expertise == ["debt_advice"]
