"""Recording assessments: scores kept with their version, alerts raised once and routed, bad input refused."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone, translation

from safepassage.audit.models import AuditEvent
from safepassage.registry import services
from safepassage.registry.bulk import BulkItem, assessments_bulk_record
from safepassage.registry.models import Alert, Assessment, Catalogue, Person
from safepassage.registry.validation import thai_id_valid

from .conftest import all_answers

pytestmark = pytest.mark.django_db
TODAY = date.today()


def record(actor, person, on, answers):
    return services.assessment_record(actor=actor, person=person, assessed_on=on, scores=answers)


def test_an_assessment_is_scored_stored_and_becomes_current(world, child_a):
    answers = all_answers(1, HLT_ILL=3, BMN_DEBT=2)
    answers.pop("EDU-LANG")
    recorded = record(world.volunteer_a, child_a, TODAY, answers)
    a = recorded.assessment
    # 24 answered: 22 ones, one 3, one 2 → (27 − 24) / 48 × 100 = 6.25
    assert a.index == 6.25
    assert a.band == "low"
    assert a.completeness == round(24 / 25, 4)
    assert a.count_3 == 1
    assert a.catalogue.version == 1
    child_a.refresh_from_db()
    assert (child_a.current_index, child_a.current_band, child_a.current_assessed_on) == (6.25, "low", TODAY)
    assert AuditEvent.objects.filter(action="registry.assessment.record", object_id=str(a.pk)).count() == 1


def test_a_trigger_newly_at_3_makes_exactly_one_alert_routed_to_the_volunteer(world, child_a):
    record(world.volunteer_a, child_a, TODAY - timedelta(days=30), all_answers(1))
    assert Alert.objects.count() == 0
    recorded = record(world.volunteer_a, child_a, TODAY, all_answers(1, HLT_DEATH=3))
    assert Alert.objects.count() == 1
    alert = recorded.alert
    assert alert is not None
    # A sudden event at 3 is also the default red flag that puts the band at medium at least; it leaves
    # the alert to the trigger rule (it raises none of its own).
    assert [r["rule"] for r in alert.reasons] == ["trigger_newly_3", "band_rise"]
    assert alert.reasons[0]["indicators"] == ["HLT-DEATH"]
    assert alert.reasons[1] == {"rule": "band_rise", "from": "low", "to": "medium"}
    recipients = set(alert.recipients.values_list("username", flat=True))
    assert recipients == {"volunteer_a", "coordinator_a"}
    assert alert.due_at > timezone.now() + timedelta(hours=71)


def test_the_same_assessment_twice_makes_no_second_alert(world, child_a):
    record(world.volunteer_a, child_a, TODAY - timedelta(days=30), all_answers(1))
    first = record(world.volunteer_a, child_a, TODAY, all_answers(1, HLT_DEATH=3))
    again = record(world.volunteer_a, child_a, TODAY, all_answers(1, HLT_DEATH=3))
    assert again.created is False
    assert again.assessment.pk == first.assessment.pk
    assert Alert.objects.count() == 1
    assert Assessment.objects.filter(person=child_a).count() == 2


def test_an_assessment_entered_late_for_an_earlier_date_does_not_warn_or_replace_the_current(world, child_a):
    record(world.volunteer_a, child_a, TODAY, all_answers(1))
    late = record(world.volunteer_a, child_a, TODAY - timedelta(days=90), all_answers(3))
    assert late.alert is None
    child_a.refresh_from_db()
    assert child_a.current_assessed_on == TODAY


def test_a_new_catalogue_version_leaves_old_assessments_alone(world, child_a, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="a long enough password")
    old = record(world.volunteer_a, child_a, TODAY - timedelta(days=10), all_answers(2))
    v1 = Catalogue.objects.get(status="active")
    draft = services.catalogue_copy(actor=admin, source=v1, name="v2")
    weight = draft.indicators.get(code="HLT-ILL")
    services.indicator_update(actor=admin, indicator=weight, active=False)
    services.catalogue_activate(actor=admin, catalogue=draft)
    v1.refresh_from_db()
    assert v1.status == "retired"
    old.assessment.refresh_from_db()
    assert (old.assessment.catalogue_id, old.assessment.index) == (v1.pk, 50.0)
    assert "HLT-ILL" in old.assessment.scores
    new = record(world.volunteer_a, child_a, TODAY, all_answers(2))
    assert new.assessment.catalogue_id == draft.pk
    assert "HLT-ILL" not in new.assessment.scores
    assert new.assessment.completeness == 1.0  # 24 of the 24 indicators the new version asks
    with pytest.raises(ValidationError) as caught:
        record(world.volunteer_a, child_a, TODAY, {"HLT-ILL": 3})
    assert "scores.HLT-ILL" in caught.value.message_dict


def test_only_drafts_can_be_edited_and_only_by_system_admins(world):
    v1 = Catalogue.objects.get(status="active")
    indicator = v1.indicators.get(code="HLT-ILL")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.catalogue_copy(actor=world.admin_a, source=v1)
    with pytest.raises(ValidationError):
        services.indicator_update(actor=None, indicator=indicator, weight=2.0)


@pytest.mark.parametrize(
    ("scores", "on", "field"),
    [
        ({"NOT-A-CODE": 1}, TODAY, "scores.NOT-A-CODE"),
        ({"HLT-ILL": 4}, TODAY, "scores.HLT-ILL"),
        ({"HLT-ILL": 0}, TODAY, "scores.HLT-ILL"),
        ({"HLT-ILL": "x"}, TODAY, "scores.HLT-ILL"),
        ({"SOC-SEX": 3}, TODAY, "scores.SOC-SEX"),
        ({"MIG-BORDER": 2}, TODAY, "scores.MIG-BORDER"),  # a village indicator on a person
        ({"HLT-ILL": 1}, TODAY + timedelta(days=1), "assessed_on"),
        ({"HLT-ILL": 1}, date(2013, 1, 1), "assessed_on"),  # before the child was born
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(world, child_a, scores, on, field):
    with pytest.raises(ValidationError) as caught:
        record(world.volunteer_a, child_a, on, scores)
    assert field in caught.value.message_dict
    assert Assessment.objects.count() == 0
    assert not AuditEvent.objects.filter(action="registry.assessment.record").exists()


def test_another_agencys_person_cannot_be_assessed(world, child_b):
    with pytest.raises(Http404):
        record(world.volunteer_a, child_b, TODAY, all_answers(1))
    with pytest.raises(Http404):
        record(world.coordinator_a, child_b, TODAY, all_answers(1))
    assert Assessment.objects.count() == 0


def test_a_volunteer_adds_people_only_in_their_villages(world):
    with pytest.raises(ValidationError) as caught:
        services.person_create(actor=world.volunteer_a, village_code=world.village_2.code, given_name="X")
    assert "village_code" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.person_create(actor=world.volunteer_a, village_code="NOPE", given_name="X")
    assert "village_code" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.person_create(actor=world.volunteer_a, village_code=world.district_1.code, given_name="X")
    assert "village_code" in caught.value.message_dict
    person = services.person_create(
        actor=world.volunteer_a, village_code=world.village_1.code, given_name="ป้อม"
    )
    assert person.agency == world.agency_a


def test_thai_ids_are_checked_by_their_check_digit(world):
    assert thai_id_valid("1101700230708")
    assert not thai_id_valid("1101700230709")
    with pytest.raises(ValidationError) as caught:
        services.person_create(
            actor=world.coordinator_a,
            village_code=world.village_1.code,
            given_name="A",
            national_id="1101700230709",
        )
    assert "national_id" in caught.value.message_dict
    person = services.person_create(
        actor=world.coordinator_a,
        village_code=world.village_1.code,
        given_name="A",
        national_id="1-1017-00230-70-8",
    )
    assert person.national_id == "1101700230708"
    assert "1101700230708" not in str(AuditEvent.objects.get(action="registry.person.create").changes)


def test_birth_dates_in_the_future_are_refused(world):
    with pytest.raises(ValidationError) as caught:
        services.person_create(
            actor=world.coordinator_a,
            village_code=world.village_1.code,
            given_name="A",
            birth_date=TODAY + timedelta(days=1),
        )
    assert "birth_date" in caught.value.message_dict
    assert Person.objects.count() == 0


def test_unacknowledged_alerts_escalate_to_coordinators_and_admins(world, child_a):
    record(world.volunteer_a, child_a, TODAY - timedelta(days=30), all_answers(1))
    alert = record(world.volunteer_a, child_a, TODAY, all_answers(1, SOC_VIOLENCE=3)).alert
    assert services.alerts_escalate(now=timezone.now()) == 0
    later = timezone.now() + timedelta(hours=73)
    assert services.alerts_escalate(now=later) == 1
    alert.refresh_from_db()
    assert alert.escalation_level == 1
    assert "admin_a" in set(alert.recipients.values_list("username", flat=True))
    assert services.alerts_escalate(now=later) == 0  # it has a new deadline


def test_acknowledged_alerts_do_not_escalate_and_resolving_needs_a_note(world, child_a):
    record(world.volunteer_a, child_a, TODAY - timedelta(days=30), all_answers(1))
    alert = record(world.volunteer_a, child_a, TODAY, all_answers(1, SOC_VIOLENCE=3)).alert
    services.alert_acknowledge(actor=world.volunteer_a, alert=alert)
    assert services.alerts_escalate(now=timezone.now() + timedelta(days=10)) == 0
    with pytest.raises(ValidationError):
        services.alert_resolve(actor=world.volunteer_a, alert=alert, note="  ")
    services.alert_resolve(actor=world.volunteer_a, alert=alert, note="Visited; referred to the school.")
    assert alert.status == "resolved"


def test_high_risk_people_not_reassessed_raise_one_overdue_alert(world, child_a):
    first = record(world.volunteer_a, child_a, TODAY - timedelta(days=400), all_answers(3))
    assert first.alert is not None and first.alert.rules == ["red_flag"]  # (a first visit's red flags)
    assert services.alerts_overdue_scan(today=TODAY) == 1
    assert services.alerts_overdue_scan(today=TODAY) == 0
    assert Alert.objects.exclude(pk=first.alert.pk).get().rules == ["overdue_high"]


@pytest.mark.parametrize("batch_size", [5000, 1], ids=["one batch", "one item per batch"])
def test_bulk_recording_scores_and_warns_exactly_like_one_at_a_time(world, child_a, child_a2, batch_size):
    # With one item per batch, child_a's second assessment is in the batch after their first, which is
    # looked up before the first is written: what the first did must be carried over.
    items = [
        BulkItem(child_a.pk, TODAY - timedelta(days=100), all_answers(1)),
        BulkItem(child_a.pk, TODAY, all_answers(1, HLT_DEATH=3)),
        BulkItem(child_a2.pk, TODAY, all_answers(2)),
    ]
    result = assessments_bulk_record(actor=None, items=items, batch_size=batch_size)
    assert (result.created, result.alerts) == (3, 1)
    child_a.refresh_from_db()
    single = services.assessment_record(
        actor=None, person=child_a2, assessed_on=TODAY - timedelta(days=1), scores=all_answers(1, HLT_DEATH=3)
    )
    bulk = Assessment.objects.get(person=child_a, assessed_on=TODAY)
    assert (bulk.index, bulk.band, bulk.count_3) == (
        single.assessment.index,
        single.assessment.band,
        single.assessment.count_3,
    )
    assert child_a.current_assessment_id == bulk.pk
    again = assessments_bulk_record(actor=None, items=items, batch_size=batch_size)
    assert (again.created, again.skipped_duplicates, again.alerts) == (0, 3, 0)
    alert = Alert.objects.get(person=child_a)
    assert set(alert.recipients.values_list("username", flat=True)) == {"volunteer_a", "coordinator_a"}


def test_bulk_recording_reads_the_stored_trigger_answers(world, child_a, child_a2):
    """A trigger already at 3 in the stored assessment is not new; one that was not at 3 is."""
    for child, answers in ((child_a, all_answers(1, HLT_DEATH=3)), (child_a2, all_answers(1))):
        services.assessment_record(
            actor=None, person=child, assessed_on=TODAY - timedelta(days=60), scores=answers
        )
    before = set(Alert.objects.values_list("pk", flat=True))
    items = [
        BulkItem(child_a.pk, TODAY, all_answers(1, HLT_DEATH=3)),
        BulkItem(child_a2.pk, TODAY, all_answers(1, HLT_DEATH=3)),
    ]
    assert assessments_bulk_record(actor=None, items=items).alerts == 1
    raised = Alert.objects.exclude(pk__in=before).get()
    assert raised.person_id == child_a2.pk and raised.rules == ["trigger_newly_3", "band_rise"]


def test_a_bulk_run_leaves_the_interpreter_as_it_found_it(world, child_a):
    """Garbage collection and the switch interval are set for a run only, and put back even when it fails."""
    import gc
    import sys

    interval = sys.getswitchinterval()
    assessments_bulk_record(actor=None, items=[BulkItem(child_a.pk, TODAY, all_answers(1))])
    assert gc.isenabled() and sys.getswitchinterval() == interval
    with pytest.raises(ValidationError):
        assessments_bulk_record(actor=None, items=[BulkItem(child_a.pk, TODAY, {"HLT-ILL": 7})])
    assert gc.isenabled() and sys.getswitchinterval() == interval


def test_an_assessment_recorded_by_hand_and_then_in_a_survey_file_is_stored_once(world, child_a):
    answers = all_answers(1, HLT_ILL=3, BMN_DEBT=2)
    answers.pop("EDU-LANG")
    single = record(world.volunteer_a, child_a, TODAY, answers).assessment
    result = assessments_bulk_record(actor=None, items=[BulkItem(child_a.pk, TODAY, dict(answers))])
    assert (result.created, result.skipped_duplicates) == (0, 1)
    # and the other way round: what bulk recording stores is what recording by hand would have stored
    on = TODAY - timedelta(days=40)
    assessments_bulk_record(actor=None, items=[BulkItem(child_a.pk, on, dict(answers))])
    bulk = Assessment.objects.get(person=child_a, assessed_on=on)
    assert bulk.fingerprint == services.fingerprint(f"p{child_a.pk}", on, answers, single.catalogue_id)
    assert (bulk.scores, bulk.domain_scores, bulk.index, bulk.deprivation_share, bulk.multiple) == (
        single.scores,
        single.domain_scores,
        single.index,
        single.deprivation_share,
        single.multiple,
    )
    assert record(world.volunteer_a, child_a, on, answers).created is False


def test_a_batch_with_one_stored_assessment_stores_the_others(world, child_a):
    record(world.volunteer_a, child_a, TODAY, all_answers(1))
    # On PostgreSQL the COPY meets the unique fingerprint and the batch is written again with INSERT …
    # ON CONFLICT DO NOTHING; SQLite looks the stored ones up first.
    on = TODAY - timedelta(days=3)
    items = [BulkItem(child_a.pk, TODAY, all_answers(1)), BulkItem(child_a.pk, on, all_answers(2))]
    result = assessments_bulk_record(actor=None, items=items)
    assert (result.created, result.skipped_duplicates) == (1, 1)
    assert Assessment.objects.filter(person=child_a).count() == 2


def test_a_bad_row_in_a_bulk_run_stores_nothing(world, child_a):
    items = [BulkItem(child_a.pk, TODAY, all_answers(1)), BulkItem(child_a.pk, TODAY, {"HLT-ILL": 7})]
    with pytest.raises(ValidationError):
        assessments_bulk_record(actor=None, items=items)
    assert Assessment.objects.count() == 0


def test_bulk_recording_reports_the_first_bad_row_in_the_callers_language(world, child_a, child_a2):
    # Scores are checked on a helper thread, a batch ahead; what is reported is still the first bad row,
    # in the language of whoever is importing.
    message = "A score is 1, 2 or 3 (or empty when not known), not %(value)r."
    items = [
        BulkItem(child_a.pk, TODAY - timedelta(days=2), all_answers(1)),
        BulkItem(child_a2.pk, TODAY, {"HLT-ILL": 7}),
        BulkItem(child_a.pk, TODAY + timedelta(days=9), all_answers(1)),
    ]
    with translation.override("th"), pytest.raises(ValidationError) as caught:
        assessments_bulk_record(actor=None, items=items, batch_size=1)
    with translation.override("th"):
        thai = translation.gettext(message) % {"value": 7}
    assert thai != message % {"value": 7}
    assert caught.value.message_dict == {"scores.HLT-ILL": [thai]}
    assert Assessment.objects.count() == 0


def test_assessments_cannot_be_changed_or_deleted(world, child_a):
    assessment = record(world.volunteer_a, child_a, TODAY, all_answers(1)).assessment
    assessment.index = 99.0
    with pytest.raises(ValueError, match="append-only"):
        assessment.save()
    with pytest.raises(ValueError, match="append-only"):
        assessment.delete()
    assessment.refresh_from_db()
    assert assessment.index == 0.0


def test_in_neighbouring_batches_the_later_assessment_is_current_and_an_older_one_is_not(world, child_a):
    # Three batches of one: a rise to high in the second, then an older assessment in the third.
    items = [
        BulkItem(child_a.pk, TODAY - timedelta(days=60), all_answers(1)),
        BulkItem(child_a.pk, TODAY - timedelta(days=10), all_answers(3)),
        BulkItem(child_a.pk, TODAY - timedelta(days=30), all_answers(2)),
    ]
    result = assessments_bulk_record(actor=None, items=items, batch_size=1)
    assert (result.created, result.alerts) == (3, 1)
    child_a.refresh_from_db()
    assert child_a.current_assessed_on == TODAY - timedelta(days=10)
    assert child_a.current_band == "high"
    alert = Alert.objects.select_related("assessment").get()
    assert alert.assessment is not None and alert.assessment.assessed_on == TODAY - timedelta(days=10)


def test_the_same_assessment_twice_in_one_bulk_run_counts_once(world, child_a):
    record(world.volunteer_a, child_a, TODAY - timedelta(days=30), all_answers(1))
    item = BulkItem(child_a.pk, TODAY, all_answers(1, HLT_DEATH=3))
    result = assessments_bulk_record(actor=None, items=[item, item])
    assert (result.created, result.alerts) == (1, 1)


def test_agencies_assess_the_same_village_separately(world):
    a = services.assessment_record(
        actor=world.coordinator_a,
        village=world.village_3,
        assessed_on=TODAY - timedelta(days=5),
        scores={"MIG-BORDER": 1, "MIG-BROKERS": 1},
    )
    b = services.assessment_record(
        actor=world.coordinator_b,
        village=world.village_3,
        assessed_on=TODAY,
        scores={"MIG-BORDER": 3, "MIG-BROKERS": 3, "BMN-SERVICES": 3},
    )
    assert a.assessment.agency == world.agency_a and b.assessment.agency == world.agency_b
    # B's first assessment of the village is a baseline: nothing to compare with in B's own records. Its
    # sudden event at 3 (informal brokers active) makes it medium at least, but warns only as a trigger
    # does, which a first assessment does not (first_assessment_triggers is off).
    assert b.alert is None and b.assessment.band in ("medium", "high")


def test_the_same_village_assessment_twice_is_kept_once(world):
    def submit():
        return services.assessment_record(
            actor=world.coordinator_a,
            village=world.village_3,
            assessed_on=TODAY,
            scores={"MIG-BORDER": 3, "MIG-BROKERS": 1},
        )

    first, again = submit(), submit()
    assert first.created and again.created is False and again.assessment.pk == first.assessment.pk
    assert Assessment.objects.filter(village=world.village_3, subject_is_village=True).count() == 1


@pytest.mark.parametrize("subject", ["person", "village"])
def test_the_database_itself_refuses_a_second_copy_of_an_assessment(world, child_a, subject):
    """Whatever path writes it (a raw import, another session), the same assessment is stored once."""
    from django.db import IntegrityError, transaction

    if subject == "person":
        stored = record(world.volunteer_a, child_a, TODAY, all_answers(1)).assessment
    else:
        stored = services.assessment_record(
            actor=world.coordinator_a, village=world.village_3, assessed_on=TODAY, scores={"MIG-BORDER": 3}
        ).assessment
    copy = Assessment(**{f.attname: getattr(stored, f.attname) for f in Assessment._meta.concrete_fields})
    copy.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()
    # A different assessment of the same subject on the same day is not refused.
    copy.fingerprint = "f" * 64
    copy.save()


def test_a_routed_alert_is_gone_when_the_membership_ends(world, child_a):
    from safepassage.registry.models import Alert as AlertModel

    record(world.volunteer_a, child_a, TODAY - timedelta(days=30), all_answers(1))
    alert = record(world.volunteer_a, child_a, TODAY, all_answers(1, SOC_VIOLENCE=3)).alert
    assert AlertModel.objects.visible_to(world.volunteer_a).filter(pk=alert.pk).exists()
    world.volunteer_a.memberships.update(active=False)
    fresh = type(world.volunteer_a).objects.get(pk=world.volunteer_a.pk)  # as the next request would load it
    assert not AlertModel.objects.visible_to(fresh).filter(pk=alert.pk).exists()
