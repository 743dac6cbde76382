"""`safepassage serve`: the production web server (gunicorn), never Django's development server."""

from __future__ import annotations

import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections


def run_gunicorn(*, host: str, port: int, workers: int, threads: int, timeout: int) -> None:
    """Serve safepassage.wsgi with gunicorn in this process until stopped."""
    from gunicorn.app.base import BaseApplication

    from safepassage.wsgi import application

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                "timeout": timeout,
                "accesslog": "-",
                # The path without its query string or referrer: a search for a name stays out of the log.
                "access_log_format": '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms',
                # every request but the public help page's (its readers leave nothing in a log)
                "logger_class": "safepassage.web.gunicorn_log.QuietHelpLogger",
                "errorlog": "-",
                "forwarded_allow_ips": os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
                "limit_request_line": 8190,
                "proc_name": "safepassage",
                # gunicorn's control socket lives in $HOME and would clash between two instances.
                "control_socket_disable": True,
            }.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    # Whatever this process opened before (start-up checks, collectstatic) is closed before gunicorn forks:
    # a database connection inherited by every worker would be one socket shared by all of them, and a
    # worker serving requests in its main thread (--threads 1) used it at once (500s, lost sessions).
    connections.close_all()
    Server().run()


class Command(BaseCommand):
    help = "Serve SafePassage with gunicorn and WhiteNoise (static files collected first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
        parser.add_argument("--threads", type=int, default=4)
        parser.add_argument("--timeout", type=int, default=60)
        parser.add_argument("--data-dir", help="read by the safepassage command before start-up")
        parser.add_argument("--skip-collectstatic", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["skip_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"Serving SafePassage on http://{options['host']}:{options['port']}/")
        run_gunicorn(
            host=options["host"],
            port=options["port"],
            workers=options["workers"],
            threads=options["threads"],
            timeout=options["timeout"],
        )
