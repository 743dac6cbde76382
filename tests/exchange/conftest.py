"""Two installations in one test database: each side has its own exchange keys (switched with `side`), and
each is registered as the other's peer. A message goes through the real inbox view of the other side."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.test import Client

from safepassage.cases import services as case_services
from safepassage.cases.models import Case, Repatriation
from safepassage.exchange import keys, services
from safepassage.exchange.models import Peer
from safepassage.network.models import Agreement, FocalPoint, Responder
from safepassage.testing import World, directory_entry


@dataclass
class Sides:
    settings: Any
    files: dict[str, str]
    peers: dict[str, Peer]  # "a": the peer *for* a message going to a (registered on side b), and so on
    current: str = "a"

    @contextlib.contextmanager
    def side(self, name: str) -> Iterator[None]:
        before = self.current
        self.use(name)
        try:
            yield
        finally:
            self.use(before)

    def use(self, name: str) -> None:
        self.current = name
        self.settings.EXCHANGE_KEYS_FILE = self.files[name]
        self.settings.EXCHANGE_NAME = f"Installation {name.upper()}"
        keys.reset()

    def post_to(self, name: str) -> Any:
        """A transport that delivers to side `name`'s inbox view, as that side, and comes back."""

        def post(address: str, token: str) -> tuple[int, str]:
            with self.side(name):
                response = Client().post(
                    "/api/v1/exchange/inbox", data=token, content_type="application/jose"
                )
            return response.status_code, response.content.decode()

        return post

    def other(self, name: str) -> str:
        return "b" if name == "a" else "a"


def make_keys(settings: Any, path: str) -> dict[str, Any]:
    settings.EXCHANGE_KEYS_FILE = path
    keys.reset()
    keys.create()
    return keys.load().public()


@pytest.fixture
def sides(world: World, settings: Any, tmp_path: Any) -> Sides:
    files = {name: str(tmp_path / f"keys-{name}.json") for name in "ab"}
    public = {name: make_keys(settings, files[name]) for name in "ab"}
    state = Sides(settings=settings, files=files, peers={})
    # On side a, b is a peer (Myanmar, its cases received by agency A); on side b, a is (Thailand, agency B).
    with state.side("a"):
        state.peers["b"] = services.peer_register(
            actor=world.coordinator_a,
            name="Installation B",
            country="MM",
            address="https://b.example",
            signing_key=public["b"]["signing_key"],
            encryption_key=public["b"]["encryption_key"],
            receiving_agency=world.agency_a,
        )
    with state.side("b"):
        state.peers["a"] = services.peer_register(
            actor=world.coordinator_b,
            name="Installation A",
            country="TH",
            address="https://a.example",
            signing_key=json.dumps(public["a"]["signing_key"]),
            encryption_key=public["a"]["encryption_key"],
            receiving_agency=world.agency_b,
        )
    state.use("a")
    return state


def focal_point(world: World, agency: Any, country: str) -> Responder:
    office = directory_entry(world, agency, kind="social_services", name=f"DSW {country} {agency.code}")
    responder = Responder.objects.create(
        agency=agency, organisation=office, name=f"Focal {country}", role_type="focal_point", country=country
    )
    FocalPoint.objects.create(
        agency=agency,
        country=country,
        purpose="repatriation",
        responder=responder,
        agreement=Agreement.objects.get(code="th-mm-2009"),
    )
    return responder


def returning_case(
    world: World,
    *,
    caseworker: Any,
    village: Any,
    to: str,
    birth_year: int,
    given_name: str = "Mya",
    agreement: str = "th-mm-2009",
    destination_area_code: str | None = None,
) -> tuple[Case, Repatriation]:
    """A case with a journey, a perpetrator, address and health notes, a best-interests assessment that
    supports a return, and a cross-border return prepared to `to`."""
    case = case_services.case_open(
        actor=caseworker,
        opened_on=date(2026, 1, 5),
        person_fields={
            "given_name": given_name,
            "family_name": "Aung",
            "given_name_latin": given_name,
            "family_name_latin": "Aung",
            "sex": "female",
            "birth_year": birth_year,
            "village_code": village.code,
        },
        nationality=to,
        address="12 Secret Lane",
        health="Asthma",
    )
    case_services.event_add(
        actor=caseworker,
        case=case,
        kind="recruitment",
        occurred_on=date(2025, 11, 2),
        country=to,
        place="Border",
    )
    case_services.perpetrator_add(
        actor=caseworker, case=case, roles=["RecruiterOrIntermediary"], name="Ko Broker"
    )
    case_services.best_interests_record(
        actor=caseworker,
        case=case,
        assessed_on=date(2026, 1, 25),
        assessor="S. Social worker",
        views="Wants to see her grandmother.",
        recommendation="return",
        family_traced=True,
        home_safe=True,
    )
    repatriation = case_services.repatriation_prepare(
        actor=caseworker,
        case=case,
        kind="cross_border",
        destination_country=to,
        agreement_code=agreement,
        destination_area_code=destination_area_code,
        receiving_focal_point_id=focal_point(world, case.agency, to).pk,
        summary_language="my",
        translated_summary="(summary in the receiving side's language)",
    )
    return case, repatriation


def approve_repatriation(world: World, sides: Sides, case: Case, repatriation: Repatriation) -> Any:
    """Side a asks to send the child's repatriation packet to side b (the child's best interests as the
    basis), and a coordinator of side a approves it: the transfer, waiting in the outbox."""
    transfer = services.transfer_request(
        actor=world.caseworker_a,
        case=case,
        peer=sides.peers["b"],
        kind="repatriation",
        basis="best_interests",
        repatriation=repatriation,
    )
    return services.transfer_approve(actor=world.coordinator_a, transfer=transfer)
