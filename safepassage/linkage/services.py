"""Running the matcher, and deciding about the pairs it finds: merge (keeping history and provenance), undo,
or "not the same person". Nothing is merged automatically: a person decides every pair."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from safepassage.accounts.models import Agency
from safepassage.audit.services import audit_read, audit_record
from safepassage.core.access import viewer_for
from safepassage.core.roles import Action, Role
from safepassage.linkage import matching
from safepassage.linkage.models import OPEN, LinkageRun, MatchCandidate, Merge
from safepassage.registry import names
from safepassage.registry.models import Assessment, Person
from safepassage.registry.services import current_risk_fields, hold_people_for_removal

REVIEWERS = (Role.ADMIN, Role.COORDINATOR)
ADULT = 18
PERSON_VALUES = (
    "id",
    "agency_id",
    "given_name",
    "family_name",
    "given_name_latin",
    "family_name_latin",
    "given_name_roman",
    "family_name_roman",
    "sex",
    "birth_date",
    "birth_year",
    "national_id_index",  # the blind index: the matcher only compares ID numbers, never opens them
    "father_name",
    "mother_name",
    "village__code",
)
# What a merge may change on the record kept: empty fields filled from the other record.
FILLABLE = (
    "family_name",
    "given_name_latin",
    "family_name_latin",
    "birth_date",
    "birth_year",
    "national_id",
    "father_name",
    "mother_name",
    "household_id",
    "hometown_id",
)


# What the reviewer may choose, field by field, from either record when merging (else the kept record's
# value, its empty fields filled from the other).
CHOOSABLE = (
    "given_name",
    "family_name",
    "given_name_latin",
    "family_name_latin",
    "sex",
    "birth_date",
    "birth_year",
    "village_id",
    "national_id",
    "father_name",
    "mother_name",
)
NAME_FIELDS = (("given_name", "family_name"), ("given_name_latin", "family_name_latin"))


def may_review(user: Any, agency_id: int | None = None) -> bool:
    return any(
        g.role in REVIEWERS and (agency_id is None or g.agency_id == agency_id)
        for g in viewer_for(user).grants
    )


def _is_child(row: dict[str, Any], today: date) -> bool:
    born = row.get("birth_date")
    if born:
        return (today.year - born.year - ((today.month, today.day) < (born.month, born.day))) < ADULT
    year = row.get("birth_year")
    return year is not None and today.year - year < ADULT + 1  # a year alone: child unless surely not


def dedupe(
    *,
    actor: Any,
    agency: Agency | None,
    threshold: float = 0.9,
    backend: str | None = None,
) -> LinkageRun:
    """Find likely duplicates among an agency's people (everyone's when agency is None: the command line) and
    queue them for review. Pairs already decided are left alone. Nothing is merged here: every pair waits
    for a person to decide. The pairs are predicted on `backend` (default: the setting LINKAGE_BACKEND,
    DuckDB or Spark) with parameters estimated in DuckDB."""
    if actor is not None and (agency is None or not may_review(actor, agency.pk)):
        raise Http404
    started = time.perf_counter()
    people = Person.objects.all() if agency is None else Person.objects.filter(agency=agency)
    names.fill_pending(people)  # names an import left for later are romanised before anyone is compared
    # Only what deciding needs stays in memory for every person: agency and birth; the matcher's own table
    # is built in batches.
    rows: dict[int, dict[str, Any]] = {}

    def records() -> Any:
        for row in people.values(*PERSON_VALUES).iterator(chunk_size=20_000):
            rows[row["id"]] = {k: row[k] for k in ("agency_id", "birth_date", "birth_year")}
            yield matching.record({**row, "village_code": row["village__code"]})

    backend = backend or settings.LINKAGE_BACKEND
    pairs = matching.find_pairs(records(), threshold=threshold, backend=backend)
    today = timezone.localdate()
    known = set(
        MatchCandidate.objects.filter(person_a_id__in=[p.a for p in pairs]).values_list(
            "person_a_id", "person_b_id"
        )
    )
    run = LinkageRun.objects.create(
        agency=agency, threshold=threshold, people=len(rows), pairs=len(pairs), started_by=actor
    )
    fresh = [
        MatchCandidate(
            agency_id=rows[p.a]["agency_id"],
            other_agency_id=rows[p.b]["agency_id"],
            person_a_id=p.a,
            person_b_id=p.b,
            match_weight=p.match_weight,
            probability=p.probability,
            evidence=p.evidence,
            involves_child=_is_child(rows[p.a], today) or _is_child(rows[p.b], today),
            run=run,
        )
        for p in pairs
        if (p.a, p.b) not in known
    ]
    with transaction.atomic():
        MatchCandidate.objects.bulk_create(fresh, batch_size=2000)
        run.new_candidates = len(fresh)
        audit_record(
            actor=actor,
            action="linkage.run",
            agency=agency,
            object_type="linkage.linkagerun",
            object_id=run.pk,
            changes={
                "people": len(rows),
                "pairs": len(pairs),
                "new": len(fresh),
                "threshold": threshold,
                "engine": f"splink-{backend}",  # a code the audit trail keeps (not a plain word)
            },
        )
    run.seconds = time.perf_counter() - started
    run.finished_at = timezone.now()
    run.save()
    return run


def candidates_by_status(
    pairs: models.QuerySet[MatchCandidate], status: str
) -> models.QuerySet[MatchCandidate]:
    """Pairs of one status; "pending" means waiting for a decision, undone merges included."""
    if status == MatchCandidate.Status.PENDING:
        return pairs.filter(status__in=OPEN)
    return pairs.filter(status=status)


def candidate_for(actor: Any, pk: Any, action: str = Action.VIEW) -> MatchCandidate:
    """A pair the actor may see (404 otherwise); reading its evidence is audited."""
    candidate = MatchCandidate.objects.visible_to(actor, action).filter(pk=pk).first()
    if candidate is None:
        raise Http404
    return candidate


def may_decide(actor: Any, candidate: MatchCandidate) -> bool:
    """Both records' agencies must be the reviewer's: nobody merges another agency's record into theirs."""
    return may_review(actor, candidate.agency_id) and may_review(actor, candidate.other_agency_id)


def pair_records(actor: Any, candidate: MatchCandidate) -> tuple[Person | None, Person | None]:
    """The two records as the actor may see them: a record of an agency they do not review stays hidden."""
    audit_read(actor=actor, obj=candidate, what="match evidence")
    found = {p.pk: p for p in Person.objects.filter(pk__in=[candidate.person_a_id, candidate.person_b_id])}
    a = found.get(candidate.person_a_id)
    b = found.get(candidate.person_b_id)
    if a is not None and not may_review(actor, a.agency_id):
        a = None
    if b is not None and not may_review(actor, b.agency_id):
        b = None
    return a, b


def evidence_in_words(evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The evidence of a pair as a person reads it (translated); a field not known on one record is named
    ("Date of birth: not known on one record")."""
    words = []
    for item in evidence:
        label = _(item["label"])
        if item["label"] == matching.MISSING and item.get("field") in matching.FIELD_NAMES:
            label = _("%(field)s: not known on one record") % {
                "field": _(matching.FIELD_NAMES[item["field"]])
            }
        words.append({**item, "label": label})
    return words


def _row(person: Person) -> dict[str, Any]:
    """Every column of a person, as JSON can hold it (dates and times in full ISO form)."""
    row = {}
    for field in Person._meta.concrete_fields:
        value = getattr(person, field.attname)
        row[field.attname] = value.isoformat() if isinstance(value, date) else value
    return row


def _references() -> list[tuple[type[models.Model], str]]:
    """Every foreign key to Person in the project (models added later are covered without a change here)."""
    found: list[tuple[type[models.Model], str]] = []
    for relation in Person._meta.related_objects:
        if relation.many_to_many or not relation.field.concrete:
            continue
        model = relation.related_model
        assert not isinstance(model, str)
        found.append((model, relation.field.attname))
    return found


def kept_by_default(a: Person, b: Person, field: str) -> Person:
    """The record whose value of `field` a merge keeps when the reviewer chooses nothing."""
    survivor, merged = _keep_order(None, a, b)
    if field in FILLABLE and not getattr(survivor, field) and getattr(merged, field):
        return merged
    return survivor


def _keep_order(candidate: MatchCandidate | None, a: Person, b: Person) -> tuple[Person, Person]:
    """The record kept: the one with an assessment history or, failing that, the older one."""
    if b.current_assessment_id and not a.current_assessment_id:
        return b, a
    return a, b


def _check_choices(candidate: MatchCandidate, choices: dict[str, int]) -> None:
    """Each choice names a field the reviewer may choose and one of the pair's two records."""
    errors: dict[str, list[str]] = {}
    for name, person_id in choices.items():
        if name not in CHOOSABLE:
            errors[name] = [_("This detail cannot be chosen when merging.")]
        elif person_id not in (candidate.person_a_id, candidate.person_b_id):
            errors[name] = [_("Choose the value of one of the two records of this pair.")]
    if errors:
        raise ValidationError(errors)


def _names(person: Person, *, other: bool = True) -> list[str]:
    """Every name and spelling a record holds: its names in their script and in Latin letters, and (other)
    the other names it was already known by."""
    found = [" ".join(filter(None, (getattr(person, g), getattr(person, f)))) for g, f in NAME_FIELDS]
    if other:
        found.extend(line.strip() for line in person.other_names.splitlines())
    return [name for name in found if name]


@transaction.atomic
def merge(
    *,
    actor: Any,
    candidate: MatchCandidate,
    automatic: bool = False,
    note: str = "",
    choices: dict[str, int] | None = None,
) -> Merge:
    """Fold one record into the other: every reference moves to the record kept; each field the reviewer
    chose (`choices`: field → the record whose value is kept) takes that record's value, the kept record's
    other empty fields are filled from the other; every name and spelling of both records stays as another
    name of the person; the other record is removed — and all of it is written down so `undo` can put it
    back."""
    choices = dict(choices or {})
    _check_choices(candidate, choices)
    candidate = MatchCandidate.objects.select_for_update().get(pk=candidate.pk)
    if actor is not None and not may_decide(actor, candidate):
        raise Http404
    if not candidate.is_open:
        raise ValidationError({"status": _("This pair was already decided.")})
    if automatic and candidate.involves_child:
        raise ValidationError({"status": _("A child's records are never merged automatically.")})
    # (before the people are read: see hold_people_for_removal)
    if not hold_people_for_removal():
        raise ValidationError(
            {
                "status": _(
                    "Assessments are being saved for many people at this moment (a survey import). "
                    "Try this merge again in a few minutes."
                )
            }
        )
    people = {
        p.pk: p
        for p in Person.objects.select_for_update().filter(
            pk__in=[candidate.person_a_id, candidate.person_b_id]
        )
    }
    if len(people) != 2:
        raise ValidationError({"status": _("One of the two records no longer exists.")})
    survivor, merged = _keep_order(candidate, people[candidate.person_a_id], people[candidate.person_b_id])
    before = _row(survivor)
    moved: list[list[Any]] = []
    try:
        with transaction.atomic():
            for model, attname in _references():
                ids = list(model._default_manager.filter(**{attname: merged.pk}).values_list("pk", flat=True))
                if ids:
                    model._default_manager.filter(pk__in=ids).update(**{attname: survivor.pk})
                    moved.extend([model._meta.label, pk, attname] for pk in ids)
            moved.extend(_move_provenance(merged.pk, survivor.pk))
    except IntegrityError:
        raise ValidationError(
            {"status": _("These two records cannot be merged here: both hold a record that must be unique.")}
        ) from None
    names_before = _names(survivor) + _names(merged)
    for name in FILLABLE:
        if name not in choices and not getattr(survivor, name) and getattr(merged, name):
            setattr(survivor, name, getattr(merged, name))
    for name, person_id in choices.items():
        setattr(survivor, name, getattr(people[person_id], name))
    if survivor.birth_date:  # a date chosen from one record and a year from the other: the date decides
        survivor.birth_year = survivor.birth_date.year
    if not survivor.given_name:
        raise ValidationError(
            {"given_name": _("The person kept needs a given name: choose the other record's.")}
        )
    seen = {matching.normalise(name) for name in _names(survivor, other=False)}
    others: list[str] = []
    for name in names_before:  # every name and spelling of both records, once, besides the ones kept
        if matching.normalise(name) not in seen:
            seen.add(matching.normalise(name))
            others.append(name)
    survivor.other_names = "\n".join(others)
    survivor.restricted = survivor.restricted or merged.restricted
    _set_current(survivor)
    survivor.save()
    row = _row(merged)
    merged.delete()
    record = Merge.objects.create(
        candidate=candidate,
        survivor_id=survivor.pk,
        merged_id=row["id"],
        merged_row=row,
        survivor_before=before,
        moved=moved,
        automatic=automatic,
        merged_by=actor,
    )
    candidate.status = MatchCandidate.Status.MERGED
    candidate.decided_by, candidate.decided_at, candidate.note = actor, timezone.now(), note
    candidate.save()
    audit_record(
        actor=actor,
        action="linkage.merge",
        obj=record,
        agency=survivor.agency,
        changes={
            "kept": survivor.pk,
            "merged": row["id"],
            "moved": len(moved),
            "automatic": automatic,
            "chosen": sorted(choices),  # field names only, never values
        },
    )
    return record


def _move_provenance(old: int, new: int) -> list[list[Any]]:
    """Import provenance of the merged record follows it (it names the file and row it came from)."""
    from django.apps import apps

    if not apps.is_installed("safepassage.imports"):
        return []
    provenance = apps.get_model("imports", "Provenance")
    ids = list(
        provenance.objects.filter(object_type="registry.person", object_id=old).values_list("pk", flat=True)
    )
    provenance.objects.filter(pk__in=ids).update(object_id=new)
    return [[provenance._meta.label, pk, "object_id"] for pk in ids]


def _set_current(person: Person) -> None:
    """The newest assessment (now from either record) is the person's current risk."""
    latest = Assessment.objects.filter(person=person).order_by("-assessed_on", "-recorded_at", "-pk").first()
    for name, value in current_risk_fields(latest).items():
        setattr(person, name, value)


@transaction.atomic
def undo(*, actor: Any, merge_record: Merge) -> Merge:
    """Put both records back as they were: the merged person re-created with the same number and fields,
    every moved reference returned, the kept record's fields restored."""
    from django.apps import apps

    merge_record = Merge.objects.select_for_update().get(pk=merge_record.pk)
    candidate = merge_record.candidate
    if actor is not None and not may_decide(actor, candidate):
        raise Http404
    if merge_record.undone_at is not None:
        raise ValidationError({"status": _("This merge was already undone.")})
    survivor = Person.objects.select_for_update().filter(pk=merge_record.survivor_id).first()
    if survivor is None or Person.objects.filter(pk=merge_record.merged_id).exists():
        raise ValidationError({"status": _("The records changed since the merge; it cannot be undone here.")})
    values = _from_row(merge_record.merged_row)
    restored = Person(**values)
    restored.save(force_insert=True)
    stamps = {k: values[k] for k in ("created_at", "updated_at") if values.get(k)}
    Person.objects.filter(pk=restored.pk).update(**stamps)  # as they were, not "now"
    for label, pk, attname in merge_record.moved:
        model = apps.get_model(label)
        # Only what still points at the kept record: a reference moved on since (another merge) stays put.
        still = model._default_manager.filter(pk=pk, **{attname: survivor.pk})
        still.update(**{attname: restored.pk})
    before = _from_row(merge_record.survivor_before)
    for name, value in before.items():
        if name != "id":
            setattr(survivor, name, value)
    survivor.save()
    Person.objects.filter(pk=survivor.pk).update(updated_at=before["updated_at"])
    merge_record.undone_by, merge_record.undone_at = actor, timezone.now()
    merge_record.save()
    candidate.status = MatchCandidate.Status.UNDONE  # back in the queue, for a person to decide again
    candidate.decided_by, candidate.decided_at = actor, timezone.now()
    candidate.save()
    audit_record(
        actor=actor,
        action="linkage.undo",
        obj=merge_record,
        agency=survivor.agency,
        changes={"kept": survivor.pk, "restored": restored.pk, "moved_back": len(merge_record.moved)},
    )
    return merge_record


def _from_row(row: dict[str, Any]) -> dict[str, Any]:
    values = dict(row)
    for field in Person._meta.concrete_fields:
        value = values.get(field.attname)
        if (
            isinstance(value, str)
            and isinstance(field, models.DateField)
            and not isinstance(field, models.DateTimeField)
        ):
            values[field.attname] = parse_date(value)
        elif isinstance(value, str) and isinstance(field, models.DateTimeField):
            from django.utils.dateparse import parse_datetime

            values[field.attname] = parse_datetime(value)
    return values


@transaction.atomic
def not_same(*, actor: Any, candidate: MatchCandidate, note: str = "") -> MatchCandidate:
    """Two different people: the pair leaves the queue and is not proposed again."""
    candidate = MatchCandidate.objects.select_for_update().get(pk=candidate.pk)
    if actor is not None and not may_decide(actor, candidate):
        raise Http404
    if not candidate.is_open:
        raise ValidationError({"status": _("This pair was already decided.")})
    candidate.status = MatchCandidate.Status.NOT_SAME
    candidate.decided_by, candidate.decided_at, candidate.note = actor, timezone.now(), note
    candidate.save()
    audit_record(actor=actor, action="linkage.not_same", obj=candidate, changes={"note": note})
    return candidate
