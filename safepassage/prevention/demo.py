"""Demo prevention: help given to part of the coordination centre's people between the two assessment rounds
(scholarships to children at high risk, vocational training, micro-finance alone for some: packages that
drift), safe-migration sessions for two whole villages, and a participatory finding. Fast: a few hundred
records through the services."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from safepassage.accounts.models import Agency
from safepassage.prevention import services
from safepassage.registry.models import Person


def generate_prevention(*, agencies: dict[str, Agency], seed: int = 22, limit: int = 400) -> int:
    """Returns how many pieces of help were recorded."""
    rng = random.Random(seed)
    agency = agencies["cc"]
    # between the demo's two assessment rounds (182 days ago and now)
    start = timezone.localdate() - timedelta(days=150)
    people = list(
        Person.objects.filter(agency=agency, erased_at__isnull=True)
        .exclude(current_band__in=("", "incomplete"))
        .select_related("village")
        .order_by("village__path", "pk")[: limit * 3]
    )
    if not people:
        return 0
    villages = sorted({p.village_id: p.village for p in people}.values(), key=lambda v: v.path)
    made = 0
    for village in villages[:2]:
        services.delivery_record(
            actor=None, agency=agency, intervention="safe_migration_info", started_on=start, village=village
        )
        made += 1
    this_year = timezone.localdate().year
    for person in people:
        if made >= limit:
            break
        child = person.birth_year is not None and person.birth_year > this_year - 18
        chance = {"high": 0.5, "medium": 0.2}.get(person.current_band, 0.05)
        if rng.random() >= chance:
            continue
        day = start + timedelta(days=rng.randrange(0, 40))
        if child:
            services.delivery_record(actor=None, intervention="scholarship", started_on=day, person=person)
        elif rng.random() < 0.3:  # micro-finance alone: the package check flags it
            services.delivery_record(actor=None, intervention="micro_finance", started_on=day, person=person)
        else:
            services.delivery_record(
                actor=None, intervention="vocational_training", started_on=day, person=person
            )
            services.delivery_record(actor=None, intervention="legal_literacy", started_on=day, person=person)
            made += 1
        made += 1
    services.finding_add(
        actor=None,
        agency=agency,
        village=villages[0],
        kind="participatory",
        held_on=start - timedelta(days=10),
        title="Young people's map of risks",
        findings=(
            "Brokers visit after the rice harvest and offer advances. Girls who left school early are "
            "approached first. Families want vocational training close to home."
        ),
        participants="14 young people aged 12-20, 6 mothers, the village headman, 2 volunteers",
    )
    return made
