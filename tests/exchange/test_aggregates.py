"""Roll-up as protected aggregates (issue #22 part 7; R-037, R-030, R-095): a district centre's figures go
up to a provincial centre here or to another installation through the exchange, equal to the lower level's
protected figures, never a figure under 11 nor a record; refused when tampered or carrying small counts."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from safepassage.audit.models import AuditEvent
from safepassage.core import disclosure
from safepassage.core.periods import month_end
from safepassage.exchange import aggregates, message, services
from safepassage.exchange.models import AggregateReport, Envelope
from safepassage.prevention.models import Delivery, Intervention
from safepassage.reports import selectors
from safepassage.testing import api_client, open_case, web_client
from tests.exchange.test_exchange import _refusal
from tests.reports.attacks import Someone, add_people, shown, small_counts

pytestmark = pytest.mark.django_db

START = date(2026, 1, 1)
END = month_end(date(2026, 3, 1))


def _district_population(world):
    """Agency A: 20 high and 14 low in district 5001 (village 1), 4 in district 5002 (village 3)."""
    high = add_people(world, [Someone(world.village_1, "female", "high", 90.0) for _ in range(20)], seed=1)
    low = add_people(world, [Someone(world.village_1, "male", "low", 5.0) for _ in range(14)], seed=2)
    few = add_people(world, [Someone(world.village_3, "female", "high", 80.0) for _ in range(4)], seed=3)
    for n in range(3):
        open_case(world, given_name=f"Nan{n}", opened_on=date(2026, 2, 2))
    training = Intervention.objects.get(code="vocational_training")
    Delivery.objects.bulk_create(
        Delivery(
            agency=world.agency_a,
            intervention=training,
            level="person",
            person=person,
            village=world.village_1,
            started_on=date(2026, 2, 10),
        )
        for person in high[:15]
    )
    return high, low, few


def _row(rows, code):
    return next(r for r in rows if r.get("area", r.get("district")) == code)


def test_a_district_rolls_up_to_the_provincial_centre_as_the_lower_levels_protected_figures(world):
    high, low, _few = _district_population(world)
    report = aggregates.report_send(
        actor=world.coordinator_a,
        agency=world.agency_a,
        area=world.province,
        start=START,
        end=END,
        to_agency=world.agency_b,
    )
    # The lower level's own protected figures: the risk report as agency A's analyst reads it.
    protected = selectors.risk_report(viewer=world.analyst_a, group_by=["district"], area=world.province)
    sent = report.figures
    for code in ("5001", "5002"):
        mine, theirs = _row(sent["risk"], code), _row(protected["rows"], code)
        assert {k: mine[k] for k in ("n", "low", "medium", "high")} == {
            k: theirs[k] for k in ("n", "low", "medium", "high")
        }
    assert _row(sent["risk"], "5001")["n"] == shown(high + low)
    assert _row(sent["risk"], "5001")["high"] == shown(high)
    assert _row(sent["risk"], "5002")["n"] == "<11"  # four people: hidden
    assert sent["cases_opened"] == "<11"  # three cases
    keys = list(Delivery.objects.values_list("record_key", flat=True))
    assert sent["interventions_delivered"] == disclosure.shown_count(15, sum(keys)).as_json()
    # No figure under 11, no record, no name leaves.
    assert small_counts(sent) == []
    text = json.dumps(sent)
    assert "Nan" not in text and '"P"' not in text and "record_key" not in text

    # The provincial centre (agency B's coordinator) reads it on its roll-up page: the same figures.
    rolled = aggregates.rollup(world.coordinator_b)
    assert _row(rolled, "5001")["total"]["n"] == shown(high + low)
    assert "n" in _row(rolled, "5002")["at_least"]
    page = web_client(world.coordinator_b).get("/exchange/aggregates/")
    assert page.status_code == 200 and str(shown(high + low)) in page.content.decode()
    assert AuditEvent.objects.filter(action="reports.rollup.request", actor=world.coordinator_b).exists()
    # Agency B's caseworker and the other agency's analyst see nothing of it; neither does A's volunteer.
    assert aggregates.rollup(world.caseworker_b) == []
    assert aggregates.rollup(world.volunteer_a) == []
    # Audited on both sides.
    assert AuditEvent.objects.filter(action="exchange.aggregate.send", agency=world.agency_a).count() == 1
    assert AuditEvent.objects.filter(action="exchange.aggregate.receive", agency=world.agency_b).count() == 1


def test_only_a_coordinator_sends_a_roll_up_for_whole_months(world):
    _district_population(world)
    with pytest.raises(Http404):
        aggregates.report_send(
            actor=world.caseworker_a,
            agency=world.agency_a,
            area=world.province,
            start=START,
            end=END,
            to_agency=world.agency_b,
        )
    with pytest.raises(ValidationError):  # a day-level period
        aggregates.report_send(
            actor=world.coordinator_a,
            agency=world.agency_a,
            area=world.province,
            start=date(2026, 1, 2),
            end=END,
            to_agency=world.agency_b,
        )
    assert not AggregateReport.objects.exists()


def test_figures_under_eleven_or_records_never_pass_the_check():
    bad: dict[str, Any]
    for bad in (
        {"cases_opened": 5},
        {"risk": [{"area": "5001", "n": 3}]},
        {"risk": [{"area": "5001", "n": 30, "given_name": "Mya"}]},
        {"people": []},
        {"stages": [{"stage": "intake", "opened": 1}]},
    ):
        with pytest.raises(ValueError):
            aggregates.check_figures(bad)
    aggregates.check_figures({"risk": [{"area": "5001", "n": "<11", "high": 0}], "cases_opened": 12})


def test_an_aggregate_report_crosses_to_another_installation_and_is_audited_on_both_sides(world, sides):
    high, low, _few = _district_population(world)
    report = aggregates.report_send(
        actor=world.coordinator_a,
        agency=world.agency_a,
        area=world.province,
        start=START,
        end=END,
        peer=sides.peers["b"],
    )
    envelope = Envelope.objects.get(direction="out", type="aggregate")
    assert envelope.message_id == report.message_id
    assert services.outbox_run(post=sides.post_to("b")).delivered == 1
    with sides.side("b"):
        received = AggregateReport.objects.get(side="received")
        assert received.agency == world.agency_b and received.peer == sides.peers["a"]
        assert received.figures == report.figures  # exactly what the sender's disclosure control published
        assert _row(received.figures["risk"], "5001")["n"] == shown(high + low)
        assert received.period_start == START and received.period_end == END
        assert _row(aggregates.rollup(world.coordinator_b), "5001")["total"]["n"] == shown(high + low)
    assert AuditEvent.objects.filter(action="exchange.aggregate.receive", agency=world.agency_b).count() == 1
    assert AuditEvent.objects.filter(action="exchange.message.receive", agency=world.agency_b).count() >= 1
    assert AuditEvent.objects.filter(action="exchange.message.deliver").count() == 1
    assert AuditEvent.objects.filter(action="exchange.aggregate.send", agency=world.agency_a).count() == 1


def _aggregate_token(sides, figures, **body):
    with sides.side("a"):
        return message.seal(
            sides.peers["b"],
            type="aggregate",
            transfer="",
            body={
                "report": str(uuid.uuid4()),
                "from": "District centre",
                "area": "50",
                "area_name": "Province",
                "level": "district",
                "start": START.isoformat(),
                "end": END.isoformat(),
                "figures": figures,
                **body,
            },
        )


def test_a_tampered_forged_replayed_or_small_aggregate_message_is_refused(world, sides):
    good = {"risk": [{"area": "5001", "area_name": "D1", "n": 34, "high": 20, "low": 14}], "cases_opened": 0}
    token = _aggregate_token(sides, good)
    with sides.side("b"):
        head, rest = token[:-30], token[-30:]
        _refusal(head + rest[0] + ("A" if rest[1] != "A" else "B") + rest[2:], "not_decrypting")
        before = AggregateReport.objects.count()
        _refusal(_aggregate_token(sides, {"risk": [{"area": "5001", "n": 7}]}), "malformed")
        _refusal(_aggregate_token(sides, {**good, "people": [{"given_name": "Mya"}]}), "malformed")
        _refusal(_aggregate_token(sides, good, start="2026-01-02"), "malformed")  # not whole months
        assert AggregateReport.objects.count() == before
        services.receive(token)
        assert AggregateReport.objects.filter(side="received").count() == before + 1
        _refusal(token, "replayed")


def test_the_demo_shows_a_districts_figures_on_the_provincial_centres_page(world, settings, tmp_path):
    from safepassage.exchange.demo import generate_rollup

    _district_population(world)
    generate_rollup(agencies={"cc": world.agency_b, "ngo": world.agency_a})
    page = web_client(world.coordinator_b).get("/exchange/aggregates/").content.decode()
    assert "Agency A" in page and "Total" in page
    listed = web_client(world.coordinator_a).get("/exchange/publications/").content.decode()
    assert "Situation update" in listed or "Working with" in listed


def test_the_api_sends_a_roll_up_and_the_provincial_centre_reads_it(world):
    high, low, _few = _district_population(world)
    body = {
        "agency_id": world.agency_a.pk,
        "area_code": world.province.code,
        "start": "2026-01-01",
        "end": "2026-03-31",
        "to_agency_id": world.agency_b.pk,
    }
    assert api_client(world.analyst_a).post("/api/v1/exchange/aggregates", body).status_code == 404
    day = {**body, "start": "2026-01-02"}
    assert api_client(world.coordinator_a).post("/api/v1/exchange/aggregates", day).status_code == 400
    sent = api_client(world.coordinator_a).post("/api/v1/exchange/aggregates", body)
    assert sent.status_code == 201 and small_counts(sent.json()) == []
    answer = api_client(world.coordinator_b).get("/api/v1/exchange/aggregates").json()
    assert _row(answer["rows"], "5001")["total"]["n"] == shown(high + low)
    assert small_counts(answer) == []


def test_the_page_sends_a_roll_up_to_the_centre_above(world):
    _district_population(world)
    form = {
        "agency": world.agency_a.pk,
        "area": world.province.code,
        "start": "2026-01-01",
        "end": "2026-03-31",
        "to": f"a-{world.agency_b.pk}",
    }
    client = web_client(world.coordinator_a)
    assert client.post("/exchange/aggregates/", {**form, "to": "a-x"}).status_code == 200  # nowhere to send
    assert client.post("/exchange/aggregates/", form).status_code == 302
    assert AggregateReport.objects.filter(side="received", agency=world.agency_b).count() == 1
    page = web_client(world.coordinator_b).get("/exchange/aggregates/").content.decode()
    assert "Agency A" in page
    # Sent again for the next quarter: the provincial total counts the centre's people once, not twice.
    client.post("/exchange/aggregates/", {**form, "start": "2026-04-01", "end": "2026-06-30"})
    assert AggregateReport.objects.filter(side="received", agency=world.agency_b).count() == 2
    rolled = aggregates.rollup(world.coordinator_b)
    assert len(_row(rolled, "5001")["parts"]) == 1
    assert _row(rolled, "5001")["parts"][0]["report"].period_end == date(2026, 6, 30)
