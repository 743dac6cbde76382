"""gunicorn's access log without the public help page: its readers leave no address, browser or time in any
log (docs/prevention.md); the page keeps only a count per day and language."""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

QUIET_PREFIX = "/help/"


class QuietHelpLogger(Logger):
    """Logs every request as gunicorn does, except those for the help page."""

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if str(environ.get("PATH_INFO", "")).startswith(QUIET_PREFIX):
            return
        super().access(resp, req, environ, request_time)
