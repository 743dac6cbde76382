"""Linkage on Apache Spark (LINKAGE_BACKEND=spark): the parameters are estimated once, in DuckDB, and both
engines predict with them, so Spark and DuckDB propose the same pairs at the same threshold with the same
probabilities (within 1e-6) and the same evidence; a dedupe run on Spark queues them as match candidates.

These tests need pyspark (the `spark` extra, in `dev`) and Java 17. Without them they are skipped with the
reason, except under CI (`CI=true`, as .ci/run sets, which installs openjdk-17-jre-headless): there a missing
Java or pyspark FAILS the run instead of skipping. The first test starts Spark's JVM (about 40 s here)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from safepassage.audit.models import AuditEvent
from safepassage.core.env import exposed_path
from safepassage.linkage import matching, services, spark, synthetic
from safepassage.linkage.models import MatchCandidate
from safepassage.registry.models import Person
from safepassage.testing import require_spark

VILLAGES = [f"5001{i:04d}" for i in range(30)]


@pytest.fixture
def need_spark() -> None:
    require_spark()


def test_spark_and_duckdb_give_the_same_pairs_and_probabilities(need_spark):
    generated = synthetic.people(2500, VILLAGES, duplicates=0.1)
    records = list(synthetic.records(generated))
    table = pa.Table.from_pylist(records, schema=matching._schema())
    parameters = matching.estimate(table)
    assert parameters != matching.Parameters.fixed(len(records))  # trained on this population, not fixed

    found = {
        backend: {(p.a, p.b): p for p in matching.find_pairs(records, threshold=0.9, backend=backend)}
        for backend in ("duckdb", "spark")
    }
    duckdb, on_spark = found["duckdb"], found["spark"]
    assert len(set(duckdb) & generated.same) >= 150  # real duplicates, found
    assert set(on_spark) == set(duckdb)
    for key, pair in duckdb.items():
        other = on_spark[key]
        assert abs(other.probability - pair.probability) <= 1e-6, key
        assert abs(other.match_weight - pair.match_weight) <= 1e-6, key
        assert other.evidence == pair.evidence, key
    # Spark's scratch space and checkpoints stay as private as the rest of DATA_DIR (the server refuses to
    # start otherwise), and the run's checkpoints are gone.
    assert exposed_path(Path(django_settings.DATA_DIR)) is None
    assert not any((Path(django_settings.DATA_DIR) / "linkage-tmp" / "spark-checkpoints").iterdir())


def test_a_dedupe_run_on_spark_queues_the_pairs_duckdb_finds(world, need_spark, settings):
    generated = synthetic.people(150, [world.village_1.code], duplicates=0.2, seed=7)
    ids = {}
    for p in generated.people:
        fields = {k: v for k, v in p.items() if k not in ("key", "village_code") and v is not None}
        ids[p["key"]] = Person.objects.create(agency=world.agency_a, village=world.village_1, **fields).pk

    def queued() -> dict[tuple[int, int], float]:
        return {(c.person_a_id, c.person_b_id): c.probability for c in MatchCandidate.objects.all()}

    services.dedupe(actor=world.coordinator_a, agency=world.agency_a, backend="duckdb")
    on_duckdb = queued()
    MatchCandidate.objects.all().delete()
    settings.LINKAGE_BACKEND = "spark"
    run = services.dedupe(actor=world.coordinator_a, agency=world.agency_a)
    on_spark = queued()
    assert len(on_spark) >= 10 and set(on_spark) == set(on_duckdb)
    assert all(abs(on_spark[k] - on_duckdb[k]) <= 1e-6 for k in on_spark)
    true = {tuple(sorted((ids[a], ids[b]))) for a, b in generated.same}
    assert len(set(on_spark) & true) >= 0.9 * len(on_spark)
    event = AuditEvent.objects.get(action="linkage.run", object_id=str(run.pk))
    assert event.changes["engine"] == "splink-spark"


def test_spark_asked_for_where_it_cannot_run_names_what_to_install(world, settings, monkeypatch):
    settings.LINKAGE_BACKEND = "spark"
    missing = "no Java (Debian: apt-get install openjdk-17-jre-headless)"
    monkeypatch.setattr(spark, "available", lambda: missing)
    monkeypatch.setattr(spark, "_SESSION", None)
    for i in range(3):
        Person.objects.create(
            agency=world.agency_a, village=world.village_1, given_name=f"Malee{i}", family_name="Saengdao"
        )
    with pytest.raises(CommandError, match=r"LINKAGE_BACKEND=spark: no Java .*openjdk-17-jre-headless"):
        call_command("people", "dedupe")
