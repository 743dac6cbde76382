"""Helpers for the disclosure attacks on the risk reports: many villages of people with known record keys, and
the reader's checks (no count under 11 anywhere, the same value however a cell is asked for)."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from safepassage.core import disclosure
from safepassage.geo.models import Area
from safepassage.registry import cells
from safepassage.registry.models import Person
from safepassage.testing import World, area

# Every count a report can carry (current risk, trend, priorities, drivers): published as 0, "<11" or ≥ 11.
COUNT_KEYS = frozenset(
    {
        "n",
        "low",
        "medium",
        "high",
        "incomplete",
        "multiple",
        "answered",
        "at_3",
        "n_before",
        "n_after",
        "high_before",
        "high_after",
    }
)


def villages(world: World, how_many: int, parent: Area | None = None) -> list[Area]:
    """`how_many` new villages in subdistrict 500101 (district 5001), or under `parent`."""
    parent = parent or Area.objects.get(code="500101")
    return [area(f"{parent.code}{n + 10:03d}", "village", parent) for n in range(how_many)]


@dataclass
class Someone:
    """A person to add straight to the register, with their current risk already worked out."""

    village: Area
    sex: str
    band: str
    index: float | None
    age: int = 30
    multiple: bool = False
    share: float | None = None


def add_people(world: World, people: Iterable[Someone], *, seed: int, agency: Any = None) -> list[Person]:
    """Store the people with record keys drawn from `seed` (so a test's outcome never depends on the
    operating system's random source), and recount the report cells as every write does."""
    rng = random.Random(seed)
    year = date.today().year
    made = Person.objects.bulk_create(
        Person(
            agency=agency or world.agency_a,
            village=p.village,
            given_name="P",
            sex=p.sex,
            birth_year=year - p.age,
            current_band=p.band,
            current_index=p.index,
            current_multiple=p.multiple,
            current_deprivation_share=p.share,
            record_key=rng.randrange(disclosure.KEY_SPACE),
        )
        for p in people
    )
    cells.refresh()
    return made


def rekey(people: Iterable[Person], *, seed: int) -> None:
    """Draw the people's record keys again from `seed`, and recount the cells."""
    rng = random.Random(seed)
    for person in people:
        Person.objects.filter(pk=person.pk).update(record_key=rng.randrange(disclosure.KEY_SPACE))
    cells.refresh()


def counts_in(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every (path, value) of a count key anywhere in a JSON answer."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in COUNT_KEYS and not isinstance(item, (dict, list)):
                yield f"{path}.{key}", item
            else:
                yield from counts_in(item, f"{path}.{key}")
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from counts_in(item, f"{path}[{n}]")


def small_counts(answer: Any) -> list[str]:
    """Counts from 1 to 10 shown as numbers (there must be none)."""
    return [
        f"{path}={value}"
        for path, value in counts_in(answer)
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value < disclosure.THRESHOLD
    ]


def key_sum(people: Iterable[Person]) -> int:
    """The sum of the people's record keys, read again from the database."""
    return sum(Person.objects.filter(pk__in=[p.pk for p in people]).values_list("record_key", flat=True))


def shown(people: Iterable[Person]) -> int | str:
    """What the cell-key method publishes for a cell holding exactly these people."""
    listed = list(people)
    return disclosure.shown_count(len(listed), key_sum(listed)).as_json()
