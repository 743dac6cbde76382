"""The `safepassage` command: Django's manage.py with SafePassage's settings and friendly start-up errors."""

from __future__ import annotations

import os
import sys

from safepassage.core.env import PRIVATE_UMASK


def _early_options(argv: list[str]) -> None:
    """`safepassage demo --data-dir DIR` must choose DATA_DIR before the settings are read."""
    if len(argv) > 1 and argv[1] in ("demo", "serve"):
        for index, arg in enumerate(argv):
            if arg == "--data-dir" and index + 1 < len(argv):
                os.environ["DATA_DIR"] = argv[index + 1]
            elif arg.startswith("--data-dir="):
                os.environ["DATA_DIR"] = arg.split("=", 1)[1]


def main(argv: list[str] | None = None) -> None:
    """Run a management command (`safepassage migrate`, `safepassage serve`, `safepassage demo`, …)."""
    # Before anything is written: the database, its -wal and -shm, uploads and exports are for this account
    # only (SQLite makes its -wal later, with whatever umask the process has then).
    os.umask(PRIVATE_UMASK)
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "safepassage"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safepassage.settings")
    _early_options(argv)
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
        from safepassage.core.crypto import check_keys

        # A wrong or missing key stops here, naming the setting, before anything is read or written.
        check_keys()
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"safepassage: configuration error: {exc}\n")
        raise SystemExit(2) from None
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
