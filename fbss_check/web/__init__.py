"""The Flask layer: create_app builds the app from the bank once, or refuses to start."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from babel import localedata
from flask import Flask, render_template
from flask_babel import Babel
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

from fbss_check.bank import DEFAULT_BANK_PATH, load_bank
from fbss_check.clinics import load_clinics
from fbss_check.engine import evaluate_kept, serious_flags
from fbss_check.model import Kind
from fbss_check.path import patient_path
from fbss_check.regions import dial, region_for

from . import clinicians, compare, context, language, present, security, templating, views
from .forms import VISIT_QUESTION_MAX, build_forms, csrf_input

ROOT = Path(__file__).resolve().parent.parent.parent
STATIC = Path(__file__).resolve().parent / "static"
log = logging.getLogger(__name__)
SESSION_LIFETIME = timedelta(hours=2)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; a broken bank, an unknown region or a weak SECRET_KEY raises here."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=None)
    app.jinja_environment = templating.Environment  # each template compiled once a language
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("SECRET_KEY"),
        FBSS_REGION=os.environ.get("FBSS_REGION", "us"),
        FBSS_BANK=os.environ.get("FBSS_BANK", str(DEFAULT_BANK_PATH)),
        FBSS_CLINICS=os.environ.get("FBSS_CLINICS"),
        FBSS_PROXY_HOPS=int(os.environ.get("FBSS_PROXY_HOPS", "0") or 0),
        FBSS_PUBLIC_URL=os.environ.get("FBSS_PUBLIC_URL"),
        # Who to tell about a problem with the tool (shown on /clinicians): an email or a web address.
        FBSS_SAFETY_CONTACT=os.environ.get("FBSS_SAFETY_CONTACT"),
        # The time zone of the time printed on the summary (an IANA name such as Europe/London).
        BABEL_DEFAULT_TIMEZONE=os.environ.get("FBSS_TIMEZONE", "UTC"),
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # A page's token lasts as long as a session left alone does: a patient who waits longer
        # has lost the session too, and the expired page keeps what was saved.
        WTF_CSRF_TIME_LIMIT=int(SESSION_LIFETIME.total_seconds()),
        WTF_CSRF_SSL_STRICT=False,  # the token and SameSite cookies guard forms; no Referer is sent
        MAX_CONTENT_LENGTH=64 * 1024,
        MAX_FORM_PARTS=200,
    )
    if test_config:
        app.config.update(test_config)
    if not app.config["SECRET_KEY"] and (app.debug or app.testing):
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    security.install(app, STATIC, context.page_url)
    if app.config["FBSS_PROXY_HOPS"]:
        # Behind a proxy that sets X-Forwarded-Proto/For/Host, so HTTPS is seen as HTTPS.
        hops = app.config["FBSS_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    bank = load_bank(app.config["FBSS_BANK"])
    language.check_catalogs(bank.languages)
    region = region_for(app.config["FBSS_REGION"])
    clinics = load_clinics(app.config["FBSS_CLINICS"], bank.languages)
    banks = {language: bank.in_language(language) for language in bank.languages}
    forms = {language: build_forms(banks[language]) for language in bank.languages}
    inputs = present.OptionInputs(_jinja_env(app).macro)  # the shared macros, made below
    context.install(app, context.Questionnaire(bank, region, clinics, banks, forms, inputs))
    Babel(app, locale_selector=context.select_language)
    language.install_template_gettext(app)
    app.jinja_env.policies["ext.i18n.trimmed"] = True  # the same whitespace rule as `pybabel extract`
    app.jinja_env.globals["url_for"] = context.page_url  # a link named by the bank's ids alone is built once
    app.jinja_env.globals["option_inputs"] = context.option_inputs
    app.jinja_env.globals["question_field"] = context.question_field
    app.jinja_env.globals["reasons_to_show"] = present.reasons_to_show
    app.jinja_env.filters["phone_links"] = present.phone_links
    app.jinja_env.filters["dial"] = dial  # a phone number as its tel: link wants it
    app.jinja_env.filters["fill_links"] = context.filled_links
    app.jinja_env.filters["made_at"] = present.made_at
    app.jinja_env.filters["review_date"] = language.review_date
    app.jinja_env.globals["visit_max"] = VISIT_QUESTION_MAX
    app.jinja_env.globals["csrf_input"] = csrf_input
    with app.app_context():  # the catalogs, for the shared macros' words
        _jinja_env(app).share_macros(bank.languages)
    app.before_request(compare.allow_photo)  # before the CSRF check reads the form
    CSRFProtect(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(compare.bp)
    app.register_blueprint(clinicians.bp)
    app.register_blueprint(language.bp)
    _register_errors(app)

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        return {
            "status": "ok",
            "bank_version": bank.version,
            "review_date": bank.review_date.isoformat(),
            "languages": list(bank.languages),
        }

    return app


ERROR_TEXT = {
    400: (_l("Something went wrong with that request"), _l("Please go back and try again.")),
    404: (_l("Page not found"), _l("If you typed the web address, check it is correct.")),
    405: (_l("That did not work"), _l("Please go back and try again.")),
    413: (_l("That was too much to send"), _l("Please go back and try again.")),
    500: (_l("Sorry, something went wrong on our side"), _l("Please try again in a few minutes.")),
}


def warm(app: object) -> None:
    """Compile every template in every language, every show_if and rule, and make every question's
    kept field, as the first request of each would (nothing for any other WSGI app).
    gunicorn.conf.py calls this in the master process before it starts the workers, so each
    worker starts warm: none compiles a page (up to 30 ms) for its first patients, after each
    restart, and the workers share the compiled pages' memory."""
    built = context.installed(app)
    if built is None:
        return
    assert isinstance(app, Flask)  # installed() says so
    env = _jinja_env(app)
    with app.app_context():  # the catalogs, for the fields' words
        for language, bank in built.banks.items():
            localedata.load(language)  # Babel's data for the language (dates, numbers): 20 ms the first time
            env.compile_all(language)
            # Every show_if and rule compiled (conditions.is_met and holds), as a first patient's would be.
            patient_path(bank, {})
            serious_flags(bank, {})
            evaluate_kept(bank, {})
            for question in bank.questions.values():
                if question.kind is not Kind.WHOLE_NUMBER:
                    built.inputs.choice_field(question, language)


def _jinja_env(app: Flask) -> templating.Environment:
    found = app.jinja_env
    assert isinstance(found, templating.Environment)
    return found


def _register_errors(app: Flask) -> None:
    def render_error(code: int, heading: Any, text: Any) -> tuple[str, int]:
        try:
            known = context.page_vars()
        except Exception:  # an error page must never fail: fall back to English and the app's region
            known = context.plain_page_vars()
        return render_template("error.html", heading=heading, text=text, **known), code

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return render_error(
            400,
            _l("This page had expired"),
            _l(
                "For your safety, forms stop working after a while. Your answers so far are kept. "
                "Go back, reload the page, and send it again."
            ),
        )

    @app.errorhandler(SecurityError)
    def wrong_host(error: SecurityError) -> tuple[str, int, dict[str, str]]:
        # A Host that is not FBSS_PUBLIC_URL's: no page of ours (its links would need a host).
        return "This address is not served here.\n", 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        heading, text = ERROR_TEXT.get(code, ERROR_TEXT[400])
        return render_error(code, heading, text)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str, int]:
        log.exception("unexpected error")  # the traceback, never the form data
        return render_error(500, *ERROR_TEXT[500])
