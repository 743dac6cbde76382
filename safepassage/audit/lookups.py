"""The audit page's filter by name: a person's name or a case reference, typed by an administrator, turned
into the records of their own agency it names, so the page can show those records' events (the events
themselves hold ids, never names). The record models live in apps above audit: they are looked up by name."""

from __future__ import annotations

from collections.abc import Iterable
from functools import reduce
from operator import or_
from typing import Any

from django.apps import apps
from django.db.models import Q

from safepassage.core.pickers import normalise

LIMIT = 50  # records a name may stand for; typing more of it narrows them
NAME_FIELDS = ("given_name", "family_name", "given_name_latin", "family_name_latin")
# records about a person, found through the person (model, the field naming the person)
ABOUT_PERSON = [("cases", "Case", "person"), ("migration", "Registration", "person")]
ABOUT_PERSON_TOO = [("migration", "SiteRegistration", "person")]
BY_REFERENCE = [("cases", "Case"), ("cases", "IntakeReport")]
# keys of a list or search event's changes that hold the ids it showed
ID_KEYS = ("ids", "people")


def _model(app: str, name: str) -> Any:
    return apps.get_model(app, name)._default_manager


def records_named(agency_ids: Iterable[int], text: str) -> dict[str, list[int]]:
    """{object type: ids} of the records of these agencies that the text names: people whose names hold
    every word, what is about them (cases, registrations), and cases or reports with that reference."""
    agencies = list(agency_ids)
    words = normalise(text).split()
    found: dict[str, list[int]] = {}
    if not words or not agencies:
        return found
    people = _model("registry", "Person").filter(agency_id__in=agencies)
    for word in words:
        people = people.filter(reduce(or_, (Q(**{f"{f}__icontains": word}) for f in NAME_FIELDS)))
    person_ids = list(people.order_by("pk").values_list("pk", flat=True)[:LIMIT])
    if person_ids:
        found["registry.person"] = person_ids
    for app, name, field in ABOUT_PERSON + ABOUT_PERSON_TOO:
        if person_ids:
            qs = _model(app, name).filter(agency_id__in=agencies, **{f"{field}_id__in": person_ids})
            _add(found, qs)
    reference = " ".join(words)
    for app, name in BY_REFERENCE:
        _add(found, _model(app, name).filter(agency_id__in=agencies, reference__iexact=reference))
    return found


def _add(found: dict[str, list[int]], qs: Any) -> None:
    ids = list(qs.order_by("pk").values_list("pk", flat=True)[:LIMIT])
    if ids:
        label = qs.model._meta.label_lower
        found[label] = sorted({*found.get(label, []), *ids})


def about_records(records: dict[str, list[int]]) -> Q:
    """Events about these records: their own (created, changed, looked at) and the pages that showed them."""
    if not records:
        return Q(pk__in=[])
    clauses = []
    for object_type, ids in records.items():
        clauses.append(Q(object_type=object_type, object_id__in=[str(i) for i in ids]))
        clauses.append(_lists_showing(object_type, ids))
    return reduce(or_, clauses)


def _lists_showing(object_type: str, ids: list[int]) -> Q:
    """List and search events of this record type whose ids include any of these: a whole-number match
    in the ids' JSON text (spelt "[1, 23]" by PostgreSQL and "[1,23]" by SQLite)."""
    pattern = r"(^|[\[,\s])(" + "|".join(str(int(i)) for i in ids) + r")([,\]\s]|$)"
    return Q(object_type=object_type) & reduce(
        or_, (Q(**{f"changes__{key}__regex": pattern}) for key in ID_KEYS)
    )
