"""Predicting pairs on Apache Spark (LINKAGE_BACKEND=spark): a session on SPARK_MASTER with Splink's jar of
similarity functions, and a directory for Splink's intermediate tables (SPARK_CHECKPOINT_DIR, by default in
DATA_DIR), removed after each run.

pyspark is an optional dependency (`pip install 'safepassage[spark]'`) and needs Java 17; neither is loaded
unless the setting asks for Spark."""

from __future__ import annotations

import atexit
import contextlib
import logging
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings


class SparkMissing(RuntimeError):
    """LINKAGE_BACKEND=spark on a machine without pyspark or Java."""


def available() -> str:
    """Why Spark cannot run here ("" when it can): pyspark not installed, or no Java."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'safepassage[spark]')"
    if not shutil.which("java") and not _java_home():
        return "no Java (Debian: apt-get install openjdk-17-jre-headless)"
    return ""


def _java_home() -> str:
    import os

    home = os.environ.get("JAVA_HOME", "")
    return home if home and (Path(home) / "bin" / "java").exists() else ""


_SESSION: Any = None


def _get() -> Any:
    """One Spark session per process, started on first use (starting the JVM takes seconds)."""
    global _SESSION
    if _SESSION is None:
        reason = available()
        if reason:
            raise SparkMissing(f"LINKAGE_BACKEND=spark: {reason}")
        from pyspark.sql import SparkSession
        from splink.backends.spark import similarity_jar_location

        master = settings.SPARK_MASTER
        # Spark's scratch space (shuffles, and the copy of the jar it serves, readable by all): a private
        # temporary directory (0700, under TMPDIR) outside DATA_DIR, which must hold nothing others may read.
        local = tempfile.mkdtemp(prefix="safepassage-spark-")
        atexit.register(shutil.rmtree, local, ignore_errors=True)
        builder = (
            SparkSession.builder.master(master)
            .appName("safepassage-linkage")
            .config("spark.jars", similarity_jar_location())  # the jaro_winkler function Splink registers
            .config("spark.local.dir", local)  # never the working directory
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", "UTC")
            # Hadoop's file system writes the checkpoints with its own umask (022): DATA_DIR stays private.
            .config("spark.hadoop.fs.permissions.umask-mode", "077")
        )
        if master.startswith("local"):
            # Spark's default of 200 partitions per shuffle is for clusters; on one machine it is overhead.
            builder = builder.config("spark.sql.shuffle.partitions", "8")
        # py4j logs each connection it closes, at exit too (after a test runner closed its streams).
        logging.getLogger("py4j").setLevel(logging.WARNING)
        _SESSION = builder.getOrCreate()
        _SESSION.sparkContext.setLogLevel("ERROR")
    return _SESSION


@contextlib.contextmanager
def session() -> Iterator[Any]:
    """The Spark session, with a checkpoint directory of this run's own, removed afterwards when local."""
    spark = _get()
    base = settings.SPARK_CHECKPOINT_DIR or str(Path(settings.DATA_DIR) / "linkage-tmp" / "spark-checkpoints")
    directory = f"{base.rstrip('/')}/{uuid.uuid4().hex}"
    if "://" not in directory:
        Path(base).mkdir(mode=0o700, parents=True, exist_ok=True)
        Path(directory).mkdir(mode=0o700)
    spark.sparkContext.setCheckpointDir(directory)
    try:
        yield spark
    finally:
        if "://" not in directory:  # a cluster's shared storage is left to its own clean-up
            shutil.rmtree(directory, ignore_errors=True)


def api(spark: Any) -> Any:
    """Splink's Spark engine on this session (it registers the jar's functions)."""
    from splink.backends.spark import SparkAPI

    return SparkAPI(spark_session=spark)
