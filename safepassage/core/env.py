"""Reading settings from the environment, failing early with a message that names the variable."""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class EnvError(ImproperlyConfigured):
    """A setting taken from the environment has a value SafePassage cannot use."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name


class Env:
    """Typed access to environment variables; every error names the variable."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def text(self, name: str, default: str = "") -> str:
        """The raw value, or the default when unset; `NAME_FILE` is read for secrets kept in files."""
        file_name = self.environ.get(f"{name}_FILE")
        if file_name:
            try:
                return Path(file_name).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise EnvError(f"{name}_FILE", f"cannot read {file_name!r} ({exc.strerror})") from exc
        return self.environ.get(name, default)

    def flag(self, name: str, default: bool = False) -> bool:
        """A yes/no flag: 1/0, true/false, yes/no, on/off."""
        raw = self.environ.get(name)
        if raw is None:
            return default
        value = raw.strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise EnvError(name, f"expected true or false, got {raw!r}")

    def integer(self, name: str, default: int, *, minimum: int | None = None) -> int:
        """A whole number, optionally with a lower bound."""
        raw = self.environ.get(name)
        if raw is None or raw.strip() == "":
            return default
        try:
            value = int(raw)
        except ValueError as exc:
            raise EnvError(name, f"expected a whole number, got {raw!r}") from exc
        if minimum is not None and value < minimum:
            raise EnvError(name, f"must be at least {minimum}, got {value}")
        return value

    def items(self, name: str, default: list[str]) -> list[str]:
        """A comma-separated list."""
        raw = self.environ.get(name)
        if raw is None:
            return default
        return [item.strip() for item in raw.split(",") if item.strip()]

    def choice(self, name: str, default: str, choices: set[str]) -> str:
        """One of a fixed set of values."""
        value = self.environ.get(name, default)
        if value not in choices:
            raise EnvError(name, f"expected one of {', '.join(sorted(choices))}, got {value!r}")
        return value


PRIVATE_UMASK = 0o077  # files SafePassage makes are for its own account only


def data_dir(env: Env) -> Path:
    """The folder for the SQLite database, the generated secret key, uploads and exports: created 0700, and
    refused when it, or anything in it, can be read by other accounts on the server."""
    path = Path(env.text("DATA_DIR", "var")).expanduser().resolve()
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise EnvError("DATA_DIR", f"cannot create {str(path)!r} ({exc.strerror})") from exc
    if not os.access(path, os.W_OK):
        raise EnvError("DATA_DIR", f"{str(path)!r} is not writable")
    exposed = exposed_path(path)
    if exposed is not None:
        raise EnvError(
            "DATA_DIR",
            f"{str(exposed)!r} can be read by other accounts on this server; "
            f"run: chmod -R go-rwx {str(path)!r}",
        )
    return path


def exposed_path(folder: Path) -> Path | None:
    """The folder itself, or the first file or folder in it, that group or others may read, write or enter."""
    if folder.stat().st_mode & 0o077:
        return folder
    for root, dirs, files in os.walk(folder):
        for name in sorted(dirs) + sorted(files):
            candidate = Path(root) / name
            try:
                mode = candidate.lstat().st_mode
            except OSError:
                continue  # gone meanwhile (a SQLite journal)
            if not stat.S_ISLNK(mode) and mode & 0o077:
                return candidate
    return None


def secret_key(env: Env, folder: Path) -> str:
    """SECRET_KEY from the environment, else one generated once into DATA_DIR and kept there."""
    value = env.text("SECRET_KEY")
    if value:
        if len(value) < 32:
            raise EnvError("SECRET_KEY", "must be at least 32 characters long")
        return value
    key_file = folder / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(50))
    return key_file.read_text(encoding="utf-8").strip()


def database(env: Env, folder: Path) -> dict[str, object]:
    """The default database: DATABASE_URL, or an SQLite file in DATA_DIR with WAL and a busy timeout."""
    import dj_database_url

    url = env.text("DATABASE_URL")
    if not url:
        config: dict[str, object] = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(folder / "safepassage.sqlite3"),
        }
    else:
        try:
            config = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
        except (ValueError, KeyError) as exc:
            raise EnvError("DATABASE_URL", f"cannot read {url.split('@')[-1]!r}: {exc}") from exc
        engine = str(config.get("ENGINE", ""))
        if engine.endswith("postgresql") or engine.endswith("postgresql_psycopg2"):
            config["ENGINE"] = "django.db.backends.postgresql"
            _postgres_options(config)
        elif not engine.endswith("sqlite3"):
            raise EnvError("DATABASE_URL", "SafePassage runs on postgresql:// or sqlite:/// only")
    if str(config["ENGINE"]).endswith("sqlite3"):
        config["OPTIONS"] = {
            # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at BEGIN,
            # so two writers queue on the busy timeout instead of failing half-way with "database is locked".
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": env.integer("SQLITE_BUSY_TIMEOUT", 20, minimum=1),
        }
        config.pop("CONN_HEALTH_CHECKS", None)
        config["CONN_MAX_AGE"] = 0
        # Tests get a file too, as production has, not Django's shared in-memory database: there a
        # background thread writing (an import's progress) while a request reads the same table fails at
        # once with "database table is locked", which no busy timeout waits out.
        config["TEST"] = {"NAME": str(folder / "test.sqlite3")}
    config.setdefault("TEST", {})
    return config


def _postgres_options(config: dict[str, object]) -> None:
    """Settings for every connection SafePassage opens to PostgreSQL. JIT compilation off: SafePassage's
    queries are short (a page, a report from pre-counted cells), and PostgreSQL's default compiles any query
    its planner prices high, which cost more than the query itself (14-90 ms on a 60 ms report query) and,
    with fifty people at work, took a large share of the processor. A `?options=` in the URL that sets
    `jit` itself is kept as it is."""
    options = dict(config.get("OPTIONS") or {})  # type: ignore[call-overload]
    given = str(options.get("options", ""))
    if "jit" not in given:
        options["options"] = f"{given} -c jit=off".strip()
    config["OPTIONS"] = options


def database_replica(env: Env, primary: Mapping[str, object]) -> dict[str, object] | None:
    """DATABASE_REPLICA_URL: a PostgreSQL standby that report and export reads may go to (core/replica.py),
    or None when unset. Only beside a PostgreSQL primary. Tests use the primary's test database (MIRROR)."""
    import dj_database_url

    url = env.text("DATABASE_REPLICA_URL")
    if not url:
        return None
    if not str(primary["ENGINE"]).endswith("postgresql"):
        raise EnvError("DATABASE_REPLICA_URL", "a replica needs a PostgreSQL DATABASE_URL (the primary)")
    try:
        config = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    except (ValueError, KeyError) as exc:
        raise EnvError("DATABASE_REPLICA_URL", f"cannot read {url.split('@')[-1]!r}: {exc}") from exc
    engine = str(config.get("ENGINE", ""))
    if not (engine.endswith("postgresql") or engine.endswith("postgresql_psycopg2")):
        raise EnvError("DATABASE_REPLICA_URL", "the replica must be postgresql:// (a standby of the primary)")
    config["ENGINE"] = "django.db.backends.postgresql"
    _postgres_options(config)
    config["TEST"] = {"MIRROR": "default"}
    return config


def _key_file(folder: Path, name: str, make: str) -> str:
    """A key generated once into DATA_DIR (mode 0600) for the demo's SQLite database."""
    path = folder / name
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(make + "\n")
    return path.read_text(encoding="utf-8")


def encryption_keys(env: Env, folder: Path) -> tuple[bytes, ...]:
    """ENCRYPTION_KEYS (or ENCRYPTION_KEYS_FILE): the keys sensitive fields and private files are sealed
    under, newest first. Without them, on the SQLite database only (the demo's), one is generated into
    DATA_DIR/encryption_keys; PostgreSQL (production) refuses to start."""
    from safepassage.core import crypto

    text = env.text("ENCRYPTION_KEYS")
    if not text:
        if env.text("DATABASE_URL"):
            raise EnvError(
                "ENCRYPTION_KEYS",
                "not set: give the encryption keys (openssl rand -base64 32), kept outside the database "
                "and its backups (docs/operations.md)",
            )
        text = _key_file(folder, "encryption_keys", crypto.new_key_text())
    return tuple(crypto.parse_keys("ENCRYPTION_KEYS", text))


def blind_index_key(env: Env, folder: Path) -> bytes:
    """BLIND_INDEX_KEY (or BLIND_INDEX_KEY_FILE): the key of ID numbers' keyed hashes, apart from
    ENCRYPTION_KEYS; generated into DATA_DIR/blind_index_key on the SQLite database only, as they are."""
    from safepassage.core import crypto

    text = env.text("BLIND_INDEX_KEY")
    if not text:
        if env.text("DATABASE_URL"):
            raise EnvError(
                "BLIND_INDEX_KEY",
                "not set: give the ID numbers' index key (openssl rand -base64 32), not one of "
                "ENCRYPTION_KEYS (docs/operations.md)",
            )
        text = _key_file(folder, "blind_index_key", crypto.new_key_text())
    keys = crypto.parse_keys("BLIND_INDEX_KEY", text)
    if len(keys) != 1:
        raise EnvError("BLIND_INDEX_KEY", "give one key (it cannot be rotated without re-indexing)")
    return keys[0]
