"""The demo's exchange: this installation's keys, a peer in Lao PDR (reached by files: it is not a real
server), one return sent there and answered, and one case received from there waiting for a coordinator."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone
from joserfc import jwk

from safepassage.cases.models import Repatriation
from safepassage.exchange import aggregates, keys, packet
from safepassage.exchange.models import Peer, Publication, Transfer
from safepassage.geo.models import Area


def _public() -> dict[str, Any]:
    return keys.public_jwk(jwk.ECKey.generate_key(keys.CURVE, private=True))


def generate_exchange(*, agencies: dict[str, Any]) -> int:
    """A peer, a sent and answered return (when the demo has a cross-border one) and a received case; the
    number of transfers made."""
    keys.create()
    receiver = agencies["cc"]
    signing = _public()
    peer = Peer.objects.create(
        name="Lao PDR: Department of Social Welfare (demo)",
        country="LA",
        signing_key=signing,
        encryption_key=_public(),
        key_id=str(jwk.import_key(signing, "EC").thumbprint()),
        receiving_agency=receiver,
    )
    made = 0
    repatriation = (
        Repatriation.objects.filter(kind="cross_border", destination_country="LA", case__agency=receiver)
        .select_related("case", "case__person", "case__agency", "case__stage", "assessment")
        .first()
    )
    if repatriation is not None and repatriation.case.consent_to_share:
        case = repatriation.case
        basis = Transfer.Basis.BEST_INTERESTS if case.is_child else Transfer.Basis.CONSENT
        parts = packet.parts_for(peer.profile, basis=basis, covers=[])
        Transfer.objects.create(
            agency=receiver,
            side=Transfer.Side.SENT,
            kind=Transfer.Kind.REPATRIATION,
            peer=peer,
            case=case,
            repatriation=repatriation,
            profile=peer.profile,
            basis=basis,
            packet=packet.build(
                case, kind="repatriation", basis=basis, parts=parts, repatriation=repatriation
            ),
            status=Transfer.Status.ACCEPTED,
            approved_at=timezone.now(),
            decided_at=timezone.now(),
            remote_reference="LA-VTE-2026-0042",
            message_id=uuid.uuid4(),
        )
        made += 1
    Transfer.objects.create(
        agency=receiver,
        side=Transfer.Side.RECEIVED,
        kind=Transfer.Kind.REPATRIATION,
        peer=peer,
        profile="case_management",
        basis=Transfer.Basis.BEST_INTERESTS,
        packet={
            "kind": "repatriation",
            "case_reference": "LA-VTE-2026-0051",
            "child": True,
            "sending_agency": "Vientiane Social Welfare (demo)",
            "basis": "best_interests",
            "given_name": "Noy",
            "family_name": "Keomany",
            "sex": "female",
            "birth_year": 2011,
            "languages": ["lo", "th"],
            "nationality": "TH",
            "best_interests": {
                "assessed_on": timezone.localdate().isoformat(),
                "assessor": "Vientiane social worker",
                "recommendation": "return",
                "family_traced": True,
                "home_safe": True,
            },
            "return": {"destination_country": "TH", "summary_language": "th", "summary": "(summary in Thai)"},
        },
        status=Transfer.Status.RECEIVED,
        message_id=uuid.uuid4(),
    )
    generate_rollup(agencies=agencies)
    return made + 1


def generate_rollup(*, agencies: dict[str, Any]) -> None:
    """The NGO's figures for the province, last quarter, sent up to the coordination centre (its roll-up
    page shows them), and two publications: a situation update approved, a report naming the NGO waiting
    for the NGO's coordinator."""
    province = Area.objects.filter(level="province").order_by("path").first()
    if province is not None and "ngo" in agencies:
        end = timezone.localdate().replace(day=1) - timedelta(days=1)
        start = (end.replace(day=1) - timedelta(days=62)).replace(day=1)
        aggregates.report_send(
            actor=None, agency=agencies["ngo"], area=province, start=start, end=end, to_agency=agencies["cc"]
        )
    Publication.objects.create(
        agency=agencies["cc"],
        kind=Publication.Kind.PUBLICATION,
        title="Situation update: the rainy season (demo)",
        text="More families moved to the border districts for seasonal work this quarter.",
        status=Publication.Status.APPROVED,
        approved_at=timezone.now(),
    )
    Publication.objects.create(
        agency=agencies["cc"],
        kind=Publication.Kind.REPORT,
        title="Working with the Northern Child Safety Foundation (demo)",
        text="Joint visits to three border villages with the foundation's outreach team.",
        reviewer_agency=agencies.get("ngo"),
    )
