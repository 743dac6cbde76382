"""Record linkage: planted duplicates found (precision ≥ 0.95, recall ≥ 0.90), merge and undo restore both
records, children never merged automatically, other agencies get 404, everything audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.http import Http404

from safepassage.audit.models import AuditEvent
from safepassage.geo.models import Area
from safepassage.imports.models import ImportJob, Provenance
from safepassage.linkage import matching, services, synthetic
from safepassage.linkage.models import MatchCandidate, Merge
from safepassage.registry.models import Assessment, Catalogue, Person
from safepassage.registry.services import assessment_record
from safepassage.testing import api_client, web_client

pytestmark = pytest.mark.django_db


def test_planted_duplicates_are_found_with_high_precision_and_recall():
    generated = synthetic.people(4000, [f"5001{i:04d}" for i in range(80)], duplicates=0.12)
    kinds = {"thai_and_latin": 0, "swapped": 0, "missing_id": 0}
    by_key = {p["key"]: p for p in generated.people}
    for a, b in generated.same:  # the set holds every difference the issue names
        x, y = by_key[a], by_key[b]
        kinds["thai_and_latin"] += (
            x["given_name"] != y["given_name"] and y["given_name"] == x["given_name_latin"]
        )
        kinds["swapped"] += bool(x["birth_date"] and y["birth_date"] and x["birth_date"] != y["birth_date"])
        kinds["missing_id"] += bool(x["national_id"]) != bool(y["national_id"])
    assert all(n >= 20 for n in kinds.values()), kinds
    pairs = matching.find_pairs(synthetic.records(generated), threshold=0.9)
    found = {(p.a, p.b) for p in pairs}
    true = found & generated.same
    precision, recall = len(true) / len(found), len(true) / len(generated.same)
    assert precision >= 0.95 and recall >= 0.90, (precision, recall)


def test_evidence_names_each_field_in_words():
    generated = synthetic.people(600, ["50010101", "50010102"], duplicates=0.1)
    pair = matching.find_pairs(synthetic.records(generated), threshold=0.9)[0]
    fields = [e["field"] for e in pair.evidence]
    assert fields == list(matching.FIELDS)
    assert all(e["label"] and isinstance(e["weight"], float) for e in pair.evidence)
    assert any(e["weight"] > 0 for e in pair.evidence)


def twins(world, *, born: date, **extra) -> tuple[Person, Person]:
    """One person recorded twice by agency A: Thai script with a Latin spelling, and Latin only."""
    common = {"agency": world.agency_a, "village": world.village_1, "sex": "female", **extra}
    a = Person.objects.create(
        given_name="มาลี",
        family_name="แสงดาว",
        given_name_latin="Malee",
        family_name_latin="Saengdao",
        birth_date=born,
        birth_year=born.year,
        national_id="1101700207366",
        **common,
    )
    b = Person.objects.create(
        given_name="Malee",
        family_name="Saengdao",
        birth_date=born.replace(day=born.month, month=born.day),
        birth_year=born.year,
        father_name="Somchai",
        **common,
    )
    return a, b


def crowd(world, n: int = 300) -> None:
    """Other people of the agency, so the model has something to learn what a non-match looks like."""
    generated = synthetic.people(n, [world.village_1.code, world.village_2.code], duplicates=0.1, seed=9)
    villages = {v.code: v for v in Area.objects.filter(level="village")}
    Person.objects.bulk_create(
        Person(
            agency=world.agency_a,
            village=villages[p["village_code"]],
            **{k: v for k, v in p.items() if k not in ("key", "village_code") and v is not None},
        )
        for p in generated.people
    )


def test_merge_then_undo_restores_both_records_and_what_pointed_at_them(world):
    crowd(world)
    a, b = twins(world, born=date(1990, 3, 7))
    codes = [i.code for i in Catalogue.objects.get(status="active").indicators.all() if i.level in "IH"]
    assessment_record(
        actor=world.coordinator_a,
        person=b,
        assessed_on=date.today() - timedelta(days=9),
        scores=dict.fromkeys(codes, 2),
    )
    job = ImportJob.objects.create(
        agency=world.agency_a, kind="people", file_name="district.csv", stored_as=""
    )
    Provenance.objects.create(job=job, row=7, object_type="registry.person", object_id=b.pk)
    before = {p.pk: {f.attname: getattr(p, f.attname) for f in Person._meta.concrete_fields} for p in (a, b)}
    before[b.pk] = {
        f.attname: getattr(Person.objects.get(pk=b.pk), f.attname) for f in Person._meta.concrete_fields
    }

    run = services.dedupe(actor=world.coordinator_a, agency=world.agency_a)
    assert run.people == Person.objects.count() and run.new_candidates >= 1
    candidate = MatchCandidate.objects.get(person_a_id=a.pk, person_b_id=b.pk)
    assert candidate.involves_child is False
    evidence = {e["field"]: e["label"] for e in candidate.evidence}
    assert evidence["birth_date"] == "Same date of birth with day and month swapped"
    assert evidence["given_latin"] == "Given names the same in Latin letters"

    record = services.merge(
        actor=world.coordinator_a, candidate=candidate, note="Same mother, checked by phone"
    )
    assert not Person.objects.filter(pk=record.merged_id).exists()
    kept = Person.objects.get(pk=record.survivor_id)
    assert Assessment.objects.filter(person=kept).count() == 1 and kept.current_assessment is not None
    assert Provenance.objects.get(row=7).object_id == kept.pk
    assert kept.father_name == "Somchai" or kept.national_id == "1101700207366"

    services.undo(actor=world.coordinator_a, merge_record=record)
    after = {
        p.pk: {f.attname: getattr(p, f.attname) for f in Person._meta.concrete_fields}
        for p in Person.objects.filter(pk__in=[a.pk, b.pk])
    }
    assert after == before
    assert Assessment.objects.get().person_id == b.pk and Provenance.objects.get(row=7).object_id == b.pk
    assert MatchCandidate.objects.get(pk=candidate.pk).status == "undone"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"linkage.run", "linkage.merge", "linkage.undo"} <= actions

    # Undone, the pair waits in the queue again, and a person can decide otherwise.
    client = api_client(world.coordinator_a)
    waiting = {c["id"] for c in client.get("/api/v1/linkage/candidates?page_size=500").json()["items"]}
    assert candidate.pk in waiting
    response = client.post(f"/api/v1/linkage/candidates/{candidate.pk}/not-same", {"note": "Twins"})
    assert response.status_code == 200 and response.json()["status"] == "not_same"
    assert AuditEvent.objects.filter(action="linkage.not_same").exists()


def test_nothing_is_merged_automatically_and_the_auto_merge_option_is_gone(world):
    crowd(world)
    child_a, child_b = twins(world, born=date(date.today().year - 10, 3, 7))
    before = Person.objects.count()
    run = services.dedupe(actor=world.coordinator_a, agency=world.agency_a)
    assert run.new_candidates > 0 and run.auto_merged == 0
    assert Person.objects.count() == before and not Merge.objects.exists()
    pair = MatchCandidate.objects.get(person_a_id=child_a.pk, person_b_id=child_b.pk)
    assert pair.involves_child and pair.status == "pending"
    with pytest.raises(Exception, match="never merged automatically"):
        services.merge(actor=world.coordinator_a, candidate=pair, automatic=True)
    with pytest.raises(TypeError):
        services.dedupe(actor=world.coordinator_a, agency=world.agency_a, auto_merge_above=0.0)  # type: ignore[call-arg]
    with pytest.raises(CommandError):
        call_command("people", "dedupe", "--auto-merge-above", "0")
    assert not Merge.objects.exists()


def test_other_agencies_and_roles_get_404_and_a_cross_agency_pair_hides_the_other_record(world):
    crowd(world, 200)
    a, _b = twins(world, born=date(1990, 3, 7))
    other = Person.objects.create(
        agency=world.agency_b,
        village=world.village_3,
        given_name="Malee",
        family_name="Saengdao",
        sex="female",
        birth_date=date(1990, 3, 7),
        birth_year=1990,
        national_id="1101700207366",
    )
    services.dedupe(actor=None, agency=None)
    across = MatchCandidate.objects.get(person_a_id=a.pk, person_b_id=other.pk)
    assert across.other_agency_id == world.agency_b.pk
    for name in ("caseworker_a", "volunteer_a", "analyst_a", "outsider"):
        with pytest.raises(Http404):
            services.candidate_for(world.users[name], across.pk)
    shown = api_client(world.coordinator_b).get(f"/api/v1/linkage/candidates/{across.pk}").json()
    assert shown["person_a"] is None and shown["person_b"]["id"] == other.pk  # only their own record
    page = web_client(world.coordinator_b).get(f"/linkage/pairs/{across.pk}/").content.decode()
    assert "A possible match in another agency" in page
    assert "แสงดาว" not in page and "มาลี" not in page  # agency A's record stays A's
    assert "แสงดาว" in web_client(world.coordinator_a).get(f"/linkage/pairs/{across.pk}/").content.decode()
    with pytest.raises(Http404):  # nobody merges another agency's record into theirs
        services.merge(actor=world.coordinator_b, candidate=across)
    mine = MatchCandidate.objects.filter(agency=world.agency_a, other_agency=world.agency_a).first()
    assert mine is not None
    assert api_client(world.coordinator_b).get(f"/api/v1/linkage/candidates/{mine.pk}").status_code == 404
    assert AuditEvent.objects.filter(action="linkage.matchcandidate.view").exists()


def test_pages_and_the_command(world):
    crowd(world, 200)
    a, b = twins(world, born=date(1990, 3, 7))
    call_command("people", "dedupe", "--agency", world.agency_a.code)
    candidate = MatchCandidate.objects.get(person_a_id=a.pk, person_b_id=b.pk)
    client = web_client(world.coordinator_a)
    page = client.get(f"/linkage/pairs/{candidate.pk}/").content.decode()
    assert "Same date of birth with day and month swapped" in page and "มาลี" in page
    client.post(f"/linkage/pairs/{candidate.pk}/decide/", {"decision": "not_same", "note": "Sisters"})
    assert MatchCandidate.objects.get(pk=candidate.pk).status == "not_same"
    call_command("people", "dedupe", "--agency", world.agency_a.code)  # a decided pair is not proposed again
    assert MatchCandidate.objects.filter(person_a_id=a.pk, person_b_id=b.pk).count() == 1


def test_names_are_compared_in_nfc_keeping_the_marks_of_other_scripts():
    assert matching.normalise("  สุข   ใจดี ") == "สุข ใจดี"  # the vowel sign ุ is part of the name
    assert matching.normalise("สุข") != matching.normalise("สข")
    assert matching.normalise("မောင်") == "မောင်"  # Burmese asat kept
    assert matching.normalise("e\u0301") == "\u00e9"  # NFC
    assert matching.fold_latin("José  MÜLLER") == "jose muller"
    row = matching.record(
        {
            "id": 1,
            "agency_id": 1,
            "given_name": "สุข",
            "family_name": "ใจดี",
            "given_name_latin": "Súk",
            "family_name_latin": "",
            "birth_date": date(1990, 3, 7),
            "father_name": "",
            "mother_name": "Ná  Ying",
        }
    )
    assert row["given_a"] == "suk" and row["family_a"] is None  # no Latin spelling written for the family
    assert row["family_b"] == "caidi"  # but compared through its romanisation (ใจดี: chaidi, folded)
    assert row["name_script"] == "สุข ใจดี" and row["parents"] == "na ying" and row["birth_year"] == 1990
    assert row["national_id"] is None and row["village"] is None


def test_an_unknown_status_in_the_list_is_refused_naming_the_field(world):
    response = api_client(world.coordinator_a).get("/api/v1/linkage/candidates?status=maybe")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "status"


def test_the_same_settings_render_for_spark_with_sparks_function_names():
    duckdb, spark = (matching.settings().get_settings(d) for d in ("duckdb", "spark"))
    sql = {
        name: [level.sql_condition for c in s.comparisons for level in c.comparison_levels]
        for name, s in (("duckdb", duckdb), ("spark", spark))
    }
    assert any("jaro_winkler_similarity(" in c for c in sql["duckdb"])
    assert any("jaro_winkler(" in c for c in sql["spark"])
    assert not any("jaro_winkler_similarity" in c.lower() for c in sql["spark"])
    assert len(sql["duckdb"]) == len(sql["spark"]) == sum(len(v) + 2 for v in matching.FIELDS.values())


def test_the_command_names_the_option_at_fault(world):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--threshold"):
        call_command("people", "dedupe", "--threshold", "1.5")
    with pytest.raises(CommandError, match="no agency with the code nowhere"):
        call_command("people", "dedupe", "--agency", "nowhere")
    assert not MatchCandidate.objects.exists()
