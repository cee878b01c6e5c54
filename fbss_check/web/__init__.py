"""The Flask layer: create_app builds the app from the bank once, or refuses to start."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from fbss_check.bank import DEFAULT_BANK_PATH, load_bank
from fbss_check.regions import region_for

from . import views
from .forms import ActionForm, build_forms

ROOT = Path(__file__).resolve().parent.parent.parent
log = logging.getLogger(__name__)

# Pages that show answers or a decision must never be kept by a browser or a proxy.
NO_STORE_ENDPOINTS = {
    "questionnaire.ask",
    "questionnaire.warn",
    "questionnaire.check",
    "questionnaire.result",
    "questionnaire.summary",
}


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; a broken bank or an unknown region raises here, before any request."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"))
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("SECRET_KEY"),
        FBSS_REGION=os.environ.get("FBSS_REGION", "us"),
        FBSS_BANK=os.environ.get("FBSS_BANK", str(DEFAULT_BANK_PATH)),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=2),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session cookie
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    if test_config:
        app.config.update(test_config)
    if not app.config["SECRET_KEY"]:
        # Fine for one process on a laptop; several workers need one shared SECRET_KEY.
        app.config["SECRET_KEY"] = secrets.token_hex(32)
        log.warning("SECRET_KEY is not set: using a random key; answers are lost on restart")
    bank = load_bank(app.config["FBSS_BANK"])
    region = region_for(app.config["FBSS_REGION"])
    app.extensions["fbss_check"] = views.Questionnaire(bank, region, build_forms(bank))
    CSRFProtect(app)
    app.register_blueprint(views.bp)
    _register_errors(app)

    @app.after_request
    def no_store(response: Response) -> Response:
        if request.endpoint in NO_STORE_ENDPOINTS:
            response.headers["Cache-Control"] = "no-store"
        return response

    return app


ERROR_TEXT = {
    400: ("Something went wrong with that request", "Please go back and try again."),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("That did not work", "Please go back and try again."),
    413: ("That was too much to send", "Please go back and try again."),
    500: ("Sorry, something went wrong on our side", "Please try again in a few minutes."),
}


def _register_errors(app: Flask) -> None:
    def render_error(code: int, heading: str, text: str) -> tuple[str, int]:
        bank = app.extensions["fbss_check"].bank
        region = app.extensions["fbss_check"].region
        return (
            render_template("error.html", heading=heading, text=text, bank=bank, region=region, form=ActionForm()),
            code,
        )

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return render_error(
            400,
            "This page had expired",
            "For your safety, forms stop working after a while. Your answers so far are kept. "
            "Go back, reload the page, and send it again.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        heading, text = ERROR_TEXT.get(code, ERROR_TEXT[400])
        return render_error(code, heading, text)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str, int]:
        log.exception("unexpected error")  # the traceback, never the form data
        return render_error(500, *ERROR_TEXT[500])
