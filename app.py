"""The WSGI entry point: `flask --app app run` or `gunicorn app:app`."""

import sys

from fbss_check.web import create_app
from fbss_check.web.security import ConfigError

try:
    app = create_app()
except ConfigError as error:
    sys.exit(f"fbss-check: {error}")
