"""One step run inside one test installation (its own DATA_DIR and database), for the two-server test:
`python tests/exchange/installation.py <step> '<json>'`, the answer as JSON on the last line."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safepassage.settings")


def setup(args: dict[str, Any]) -> dict[str, Any]:
    """An agency with a coordinator and a caseworker (API tokens), an area tree, the exchange keys, and a case
    whose return to the other country is prepared."""
    from safepassage.accounts.models import Agency, Membership, User
    from safepassage.accounts.services import token_issue
    from safepassage.exchange import keys
    from safepassage.testing import area
    from tests.exchange.conftest import returning_case

    cc = args["country"]
    agency = Agency.objects.create(
        code=args["code"], name=args["name"], kind="government", country=cc, profile="case_management"
    )
    top = area(cc, "country")
    province = area(f"{cc}1", "province", top)
    district = area(f"{cc}101", "district", province)
    sub = area(f"{cc}10101", "subdistrict", district)
    village = area(f"{cc}1010101", "village", sub)
    tokens = {}
    users = {}
    for role in ("coordinator", "caseworker"):
        user = User.objects.create_user(username=f"{role}-{args['code']}", password="x" * 16)
        Membership.objects.create(user=user, agency=agency, role=role)
        tokens[role] = token_issue(actor=None, user=user, name="exchange test")[1]
        users[role] = user
    case, repatriation = returning_case(
        None,  # type: ignore[arg-type]
        caseworker=users["caseworker"],
        village=village,
        to=args["to"],
        birth_year=args["birth_year"],
        given_name=args["given_name"],
    )
    keys.create()
    pairs = keys.load()
    return {
        "agency_id": agency.pk,
        "village": village.code,
        "tokens": tokens,
        "public": pairs.public(),
        "key_id": pairs.signing_id,
        "case_id": case.pk,
        "repatriation_id": repatriation.pk,
    }


def state(args: dict[str, Any]) -> dict[str, Any]:
    """What the case, its return and follow-ups, the transfers and the refusals look like here."""
    from safepassage.audit.models import AuditEvent
    from safepassage.cases.models import Case, FollowUp
    from safepassage.exchange.models import Transfer

    case = Case.objects.get(pk=args["case_id"])
    repatriation = case.repatriations.get()
    return {
        "repatriation": [repatriation.status, repatriation.acknowledged_by],
        "follow_ups": [
            [f.kind, f.wellbeing, f.summary, f.by] for f in FollowUp.objects.filter(case=case).order_by("id")
        ],
        "transfers": [[t.side, t.status, t.remote_reference] for t in Transfer.objects.order_by("id")],
        "refused": [
            e.changes["reason"]
            for e in AuditEvent.objects.filter(action="exchange.message.refuse").order_by("id")
        ],
        "actions": sorted(
            set(AuditEvent.objects.filter(action__startswith="exchange.").values_list("action", flat=True))
        ),
        "cases": Case.objects.count(),
    }


if __name__ == "__main__":
    import django

    django.setup()
    from django.db import transaction

    step, raw = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "{}"
    with transaction.atomic():
        answer = {"setup": setup, "state": state}[step](json.loads(raw))
    print(json.dumps(answer))
