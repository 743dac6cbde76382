"""A hand-built directory around the personas' villages, to test the search, contacts and routing on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from safepassage.network import services
from safepassage.network.models import Organisation, Responder


@dataclass
class Directory:
    """Agency A's organisations and responders at every distance from village 1."""

    centre: Organisation
    shelter: Organisation
    responders: dict[str, Responder]

    def __getattr__(self, name: str) -> Responder:
        responders = self.__dict__.get("responders", {})
        if name in responders:
            return responders[name]
        raise AttributeError(name)


def add_responder(world: Any, organisation: Organisation, name: str, **fields: Any) -> Responder:
    """A responder kept by agency A (coordinator_a), speaking Burmese, in child protection unless told."""
    values: dict[str, Any] = {
        "role_type": "social_worker",
        "languages": ["th", "my"],
        "expertise": ["child_protection"],
        "phone": "081 111 2222",
        **fields,
    }
    return services.responder_create(
        actor=world.coordinator_a, organisation_id=organisation.pk, name=name, **values
    )


@pytest.fixture
def directory(world) -> Directory:
    """Village 1 (50010101) lies in subdistrict 500101, district 5001, province 50."""
    centre = services.organisation_create(
        actor=world.coordinator_a, name="Provincial Centre", kind="member", phone="053 111 000"
    )
    shelter = services.organisation_create(
        actor=world.coordinator_a, name="Safe House North", kind="shelter", address="99 Hidden Lane"
    )
    people = {
        "village": add_responder(world, centre, "Vee Village", area_codes=["50010101"]),
        "village_busy": add_responder(
            world, centre, "Bee Busy", area_codes=["50010101"], availability="busy"
        ),
        "village_away": add_responder(
            world, centre, "Amy Away", area_codes=["50010101"], availability="away"
        ),
        "subdistrict": add_responder(
            world, centre, "Sam Subdistrict", area_codes=["500101"], availability="on_call"
        ),
        "district": add_responder(world, centre, "Dao District", area_codes=["5001"]),
        "province": add_responder(world, centre, "Pim Province", area_codes=["50"]),
        "anywhere": add_responder(world, centre, "Ann Anywhere"),
        "elsewhere": add_responder(world, centre, "Otto Elsewhere", area_codes=["50020101"]),
        "thai_only": add_responder(world, centre, "Tong Thai", area_codes=["50010101"], languages=["th"]),
        "labour": add_responder(
            world,
            centre,
            "Lek Labour",
            area_codes=["50010101"],
            expertise=["labour"],
            role_type="labour_inspector",
        ),
    }
    retired = add_responder(world, centre, "Ian Inactive", area_codes=["50010101"])
    services.responder_update(actor=world.coordinator_a, responder=retired, active=False)
    people["inactive"] = retired
    return Directory(centre=centre, shelter=shelter, responders=people)
