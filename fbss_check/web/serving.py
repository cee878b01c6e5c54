"""Serving under gunicorn: logs that never name a share code, and no server name in responses.

gunicorn.conf.py uses both. A share code is the patient's answers, so no log line may carry one:
gunicorn quotes the request line when it refuses a request ("Invalid request from ip=...:
Invalid HTTP Version 'GET /r/<code> HTP/9'") or when a request fails ("Error handling request
GET /r/<code>"), and a traceback may quote it too.
"""

from __future__ import annotations

from typing import Any

import gunicorn.http.wsgi
from gunicorn.glogging import Logger

from .security import RedactShareCodes


class RedactingLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger with share codes hidden on every handler, after every (re)configuration."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(f, RedactShareCodes) for f in handler.filters):
                    handler.addFilter(RedactShareCodes())


def hide_server_name() -> None:
    """gunicorn says `Server: gunicorn` on every response; say nothing about the software."""
    gunicorn.http.wsgi.SERVER = "web"
