"""Rows of a people file that are probably someone already registered: no ID number, and the same name
(compared normalised: case, accents, spaces and punctuation; and through the romanisation stored on each
person, so "มาลัย" meets "Malai"), the same date of birth and the same village as one of the agency's people.
Such a row is held back with "probably person N" until the user says it is someone else."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from safepassage.registry.models import Person
from safepassage.registry.names import plain_latin, romanise


def name_key(given: str, family: str) -> str:
    return plain_latin(f"{given} {family}")


def probable_matches(rows: list[Any], ctx: Any) -> None:
    """Add a "probably person N" problem (with the person's number kept for a link) to each row of `rows`
    that matches a registered person of the agency; rows the user confirmed as someone else are left."""
    wanted = [
        r
        for r in rows
        if not r.values.get("national_id")
        and isinstance(r.values.get("birth_date"), date)
        and r.values.get("village_code") in ctx.villages
        and ctx.villages[r.values["village_code"]] is not None
        and r.number not in ctx.confirmed_new
    ]
    if not wanted:
        return
    villages = {ctx.villages[r.values["village_code"]].pk for r in wanted}
    born = {r.values["birth_date"] for r in wanted}
    known: dict[tuple[int, date | None], list[tuple[int, str, str]]] = defaultdict(list)
    people = Person.objects.filter(
        agency=ctx.agency, village_id__in=villages, birth_date__in=born, erased_at__isnull=True
    ).values_list(
        "pk", "village_id", "birth_date", "given_name", "family_name", "given_name_roman", "family_name_roman"
    )
    for pk, village, birth, given, family, given_roman, family_roman in people:
        if not given_roman:  # written by an import whose names are not romanised yet (names.fill_pending)
            given_roman, family_roman = romanise(given), romanise(family)
        known[(village, birth)].append((pk, name_key(given, family), f"{given_roman} {family_roman}".strip()))
    for row in wanted:
        values = row.values
        candidates = known.get((ctx.villages[values["village_code"]].pk, values["birth_date"]))
        if not candidates:
            continue
        given, family = values.get("given_name", ""), values.get("family_name", "")
        plain = name_key(given, family)
        roman = plain_latin(f"{romanise(given)} {romanise(family)}")
        for pk, their_plain, their_roman in candidates:
            if plain == their_plain or (roman and roman == plain_latin(their_roman)):
                row.problem(
                    "given_name",
                    _(
                        "This is probably person %(pk)d, already registered (the same name, date of birth "
                        "and village). It is held back; if it is someone else, say so and check again."
                    )
                    % {"pk": pk},
                )
                row.match = pk
                break
