"""The alert list in order of urgency (the home page's links open it so): open before acknowledged before
resolved; among open ones, those past their acknowledgement deadline, then red flags, then the most
escalated; within those, the one that has waited longest. And only the late ones, when asked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from safepassage.registry import selectors
from safepassage.registry.models import Alert, Person
from safepassage.testing import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerts(world: World) -> dict[str, Alert]:
    now = timezone.now()
    who = Person.objects.create(agency=world.agency_a, given_name="Ploy", village=world.village_1)

    def make(name: str, hours: int, *, flag: bool = False, **fields: object) -> tuple[str, Alert]:
        reasons = [{"rule": "index_rise"}] + (
            [{"rule": "red_flag", "flags": ["child_alone"]}] if flag else []
        )
        alert = Alert.objects.create(
            agency=world.agency_a,
            person=who,
            village=who.village,
            reasons=reasons,
            due_at=now + timedelta(hours=hours),
            **fields,
        )
        return name, alert

    return dict(
        [
            make("resolved", -300, status=Alert.Status.RESOLVED),
            make("acknowledged", -200, status=Alert.Status.ACKNOWLEDGED),
            make("open_later", 48),
            make("late", -2),
            make("flag_not_late", 60, flag=True),
            make("late_escalated", -1, escalation_level=1),
            make("late_flag", -3, flag=True),
            make("late_longest", -30),
        ]
    )


def names(qs: object, alerts: dict[str, Alert]) -> list[str]:
    by_pk = {a.pk: name for name, a in alerts.items()}
    return [by_pk[a.pk] for a in qs]  # type: ignore[attr-defined]


def test_alerts_in_order_of_urgency(world, alerts):
    ordered = selectors.alert_list(viewer=world.coordinator_a, order="urgency")
    assert names(ordered, alerts) == [
        "late_flag",
        "late_escalated",
        "late_longest",
        "late",
        "flag_not_late",
        "open_later",
        "acknowledged",
        "resolved",
    ]


def test_newest_first_stays_the_default(world, alerts):
    assert names(selectors.alert_list(viewer=world.coordinator_a), alerts)[0] == "late_longest"


def test_only_the_alerts_not_acknowledged_in_time(world, alerts):
    late = selectors.alert_list(viewer=world.coordinator_a, overdue=True, order="urgency")
    assert names(late, alerts) == ["late_flag", "late_escalated", "late_longest", "late"]
    counts = selectors.alert_counts(viewer=world.coordinator_a)
    assert (counts["open"], counts["overdue"], counts["red_flags"]) == (6, 4, 2)


def test_another_agency_sees_none_of_them(world, alerts):
    assert not selectors.alert_list(viewer=world.coordinator_b, order="urgency").exists()
    assert selectors.alert_counts(viewer=world.coordinator_b)["open"] == 0
