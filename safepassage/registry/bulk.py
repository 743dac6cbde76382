"""Recording many assessments at once (imports, survey rounds, the demo): the same scoring and warnings
as one at a time, written in batches, with one audit event for the whole run."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import Any

from django.db import transaction

from safepassage.audit.services import audit_record
from safepassage.geo.models import Area
from safepassage.registry import scoring
from safepassage.registry.models import Alert, Assessment, Catalogue, Indicator, Person
from safepassage.registry.services import ack_deadline, active_catalogue, fingerprint, recipients_for
from safepassage.registry.validation import clean_assessed_on, clean_scores


@dataclass(frozen=True)
class BulkItem:
    """One person's assessment to record."""

    person_id: int
    assessed_on: date
    scores: dict[str, Any]
    source: str = Assessment.Source.SURVEY


@dataclass
class BulkResult:
    """What a bulk run did."""

    created: int = 0
    skipped_duplicates: int = 0
    alerts: int = 0
    alert_ids: list[int] = field(default_factory=list)


def _batches(items: Iterable[BulkItem], size: int) -> Iterator[list[BulkItem]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def assessments_bulk_record(
    *,
    actor: Any,
    items: Iterable[BulkItem],
    catalogue: Catalogue | None = None,
    batch_size: int = 5000,
    check: bool = True,
    label: str = "bulk",
) -> BulkResult:
    """Record person assessments in batches inside one transaction; all or nothing.

    Items may be in any order across people, but one person's items must come in date order. With
    check=False the scores are trusted to be clean already (generated data); dates are always checked.
    """
    catalogue = catalogue or active_catalogue()
    specs = catalogue.specs("IH")
    params = catalogue.params()
    triggers = [s.code for s in specs if s.kind == Indicator.Kind.TRIGGER]
    result = BulkResult()
    recipients_cache: dict[tuple[int, int], list[int]] = {}
    deadline = ack_deadline(catalogue)
    with transaction.atomic():
        for batch in _batches(items, batch_size):
            _record_batch(
                actor, batch, catalogue, specs, params, triggers, check, result, recipients_cache, deadline
            )
        audit_record(
            actor=actor,
            action="registry.assessment.bulk_record",
            object_type="registry.assessment",
            changes={
                "source": label,
                "created": result.created,
                "alerts": result.alerts,
                "duplicates": result.skipped_duplicates,
                "catalogue": catalogue.version,
            },
        )
    return result


def _record_batch(
    actor: Any,
    batch: list[BulkItem],
    catalogue: Catalogue,
    specs: list[scoring.IndicatorSpec],
    params: scoring.Parameters,
    triggers: list[str],
    check: bool,
    result: BulkResult,
    recipients_cache: dict[tuple[int, int], list[int]],
    deadline: Any,
) -> None:
    people = {
        p.pk: p
        for p in Person.objects.filter(pk__in={i.person_id for i in batch}).only(
            "pk", "agency_id", "village_id", "birth_date", "current_assessment_id", "current_assessed_on"
        )
    }
    previous_ids = {p.current_assessment_id for p in people.values() if p.current_assessment_id}
    previous = {
        a.pk: a
        for a in Assessment.objects.filter(pk__in=previous_ids).only(
            "pk",
            "scores",
            "index",
            "band",
            "completeness",
            "domain_scores",
            "count_3",
            "deprivation_share",
            "multiple",
            "assessed_on",
        )
    }
    latest: dict[int, tuple[scoring.Result, dict[str, int], date] | None] = {}
    for pid, person in people.items():
        prior = previous.get(person.current_assessment_id or 0)
        latest[pid] = None if prior is None else (_as_result(prior), prior.scores, prior.assessed_on)
    prints = []
    rows: list[Assessment] = []
    pending_alerts: list[tuple[int, list[scoring.Reason]]] = []
    for item in batch:
        found = people.get(item.person_id)
        if found is None:
            raise Person.DoesNotExist(f"person {item.person_id} does not exist")
        person = found
        clean_assessed_on(item.assessed_on)
        scores = clean_scores(item.scores, specs, "person") if check else dict(item.scores)
        print_ = fingerprint(f"p{person.pk}", item.assessed_on, scores, catalogue.pk)
        prints.append(print_)
        scored = scoring.score(scores, specs, params)
        before = latest.get(person.pk)
        reasons: list[scoring.Reason] = []
        if before is None or item.assessed_on >= before[2]:
            reasons = scoring.warnings(
                previous=(before[0], before[1]) if before else None,
                current=(scored, scores),
                trigger_codes=triggers,
                params=params,
            )
            latest[person.pk] = (scored, scores, item.assessed_on)
        rows.append(
            Assessment(
                agency_id=person.agency_id,
                person_id=person.pk,
                village_id=person.village_id,
                catalogue=catalogue,
                assessed_on=item.assessed_on,
                assessor=actor,
                source=item.source,
                scores=scores,
                fingerprint=print_,
                index=scored.index,
                band=scored.band,
                completeness=scored.completeness,
                domain_scores=scored.domain_scores,
                count_3=scored.count_3,
                deprivation_share=scored.deprivation_share,
                multiple=scored.multiple,
            )
        )
        pending_alerts.append((len(rows) - 1, reasons))
    existing = set(Assessment.objects.filter(fingerprint__in=prints).values_list("fingerprint", flat=True))
    keep = [n for n, row in enumerate(rows) if row.fingerprint not in existing]
    result.skipped_duplicates += len(rows) - len(keep)
    created = Assessment.objects.bulk_create([rows[n] for n in keep], batch_size=2000)
    result.created += len(created)
    by_position = dict(zip(keep, created, strict=True))
    # The newest assessment per person becomes their current one.
    newest: dict[int, Assessment] = {}
    for row in created:
        best = newest.get(row.person_id or 0)
        if best is None or row.assessed_on >= best.assessed_on:
            newest[row.person_id or 0] = row
    changed = []
    for pid, assessment in newest.items():
        person = people[pid]
        if person.current_assessed_on is None or assessment.assessed_on >= person.current_assessed_on:
            person.current_assessment_id = assessment.pk
            person.current_index, person.current_band = assessment.index, assessment.band
            person.current_assessed_on = assessment.assessed_on
            changed.append(person)
    Person.objects.bulk_update(
        changed,
        ["current_assessment", "current_index", "current_band", "current_assessed_on"],
        batch_size=2000,
    )
    alerts = []
    for position, reasons in pending_alerts:
        made = by_position.get(position)
        if not reasons or made is None:
            continue
        alerts.append(
            Alert(
                agency_id=made.agency_id,
                person_id=made.person_id,
                village_id=made.village_id,
                assessment=made,
                due_at=deadline,
                reasons=[{"rule": r.rule, **r.detail} for r in reasons],
            )
        )
    if alerts:
        Alert.objects.bulk_create(alerts, batch_size=2000)
        through = Alert.recipients.through
        links: list[Any] = []
        villages: dict[int, Area] = {}
        for alert in alerts:
            key = (alert.agency_id, alert.village_id)
            if key not in recipients_cache:
                village = villages.get(alert.village_id) or Area.objects.get(pk=alert.village_id)
                villages[alert.village_id] = village
                recipients_cache[key] = recipients_for(alert.agency_id, village)
            links.extend(through(alert_id=alert.pk, user_id=user_id) for user_id in recipients_cache[key])
        through.objects.bulk_create(links, batch_size=5000)
        result.alerts += len(alerts)
        result.alert_ids.extend(a.pk for a in alerts)


def _as_result(a: Assessment) -> scoring.Result:
    return scoring.Result(
        index=a.index,
        band=a.band,
        completeness=a.completeness,
        answered=0,
        applicable=0,
        domain_scores=a.domain_scores,
        count_3=a.count_3,
        deprivation_share=a.deprivation_share,
        multiple=a.multiple,
    )
