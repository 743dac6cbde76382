"""The demo shows prevention: help given to part of the population, packages that drift, a finding, and an
impact view with people to compare."""

from __future__ import annotations

import pytest

from safepassage.accounts.models import User
from safepassage.prevention import impact, package
from safepassage.prevention.models import Delivery, Finding, Intervention
from safepassage.registry.models import Person
from safepassage.web.demo import load_demo

pytestmark = pytest.mark.django_db


def test_the_demo_gives_help_to_part_of_the_population(tmp_path):
    load_demo(logins_file=tmp_path / "logins.json", people=1500, records=5)
    people = Person.objects.filter(agency__code="cc")
    reached = Delivery.objects.filter(level="person").values("person_id").distinct().count()
    assert 0 < reached < people.count() / 2
    assert Delivery.objects.filter(level="village", intervention__code="safe_migration_info").count() == 2
    assert Finding.objects.filter(kind="participatory").exists()
    drifting = package.people_drifts(people.filter(pk__in=Delivery.objects.values("person_id")))
    assert any(drifting.values())
    coordinator = User.objects.get(username="cc.coordinator")
    training = Intervention.objects.get(code="vocational_training")
    first = Delivery.objects.filter(intervention=training).select_related("village__parent__parent").first()
    assert first is not None and first.village.parent is not None
    district = first.village.parent.parent
    assert district is not None
    result = impact.impact(viewer=coordinator, intervention=training, area=district)
    assert result["reached"] > 0 and result["compared_others"] > 0, result
