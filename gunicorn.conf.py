"""gunicorn settings, read by `gunicorn app:app` from this folder (or `-c gunicorn.conf.py`).

In production gunicorn runs behind nginx (deploy/nginx/), which reads every request whole
before gunicorn sees it: sync workers wait on one client each, so a few slow clients would
otherwise hold them all. Hence the default bind to loopback. Every value can be overridden
from the environment (documented in README.md, "Deploy").
"""

import gc
import multiprocessing
import os

from fbss_check.web import warm
from fbss_check.web.serving import hide_server_name

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# Two workers per core plus one (gunicorn's advice), unless WEB_CONCURRENCY says otherwise.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Load the bank once in the master: a broken bank stops start-up, and workers share memory.
preload_app = True
# Restart workers now and then so that no slow leak can grow.
max_requests = 5000
max_requests_jitter = 500
# The app writes its own access line (method, path, status, time; never answers); gunicorn's
# would add the query string and the referrer.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
# gunicorn quotes a refused request line in its error log: share codes are hidden there.
logger_class = "fbss_check.web.serving.RedactingLogger"
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# X-Forwarded-* are read by the app (FBSS_PROXY_HOPS, Werkzeug's ProxyFix), never by gunicorn
# itself: with no proxy configured no client can claim HTTPS.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "")
# gunicorn 25+ opens a control socket in the home folder; one per machine would clash between
# instances, and nothing here uses it.
control_socket_disable = True
hide_server_name()


def when_ready(server: object) -> None:
    """In the master, before the workers start: every page compiled and every question's field made
    (fbss_check.web.warm), then those objects set aside from the garbage collector (gc.freeze, as
    Python's documentation advises before forking), so the workers share them and start warm."""
    warm(server.app.wsgi())  # type: ignore[attr-defined]  # the app preload_app loaded in the master
    gc.freeze()
