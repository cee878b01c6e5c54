"""gunicorn settings, read automatically by `gunicorn app:app` from this folder.

Every value can be overridden from the environment (documented in README.md, "Deploy").
"""

import multiprocessing
import os

bind = os.environ.get("BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
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
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
# Trust X-Forwarded-* only from these addresses (the load balancer); see FBSS_PROXY_HOPS.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
