"""Roll-up as protected aggregates, never records (docs/exchange.md, "Aggregate reports").

A district operating centre's coordinator makes an aggregate report for a period and an area: people by
risk band in each area one level down (the risk report's own protected figures, read from the report cells
as any reader outside the agency reads them) and cases opened, by stage, and closed in the period (each count
through the cell-key method, by the cases' record keys), cases referred to other services in the period and
interventions delivered (by the deliveries' record keys). The figures are protected when made, whoever makes
them: a roll-up leaves the agency. The report then goes to a higher centre here (the provincial or national
level reads it on the roll-up page) or to another installation as an `aggregate` message through the
exchange's outbox, where the inbox takes it only when it is signed, addressed and new (the exchange's
refusals) and its figures pass the same check: no count from 1 to 10, no field but the figures'.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from safepassage.accounts.models import Agency, User
from safepassage.audit.services import audit_record, audit_report
from safepassage.cases.models import Case, Stage
from safepassage.core.access import viewer_for
from safepassage.core.periods import check_whole_months
from safepassage.core.roles import Action, Role
from safepassage.exchange.message import Opened, Refused
from safepassage.exchange.models import REPORT_ROLE_ACTIONS, AggregateReport, Envelope, Peer
from safepassage.geo.models import Area, child_level
from safepassage.prevention.models import Delivery
from safepassage.reports import protect
from safepassage.reports.selectors import risk_rows
from safepassage.reports.tables import BANDS, CELL_LOOKUPS, Scope

# The only fields a report's figures may hold: anything else (a name, a record) is refused on both sides.
RISK_FIELDS = frozenset({"area", "area_name", "n", *BANDS})
STAGE_FIELDS = frozenset({"stage", "stage_name", "opened"})
TOTALS = ("cases_opened", "cases_closed", "cases_referred", "interventions_delivered")
TOP_FIELDS = frozenset({"risk", "stages", *TOTALS})


def _fail(field: str, text: str) -> ValidationError:
    return ValidationError({field: [text]})


def next_level(area: Area) -> str:
    """The level the figures are grouped by: one below the report's area (a province's districts)."""
    try:
        level = child_level(area.level, area.country_code) or ""
    except ValueError:  # a level its country does not have
        level = ""
    if level not in CELL_LOOKUPS or level == "village":
        raise _fail("area", _("Choose a country, a province or a district."))
    return level


def figures(agency: Agency, area: Area, start: date, end: date) -> dict[str, Any]:
    """The agency's outcomes in `area`, protected: people by risk band per area one level down (the risk
    report's figures for a reader outside the agency, as of today), cases opened in the period by their
    stage now, cases closed and cases referred in it (by the cases' record keys), interventions delivered in
    it (by the deliveries'); each count perturbed, "<11" when small."""
    level = next_level(area)
    scope = Scope(q=Q(agency_id=agency.pk), exact=False, empty=False)  # always protected: it leaves
    risk = [
        {
            "area": row[level],
            "area_name": row.get(f"{level}_name", ""),
            "n": row["n"],
            **{band: row[band] for band in BANDS},
        }
        for row in risk_rows(scope, [level], area, None)["rows"]
    ]
    cases = Case.objects.filter(agency=agency, area__path__startswith=area.path)
    opened = list(
        cases.filter(opened_on__gte=start, opened_on__lte=end).values_list("stage_id", "record_key")
    )
    closed = list(cases.filter(closed_on__gte=start, closed_on__lte=end).values_list("record_key", flat=True))
    by_stage: dict[int, list[int]] = defaultdict(list)
    for stage_id, key in opened:
        by_stage[stage_id].append(int(key))
    names = {s.pk: (s.code, str(s.name)) for s in Stage.objects.filter(pk__in=by_stage)}
    stages = [
        {"stage": names[pk][0], "stage_name": names[pk][1], "opened": _published(keys)}
        for pk, keys in sorted(by_stage.items(), key=lambda item: names[item[0]][0])
    ]
    referred = list(
        cases.filter(
            referrals__from_agency=agency,
            referrals__created_at__date__gte=start,
            referrals__created_at__date__lte=end,
        )
        .distinct()
        .values_list("record_key", flat=True)
    )
    delivered = list(
        Delivery.objects.filter(
            agency=agency, village__path__startswith=area.path, started_on__gte=start, started_on__lte=end
        ).values_list("record_key", flat=True)
    )
    return {
        "risk": risk,
        "cases_opened": _published([k for _s, k in opened]),
        "cases_closed": _published(closed),
        "cases_referred": _published(referred),
        "interventions_delivered": _published(delivered),
        "stages": stages,
    }


def _published(keys: list[int]) -> protect.Published:
    """A count of these records as published outside the agency (cell-key method, "<11" when small)."""
    return protect.count(len(keys), sum(int(k) for k in keys))


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_figures(found: Any) -> None:
    """A report's figures hold only the named fields, and every count is 0, "<11" or 11 and more: otherwise
    ValueError (on sending, a bug; on receiving, a refused message)."""
    if not isinstance(found, dict) or set(found) - TOP_FIELDS:
        raise ValueError("fields")
    for name in TOTALS:
        _check_count(found.get(name, 0))
    for rows, allowed, counts in (
        (found.get("risk", []), RISK_FIELDS, ("n", *BANDS)),
        (found.get("stages", []), STAGE_FIELDS, ("opened",)),
    ):
        if not isinstance(rows, list):
            raise ValueError("rows")
        for row in rows:
            if not isinstance(row, dict) or set(row) - allowed:
                raise ValueError("row")
            for name in counts:
                _check_count(row.get(name, 0))


def _check_count(value: Any) -> None:
    if value == protect.SMALL:
        return
    if not _is_count(value) or value < 0 or 0 < value < protect.THRESHOLD:
        raise ValueError("count")


def _is_coordinator(actor: User | None, agency_id: int) -> bool:
    return viewer_for(actor).has_role(Role.COORDINATOR, agency_id=agency_id)


@transaction.atomic
def report_send(
    *,
    actor: User | None,
    agency: Agency,
    area: Area,
    start: date | None,
    end: date | None,
    to_agency: Agency | None = None,
    peer: Peer | None = None,
) -> AggregateReport:
    """A coordinator of `agency` makes its aggregate report and sends it: to a higher centre here, or to
    another installation through the exchange's outbox. Both copies (the one made, the one received here)
    and the message are audited."""
    if actor is not None and not _is_coordinator(actor, agency.pk):
        raise Http404
    if (to_agency is None) == (peer is None):
        raise _fail("to", _("Send it either to an agency here or to another installation."))
    if to_agency is not None and to_agency.pk == agency.pk:
        raise _fail("to", _("Send it to another agency: the centre above yours."))
    if peer is not None and not peer.active:
        raise _fail("to", _("This peer is not active."))
    check_whole_months(start, end, start_name="start", end_name="end")
    assert start is not None and end is not None
    found = figures(agency, area, start, end)
    check_figures(found)  # never sent otherwise
    common = {
        "uid": uuid.uuid4(),
        "from_name": agency.name,
        "area_code": area.code,
        "area_name": area.name,
        "level": next_level(area),
        "period_start": start,
        "period_end": end,
        "figures": found,
        "made_by": actor,
    }
    report = AggregateReport.objects.create(
        agency=agency, side=AggregateReport.Side.MADE, to_agency=to_agency, peer=peer, **common
    )
    if peer is not None:
        envelope = Envelope.objects.create(
            peer=peer,
            direction=Envelope.Direction.OUT,
            type=Envelope.Type.AGGREGATE,
            body=_body(report),
            status=Envelope.Status.WAITING,
            next_attempt_at=timezone.now(),
        )
        report.message_id = envelope.message_id
        report.save(update_fields=["message_id"])
    audit_record(
        actor=actor,
        action="exchange.aggregate.send",
        obj=report,
        changes={
            "area": area.code,
            "period": f"{start.isoformat()}/{end.isoformat()}",
            "to_agency": to_agency.pk if to_agency else None,
            "peer": peer.pk if peer else None,
            "message": str(report.message_id or ""),
        },
        plain=("area", "period"),
    )
    if to_agency is not None:
        received = AggregateReport.objects.create(
            agency=to_agency, side=AggregateReport.Side.RECEIVED, **common
        )
        audit_record(
            actor=actor,
            action="exchange.aggregate.receive",
            obj=received,
            changes={"from_agency": agency.pk, "area": area.code, "channel": "here"},
            plain=("area",),
        )
    return report


def _body(report: AggregateReport) -> dict[str, Any]:
    return {
        "report": str(report.uid),
        "from": report.from_name,
        "area": report.area_code,
        "area_name": report.area_name,
        "level": report.level,
        "start": report.period_start.isoformat(),
        "end": report.period_end.isoformat(),
        "figures": report.figures,
    }


def take(opened: Opened) -> None:
    """An `aggregate` message from a peer, opened and verified by the exchange: kept for the peer's
    receiving agency, or refused as malformed (a count under 11, a field that is not a figure, a period that
    is not whole months, one already here)."""
    body = opened.body
    try:
        uid = uuid.UUID(str(body["report"]))
        start, end = parse_date(str(body["start"])), parse_date(str(body["end"]))
        check_whole_months(start, end, start_name="start", end_name="end")
        check_figures(body["figures"])
        if set(body) - {"report", "from", "area", "area_name", "level", "start", "end", "figures"}:
            raise ValueError("body")
    except (KeyError, ValueError, TypeError, ValidationError):
        raise Refused("malformed", peer=opened.peer, message_id=opened.message_id) from None
    agency = opened.peer.receiving_agency
    if AggregateReport.objects.filter(agency=agency, side=AggregateReport.Side.RECEIVED, uid=uid).exists():
        raise Refused("replayed", peer=opened.peer, message_id=opened.message_id)
    assert start is not None and end is not None
    report = AggregateReport.objects.create(
        uid=uid,
        agency=agency,
        side=AggregateReport.Side.RECEIVED,
        peer=opened.peer,
        from_name=f"{opened.peer.name}: {str(body.get('from', ''))[:150]}",
        area_code=str(body["area"])[:20],
        area_name=str(body.get("area_name", ""))[:200],
        level=str(body.get("level", ""))[:12],
        period_start=start,
        period_end=end,
        figures=body["figures"],
        message_id=uuid.UUID(opened.message_id),
    )
    audit_record(
        actor=None,
        action="exchange.aggregate.receive",
        obj=report,
        agency=agency,
        changes={"peer": opened.peer.pk, "message": opened.message_id, "area": report.area_code},
        plain=("area",),
    )


def may_read(actor: User | None) -> bool:
    """Administrators, coordinators and analysts of an agency read its roll-up page."""
    return any(g.role in REPORT_ROLE_ACTIONS for g in viewer_for(actor).grants)


def read_rollup(actor: User | None) -> list[dict[str, Any]]:
    """The roll-up for a page or the API: each reading is audited (`reports.rollup.request`), as every
    aggregate read outside the agency that made it."""
    rows = rollup(actor)
    with transaction.atomic():
        audit_report(actor=actor, report="rollup", parameters={"areas": len(rows)})
    return rows


def reports_for(actor: User | None) -> Any:
    """The aggregate reports the actor's agencies made or received (coordinators and analysts)."""
    return AggregateReport.objects.visible_to(actor, Action.VIEW).select_related(
        "agency", "peer", "to_agency"
    )


def rollup(actor: User | None, start: date | None = None, end: date | None = None) -> list[dict[str, Any]]:
    """The provincial or national view: the latest report each centre below sent to the actor's agencies
    (within a period, if given), each area's figures as that centre published them, and a total per area of
    the figures shown ("at least" when a part shows "<11": hidden parts are never guessed). One report per
    centre, so that a centre's people are never counted twice."""
    received = reports_for(actor).filter(side=AggregateReport.Side.RECEIVED)
    if start is not None:
        received = received.filter(period_start__gte=start)
    if end is not None:
        received = received.filter(period_end__lte=end)
    latest: dict[tuple[int, str], AggregateReport] = {}
    for report in received.order_by("-period_end", "-created_at", "-id"):
        latest.setdefault((report.agency_id, report.from_name), report)
    areas: dict[str, dict[str, Any]] = {}
    for report in sorted(latest.values(), key=lambda r: r.from_name):
        for row in report.figures.get("risk", []):
            entry = areas.setdefault(
                row["area"],
                {
                    "area": row["area"],
                    "area_name": row.get("area_name", ""),
                    "parts": [],
                    "total": dict.fromkeys(("n", *BANDS), 0),
                    "at_least": [],
                },
            )
            entry["parts"].append({"report": report, **row})
            for name in ("n", *BANDS):
                value = row.get(name, 0)
                if _is_count(value):
                    entry["total"][name] += value
                elif name not in entry["at_least"]:
                    entry["at_least"].append(name)
    return sorted(areas.values(), key=lambda e: e["area"])
