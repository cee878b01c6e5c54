"""The WSGI entry point: `flask --app app run` or `gunicorn app:app`."""

from fbss_check.web import create_app

app = create_app()
