"""`safepassage demo`: migrate, load the synthetic demo province, print the logins and serve."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from safepassage.web.demo import load_demo
from safepassage.web.management.commands.serve import run_gunicorn


class Command(BaseCommand):
    help = "Set up and serve a demo with a synthetic province, agencies and users of every role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--data-dir", help="where the demo keeps its database (read at start-up)")
        parser.add_argument("--reset", action="store_true", help="start again from an empty database")
        parser.add_argument("--no-serve", action="store_true", help="load the demo and stop")
        parser.add_argument("--people", type=int, default=20_000, help="size of the synthetic population")

    def handle(self, *args: Any, **options: Any) -> None:
        data_dir = Path(settings.DATA_DIR)
        logins_file = data_dir / "demo-logins.json"
        if options["reset"]:
            self._reset(logins_file)
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database ready.")
        if options["people"] < 0:
            raise CommandError("--people: must be 0 or more")
        logins = load_demo(logins_file=logins_file, people=options["people"])
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"\nDemo logins (also in {logins_file}):")
        width = max(len(login.username) for login in logins)
        for login in logins:
            self.stdout.write(
                f"  {login.username:<{width}}  {login.password}  {login.role:<11} {login.agency}"
            )
        self.stdout.write(
            "\nAfter the password, SafePassage asks for a code: add a login's totp_secret (in that file) "
            "to an authenticator app, or print the current code with\n"
            '  .venv/bin/python -c "import base64,sys; from django_otp.oath import totp; '
            "print('%06d' % totp(base64.b32decode(sys.argv[1])))\" SECRET\n"
        )
        if options["no_serve"]:
            return
        self.stdout.write(f"\nOpen http://{options['host']}:{options['port']}/ and sign in. Ctrl+C stops.\n")
        self.stdout.flush()
        run_gunicorn(host=options["host"], port=options["port"], workers=2, threads=4, timeout=60)

    def _reset(self, logins_file: Path) -> None:
        if connection.vendor == "sqlite":
            db_file = Path(str(settings.DATABASES["default"]["NAME"]))
            connection.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db_file}{suffix}").unlink(missing_ok=True)
        elif connection.vendor == "postgresql":
            if not settings.DEBUG and "demo" not in str(settings.DATABASES["default"]["NAME"]):
                raise CommandError(
                    "--reset on PostgreSQL drops every table: it only runs on a database whose name contains "
                    "'demo', or with DEBUG=true"
                )
            with connection.cursor() as cursor:
                cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        logins_file.unlink(missing_ok=True)
        self.stdout.write("Demo data removed.")
