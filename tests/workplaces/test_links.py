"""Links between establishments, supply chains, hot spots over time and the media review queue (issue 22
part 8: R-015, R-097, R-099)."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from safepassage.audit.models import AuditEvent
from safepassage.testing import api_client, web_client
from safepassage.workplaces import links, services
from safepassage.workplaces.links import _month_start
from safepassage.workplaces.models import MediaItem, Observation, WorkplaceLink

pytestmark = pytest.mark.django_db
TODAY = date.today()


def test_women_moved_between_venues_are_a_link_seen_from_both_ends(employer_world):
    world, mine, other = employer_world
    link = links.link_record(
        actor=world.caseworker_a,
        from_workplace=other,
        to_workplace_id=mine.pk,
        kind="people_moved",
        started_on=TODAY - timedelta(days=30),
        ended_on=TODAY,
        source="tip",
        reliability="C",
        note="Four women moved in a van at night",
    )
    assert list(links.links_of(viewer=world.coordinator_a, workplace=mine)) == [link]
    assert list(links.links_of(viewer=world.coordinator_a, workplace=other)) == [link]
    assert not links.links_of(viewer=world.coordinator_b, workplace=mine).exists()
    event = AuditEvent.objects.get(action="workplaces.link.record")
    assert "van" not in str(event.changes)  # the note is sealed in the trail too
    assert WorkplaceLink.objects.get().note == "Four women moved in a van at night"


def test_a_link_is_checked(employer_world):
    world, mine, other = employer_world
    base: dict[str, Any] = {"kind": "people_moved", "source": "tip", "reliability": "C"}
    with pytest.raises(ValidationError) as caught:
        links.link_record(
            actor=world.caseworker_a, from_workplace=mine, to_workplace_id=mine.pk, started_on=TODAY, **base
        )
    assert "to_workplace" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        links.link_record(
            actor=world.caseworker_a,
            from_workplace=mine,
            to_workplace_id=other.pk,
            started_on=TODAY,
            ended_on=TODAY - timedelta(days=1),
            **base,
        )
    assert "ended_on" in caught.value.message_dict
    theirs = services.workplace_create(actor=world.coordinator_b, name="B's bar", sector="entertainment")
    with pytest.raises(ValidationError):  # another agency's workplace is not the actor's to link
        links.link_record(
            actor=world.caseworker_a, from_workplace=mine, to_workplace_id=theirs.pk, started_on=TODAY, **base
        )
    assert not WorkplaceLink.objects.exists()


def test_supply_chain_from_a_workplace_to_an_employer_on_record(employer_world):
    world, mine, other = employer_world
    buyer = services.employer_create(actor=world.coordinator_a, legal_name="Export Canning Ltd")
    link = links.supply_record(
        actor=world.caseworker_a, workplace=mine, product="frozen shrimp", buyer_id=buyer.pk, source="report"
    )
    named = links.supply_record(
        actor=world.caseworker_a,
        workplace=other,
        product="shrimp",
        buyer_name="A brand abroad",
        buyer_country="us",
        source="media",
    )
    assert named.buyer_country == "US" and named.buyer_label == "A brand abroad"
    assert [s.workplace for s in links.suppliers_of(viewer=world.coordinator_a, employer=buyer)] == [mine]
    assert list(links.supplies_of(viewer=world.coordinator_a, workplace=mine)) == [link]
    with pytest.raises(ValidationError) as caught:
        links.supply_record(actor=world.caseworker_a, workplace=mine, product="", source="tip")
    assert {"buyer_name", "product"} <= set(caught.value.message_dict)
    theirs = services.employer_create(actor=world.coordinator_b, legal_name="B's buyer")
    with pytest.raises(ValidationError):
        links.supply_record(
            actor=world.caseworker_a, workplace=mine, product="x", buyer_id=theirs.pk, source="tip"
        )


def _observe(world, workplace, day, actor=None):
    return services.observation_record(
        actor=actor or world.caseworker_a,
        workplace=workplace,
        observed_on=day,
        source="visit",
        reliability="B",
        indicators=["excessive_overtime"],
    )


def test_hot_spots_count_evidence_by_month_in_the_viewers_agency(employer_world):
    world, mine, other = employer_world  # one tip on `mine` today (fixture)
    last_month = _month_start(TODAY, 1)
    _observe(world, mine, last_month)
    _observe(world, mine, last_month + timedelta(days=1))
    _observe(world, other, TODAY)
    _observe(world, other, _month_start(TODAY, 14))  # outside 12 months
    spots = links.hotspots(viewer=world.coordinator_a, months=12)
    assert spots.months[-1] == _month_start(TODAY, 0) and spots.months[-2] == last_month
    rows = {r.name: r for r in spots.rows}
    assert rows["Pier 4 processing"].counts[-2:] == [2, 1] and rows["Pier 4 processing"].total == 3
    assert rows["Karaoke 9"].counts[-1] == 1 and rows["Karaoke 9"].total == 1
    assert spots.rows[0].name == "Pier 4 processing"  # the most evidence first
    assert spots.totals[-1] == 2
    # the area filter: only Pier 4 is in village 1
    in_area = links.hotspots(viewer=world.coordinator_a, area=world.district_1)
    assert [r.name for r in in_area.rows] == ["Pier 4 processing"]
    # another agency counts none of it
    assert links.hotspots(viewer=world.coordinator_b).rows == []


def test_media_item_accepted_becomes_evidence_and_the_workplace_is_rated_again(employer_world):
    world, mine, _ = employer_world
    before = mine.risk_score
    item = links.media_add(
        actor=world.caseworker_a,
        published_on=TODAY - timedelta(days=2),
        outlet="Daily News",
        title="Workers locked in at pier",
        url="https://example.org/news/1",
        workplace_id=mine.pk,
        indicators=["restriction_of_movement"],
    )
    assert item.status == MediaItem.Status.PENDING
    assert list(links.media_queue(viewer=world.coordinator_a)) == [item]
    with pytest.raises(PermissionDenied):  # a caseworker adds, a coordinator reviews
        links.media_accept(actor=world.caseworker_a, item=item, reliability="C")
    observation = links.media_accept(actor=world.coordinator_a, item=item, reliability="C")
    assert observation.source == Observation.Source.MEDIA
    assert observation.indicators == ["restriction_of_movement"]
    assert "Daily News" in observation.text and "https://example.org/news/1" in observation.text
    item.refresh_from_db()
    mine.refresh_from_db()
    assert item.status == MediaItem.Status.ACCEPTED and item.observation == observation
    assert mine.risk_score > before
    with pytest.raises(ValidationError):  # reviewed once only
        links.media_reject(actor=world.coordinator_a, item=item, reason="duplicate")
    assert not links.media_queue(viewer=world.coordinator_a).exists()


def test_media_item_rejected_needs_a_reason_and_never_becomes_evidence(employer_world):
    world, mine, _ = employer_world
    item = links.media_add(
        actor=world.caseworker_a, published_on=TODAY, outlet="A page", title="Rumour", workplace_id=mine.pk
    )
    with pytest.raises(ValidationError):
        links.media_reject(actor=world.coordinator_a, item=item, reason="  ")
    links.media_reject(actor=world.coordinator_a, item=item, reason="Satire page, not news")
    item.refresh_from_db()
    assert item.status == MediaItem.Status.REJECTED and item.reject_reason == "Satire page, not news"
    assert not Observation.objects.filter(source="media").exists()
    unplaced = links.media_add(actor=world.caseworker_a, published_on=TODAY, outlet="Radio", title="Boats")
    with pytest.raises(ValidationError) as caught:  # accepted only once a workplace is named
        links.media_accept(actor=world.coordinator_a, item=unplaced, reliability="D")
    assert "workplace" in caught.value.message_dict


def test_api_is_for_the_owning_agencys_staff_only(employer_world):
    world, mine, other = employer_world
    staff = api_client(world.caseworker_a)
    made = staff.post(
        f"/api/v1/workplaces/{mine.pk}/links",
        {
            "to_workplace_id": other.pk,
            "kind": "same_owner",
            "started_on": str(TODAY),
            "source": "report",
            "reliability": "B",
        },
    )
    assert made.status_code == 201, made.content
    assert staff.get(f"/api/v1/workplaces/{other.pk}/links").json()[0]["from_workplace_id"] == mine.pk
    supply = staff.post(
        f"/api/v1/workplaces/{mine.pk}/supplies",
        {"product": "fish meal", "buyer_name": "Feed mill", "source": "visit"},
    )
    assert supply.status_code == 201, supply.content
    spots = staff.get("/api/v1/workplace-hotspots?months=3").json()
    assert len(spots["months"]) == 3 and spots["rows"][0]["total"] == 1
    item = staff.post(
        "/api/v1/media-items",
        {"published_on": str(TODAY), "outlet": "TV 3", "title": "Raid at pier", "workplace_id": mine.pk},
    ).json()
    assert staff.post(f"/api/v1/media-items/{item['id']}/accept", {"reliability": "B"}).status_code == 403
    accepted = api_client(world.coordinator_a).post(
        f"/api/v1/media-items/{item['id']}/accept", {"reliability": "B"}
    )
    assert accepted.status_code == 200 and accepted.json()["observation_id"]
    # the partner employer, an analyst and another agency see none of it
    for user in (world.users["employer_user"], world.analyst_a, world.coordinator_b):
        client = api_client(user)
        assert client.get(f"/api/v1/workplaces/{mine.pk}/links").status_code == 404
        assert client.get(f"/api/v1/workplaces/{mine.pk}/supplies").status_code == 404
        assert client.post(f"/api/v1/media-items/{item['id']}/reject", {"reason": "x"}).status_code == 404
    assert api_client(world.coordinator_b).get("/api/v1/media-items?status=").json() == []


def test_pages_record_links_and_review_media(employer_world):
    world, mine, other = employer_world
    client = web_client(world.caseworker_a)
    response = client.post(
        f"/workplaces/{mine.pk}/connections/",
        {
            "action": "link",
            "link-to_workplace": str(other.pk),
            "link-direction": "in",
            "link-kind": "people_moved",
            "link-started_on": TODAY.isoformat(),
            "link-source": "tip",
            "link-reliability": "C",
        },
    )
    assert response.status_code == 302
    link = WorkplaceLink.objects.get()
    assert (link.from_workplace, link.to_workplace) == (other, mine)
    page = client.get(f"/workplaces/{mine.pk}/connections/").content.decode()
    assert "Karaoke 9" in page and "Evidence by month" in page
    client.post(
        "/workplaces/media/", {"published_on": TODAY.isoformat(), "outlet": "Post", "title": "Pier story"}
    )
    item = MediaItem.objects.get()
    assert "Pier story" in client.get("/workplaces/media/").content.decode()
    coordinator = web_client(world.coordinator_a)
    queue = coordinator.get("/workplaces/media/").content.decode()
    assert "Accept as evidence" in queue
    coordinator.post(
        f"/workplaces/media/{item.pk}/review/",
        {"decision": "accept", "workplace": str(mine.pk), "reliability": "B"},
    )
    item.refresh_from_db()
    assert item.status == "accepted" and item.workplace == mine
    assert "Pier 4 processing" in coordinator.get("/workplaces/hotspots/").content.decode()
    partner = web_client(world.users["employer_user"])
    assert partner.get(f"/workplaces/{mine.pk}/connections/").status_code == 404
    assert partner.get("/workplaces/media/").status_code == 404
    assert "connections" not in partner.get(f"/workplaces/{mine.pk}/").content.decode()


def test_demo_links_venues_supply_chains_and_queues_media(world):
    from safepassage.workplaces.demo import generate_links_and_media

    for name, sector in (("Bar 1", "entertainment"), ("Bar 2", "entertainment"), ("Pier", "seafood")):
        services.workplace_create(actor=world.coordinator_a, name=name, sector=sector)
    services.employer_create(actor=world.coordinator_a, legal_name="Buyer Co.")
    made = generate_links_and_media(agencies={"cc": world.agency_a})
    assert made == {"links": 1, "supplies": 1, "media": 3}
    assert WorkplaceLink.objects.get().kind == "people_moved"
    assert links.media_queue(viewer=world.coordinator_a).count() == 2
    assert MediaItem.objects.filter(status="rejected").count() == 1
