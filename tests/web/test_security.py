"""Security headers, cookies, CSRF, the secret key, the access log, assets and the health check."""

from __future__ import annotations

import hashlib
import logging
import string
import subprocess
import sys
import time
from collections.abc import Iterator
from functools import partial
from typing import Any
from unittest import mock

import pytest
from flask import Flask, g, session, url_for
from flask.sessions import SecureCookieSessionInterface, session_json_serializer
from flask.testing import FlaskClient
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf, validate_csrf
from hypothesis import given
from hypothesis import strategies as st
from itsdangerous import TimestampSigner
from werkzeug.wrappers import Response
from wtforms import ValidationError

from fbss_check.web import create_app
from fbss_check.web.forms import CSRF_FIELD, Form, csrf_input, csrf_token
from fbss_check.web.security import (
    HSTS,
    SECURITY_HEADERS,
    SESSION_RESIGN_AFTER,
    AccessFormatter,
    ConfigError,
    SessionInterface,
    SessionJSON,
    add_security_headers,
)
from tests.conftest import ROOT
from tests.web.conftest import CALM_ANSWERS, Patient, soup

PAGES = ["/", "/questions/emergency_signs", "/check", "/result", "/summary", "/session-expired", "/nowhere"]


@pytest.fixture
def walked(patient: Patient) -> Patient:
    patient.walk({**CALM_ANSWERS, "fever": "yes"})
    return patient


@pytest.mark.parametrize("url", PAGES)
def test_every_response_carries_the_security_headers(walked: Patient, url: str) -> None:
    headers = walked.client.get(url).headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "form-action 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "camera=()" in headers["Permissions-Policy"]
    assert headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in headers  # plain HTTP here
    for name, value in SECURITY_HEADERS:
        assert headers.getlist(name) == [value]


@pytest.mark.parametrize("own", [None, "max-age=60", "no-cache"])
def test_every_page_is_no_store_once_whatever_its_view_said(app: Flask, own: str | None) -> None:
    with app.test_request_context("/"):
        response = add_security_headers(Response("x", headers={"cache-control": own} if own else {}))
    assert response.headers.getlist("Cache-Control") == ["no-store"]


def test_a_security_header_a_view_set_itself_is_kept_and_not_sent_twice(app: Flask) -> None:
    with app.test_request_context("/", base_url="https://fbss.example"):
        response = add_security_headers(Response("x", headers={"x-frame-options": "SAMEORIGIN"}))
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert response.headers.getlist("Strict-Transport-Security") == [HSTS[1]]
    for name, value in SECURITY_HEADERS:
        if name != "X-Frame-Options":
            assert response.headers.getlist(name) == [value]


def test_behind_https_the_cookie_is_secure_and_hsts_is_sent(client: FlaskClient) -> None:
    response = client.get("/", base_url="https://fbss.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    patient = Patient(client)
    patient.client.get("/", base_url="https://fbss.example")
    token = soup(patient.client.get("/", base_url="https://fbss.example")).find("input", attrs={"name": "csrf_token"})
    assert token is not None
    started = client.post("/start", data={"csrf_token": token["value"]}, base_url="https://fbss.example")
    cookie = started.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_behind_a_proxy_the_forwarded_scheme_counts() -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "k" * 40, "FBSS_PROXY_HOPS": 1})
    response = app.test_client().get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in response.headers


def test_no_page_loads_anything_from_another_site(walked: Patient) -> None:
    for url in PAGES:
        page = soup(walked.client.get(url))
        for tag, attribute in (("link", "href"), ("script", "src"), ("img", "src"), ("form", "action")):
            for element in page.find_all(tag):
                value = str(element.get(attribute, ""))
                assert not value.startswith(("http:", "https:", "//")), f"{url}: {tag} {value}"
        assert not page.find_all(style=True) and not page.find_all("style"), f"{url}: inline style"
        assert not [s for s in page.find_all("script") if s.string], f"{url}: inline script"


def test_static_files_have_hashed_names_and_a_long_cache(client: FlaskClient) -> None:
    href = str(soup(client.get("/")).find("link", rel="stylesheet")["href"])
    assert href.startswith("/assets/style.") and href.endswith(".css") and len(href) > len("/assets/style.css") + 5
    with client.get(href) as response:
        assert response.status_code == 200 and b"@media print" in response.data
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert client.get("/assets/style.css").status_code == 404
    assert client.get("/assets/../app.py").status_code == 404


def test_healthz_reports_the_bank(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {
        "status": "ok",
        "bank_version": "2.3.0",
        "review_date": "2026-12-02",
        "languages": ["en", "es"],
    }


@pytest.mark.parametrize("key", [None, "", "short", "changeme", "a" * 64])
def test_outside_debug_a_missing_or_weak_secret_key_stops_the_app(key: str | None) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY is missing or weak: set it"):
        create_app({"SECRET_KEY": key, "TESTING": False})


STRONG_KEY = "3b1f0c9e8d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a"


def test_a_strong_secret_key_and_a_public_address_start_the_app() -> None:
    assert create_app({"SECRET_KEY": STRONG_KEY, "TESTING": False, "FBSS_PUBLIC_URL": "https://check.example.org"})


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        (None, "FBSS_PUBLIC_URL is missing"),
        ("", "FBSS_PUBLIC_URL is missing"),
        ("check.example.org", "must be http:// or https://"),
        ("ftp://check.example.org", "must be http:// or https://"),
        ("https://user:pw@check.example.org", "must be http:// or https://"),
        ("https://check.example.org/fbss", "must be only the scheme and host"),
        ("https://check.example.org/?a=1", "must be only the scheme and host"),
        ("https://check.example.org:99999", "is not a web address"),
    ],
)
def test_outside_debug_a_missing_or_odd_public_address_stops_the_app(url: str | None, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        create_app({"SECRET_KEY": STRONG_KEY, "TESTING": False, "FBSS_PUBLIC_URL": url})


@pytest.fixture(scope="module")
def public_app() -> Flask:
    return create_app({"SECRET_KEY": STRONG_KEY, "TESTING": False, "FBSS_PUBLIC_URL": "https://check.example.org/"})


@pytest.mark.parametrize("host", ["evil.example", "check.example.org.evil.example", "127.0.0.1", "localhost:8000"])
@pytest.mark.parametrize(
    "url", ["/", "/summary", "/clinicians", "/clinicians/poster/example_spine", "/nowhere", "/healthz"]
)
def test_a_request_for_another_host_is_refused(public_app: Flask, host: str, url: str) -> None:
    response = public_app.test_client().get(url, headers={"Host": host})
    assert response.status_code == 400
    assert response.get_data(as_text=True) == "This address is not served here.\n"
    assert response.headers["X-Frame-Options"] == "DENY"  # still every security header


def test_behind_a_proxy_a_forwarded_host_is_refused_too() -> None:
    app = create_app(
        {
            "SECRET_KEY": STRONG_KEY,
            "TESTING": False,
            "FBSS_PUBLIC_URL": "https://check.example.org",
            "FBSS_PROXY_HOPS": 1,
        }
    )
    client = app.test_client()
    assert client.get("/", headers={"Host": "check.example.org", "X-Forwarded-Host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"Host": "check.example.org"}).status_code == 200


class AtHost:
    """A test client whose requests say `Host: <host>`, as a browser at that address would."""

    def __init__(self, client: FlaskClient, base_url: str) -> None:
        self.client, self.base_url = client, base_url

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.client.get(url, base_url=self.base_url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> Any:
        return self.client.post(url, base_url=self.base_url, **kwargs)


def test_every_link_and_qr_code_for_outside_uses_the_public_address(public_app: Flask) -> None:
    client = AtHost(public_app.test_client(), "https://check.example.org:8443")  # the port nginx listens on
    patient = Patient(client)  # type: ignore[arg-type]
    patient.walk({**CALM_ANSWERS, "fever": "yes"})
    share = soup(patient.get("/summary")).select_one(".share-url")
    assert share is not None and share.get_text(strip=True).startswith("https://check.example.org/r/")
    clinicians = soup(client.get("/clinicians")).get_text()
    assert "https://check.example.org/c/" in clinicians and ":8443" not in clinicians
    poster = client.get("/clinicians/poster/example_spine").get_data(as_text=True)
    assert "https://check.example.org/c/example_spine" in poster and ":8443" not in poster


def test_over_https_the_session_cookie_is_always_secure(public_app: Flask) -> None:
    patient = Patient(AtHost(public_app.test_client(), "http://check.example.org"))  # type: ignore[arg-type]
    started = patient.start()
    assert "Secure" in started.headers["Set-Cookie"]


def test_the_app_module_says_in_one_line_how_to_set_the_key() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import app"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "FBSS_REGION": "us"},
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "export SECRET_KEY=" in lines[0]


class ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def access_lines() -> Iterator[list[str]]:
    handler = ListHandler()
    logger = logging.getLogger("fbss_check.access")
    logger.addHandler(handler)
    yield handler.lines
    logger.removeHandler(handler)


def test_the_access_log_has_one_line_per_request_and_no_answers(
    app: Flask, access_lines: list[str], walked: Patient
) -> None:
    access_lines.clear()
    walked.answer_page("/questions/your_surgery", {**CALM_ANSWERS, "operations_count": "17"})
    walked.client.get("/warning?next=check")
    walked.client.get("/r/SECRETSHARECODE")
    assert len(access_lines) == 4
    assert access_lines[0].startswith("GET /questions/your_surgery 200 ")
    assert access_lines[1].startswith("POST /questions/your_surgery 302 ")
    assert access_lines[2].startswith("GET /warning 200 ")  # no query string
    assert access_lines[3].startswith("GET /r/<code> 400 ")
    text = "\n".join(access_lines)
    cookie = walked.client.get_cookie("session")
    assert cookie is not None
    for secret in ("=17", "SECRETSHARECODE", cookie.value[:20], "csrf", "fusion", "yes"):
        assert secret not in text


@given(
    steps=st.lists(st.floats(0, 2.5), min_size=1, max_size=12),
    start=st.floats(1_700_000_000, 2_000_000_000),
    datefmt=st.sampled_from([None, "%Y-%m-%d %H:%M:%S", "%H:%M"]),
)
def test_the_access_lines_time_is_loggings_own(steps: list[float], start: float, datefmt: str | None) -> None:
    """The formatter writes a second's words once and reuses them: every line, through seconds and
    across their edges, reads as logging's Formatter writes it."""
    kept, plain = AccessFormatter("%(asctime)s %(message)s"), logging.Formatter("%(asctime)s %(message)s", datefmt)
    kept.datefmt = datefmt
    created = start
    for step in steps:
        created += step
        record = logging.LogRecord("fbss_check.access", logging.INFO, "", 0, "GET / 200", None, None)
        record.created, record.msecs = created, int((created - int(created)) * 1000) + 0.0
        assert kept.format(record) == plain.format(record)


def test_a_csrf_token_expires_with_the_session_and_the_expired_page_keeps_the_answers(walked: Patient) -> None:
    app = walked.client.application
    assert app.config["WTF_CSRF_TIME_LIMIT"] == app.permanent_session_lifetime.total_seconds()
    token_page = walked.client.get("/questions/mood_sleep")
    token = soup(token_page).find("input", attrs={"name": "csrf_token"})
    assert token is not None
    later = time.time() + app.config["WTF_CSRF_TIME_LIMIT"] + 60
    with mock.patch("itsdangerous.timed.time.time", return_value=later):
        response = walked.client.post("/questions/mood_sleep", data={"csrf_token": token["value"], "phq4_down": "3"})
    assert response.status_code == 400
    assert "This page had expired" in response.get_data(as_text=True)
    assert soup(walked.client.get("/result")).select_one("[data-flag=fever]") is not None


def test_a_stale_csrf_token_shows_a_friendly_page_and_keeps_answers(walked: Patient) -> None:
    response = walked.client.post("/questions/mood_sleep", data={"csrf_token": "stale", "phq4_down": "3"})
    assert response.status_code == 400
    assert "Your answers so far are kept" in response.get_data(as_text=True)
    assert walked.client.get("/result").status_code == 200
    fever = soup(walked.client.get("/result")).select_one("[data-flag=fever]")
    assert fever is not None


def test_the_csrf_input_is_the_tag_wtforms_writes_for_a_forms_token(app: Flask) -> None:
    class StockForm(FlaskForm):  # Flask-WTF's own form, with its token field
        pass

    with app.test_request_context("/"):
        stock = StockForm()
        assert str(csrf_input()) == str(stock.csrf_token)  # WTForms' own widget, the same token
        assert "csrf_token" not in Form()._fields  # the app's forms leave the check to CSRFProtect
        app.config["WTF_CSRF_ENABLED"] = False
        try:
            assert csrf_input() == ""  # no check, no input
        finally:
            app.config["WTF_CSRF_ENABLED"] = True


HEX = "0123456789abcdef"  # the digits of a raw token
KEYED = {key: create_app({"TESTING": True, "SECRET_KEY": key}) for key in ("a" * 64, "b" * 64)}


# A raw token as Flask-WTF makes one: a SHA-1 of random bytes, in hex.
FLASK_WTF_RAW = st.binary(min_size=64, max_size=64).map(lambda seed: hashlib.sha1(seed).hexdigest())


@given(raw=FLASK_WTF_RAW | st.text(HEX, min_size=40, max_size=40), second=st.integers(1_700_000_000, 2_000_000_000))
def test_the_csrf_token_is_flask_wtfs_and_passes_its_check(raw: str, second: int) -> None:
    """Byte for byte the token generate_csrf makes, but where Flask-WTF's is compressed (a raw token
    deflate can shorten, such as forty zeros; never one it makes): validate_csrf takes both."""
    for app in KEYED.values():
        with mock.patch.object(TimestampSigner, "get_timestamp", return_value=second), app.test_request_context("/"):
            session[CSRF_FIELD] = raw
            ours = csrf_token()
            assert csrf_token() == ours  # made once a request
            del g.csrf_token
            theirs = generate_csrf()
            assert ours == theirs or theirs.startswith(".")  # "." starts a compressed payload
        with (
            mock.patch.object(TimestampSigner, "get_timestamp", return_value=second + 60),
            app.test_request_context("/"),
        ):
            session[CSRF_FIELD] = raw
            validate_csrf(ours)  # raises if refused


@given(raw=FLASK_WTF_RAW)
def test_a_raw_token_as_flask_wtf_makes_one_gives_the_same_token(raw: str) -> None:
    with KEYED["a" * 64].test_request_context("/"):
        session[CSRF_FIELD] = raw
        ours = csrf_token()
        del g.csrf_token
        assert generate_csrf() == ours


def test_a_first_page_leaves_the_sessions_token_to_flask_wtf_and_each_key_signs_its_own() -> None:
    signed = {}
    for key, app in KEYED.items():
        with app.test_request_context("/"):
            assert CSRF_FIELD not in session
            first = csrf_token()  # generate_csrf makes the raw token and keeps it in the session
            assert isinstance(session.get(CSRF_FIELD), str)
            del g.csrf_token
            again = csrf_token()  # the same raw token, signed by the app's kept serializer
            validate_csrf(first)
            validate_csrf(again)
            signed[key] = (session[CSRF_FIELD], again)
    raw, token = signed["b" * 64]
    with KEYED["a" * 64].test_request_context("/"):
        session[CSRF_FIELD] = raw
        with pytest.raises(ValidationError, match="invalid"):
            validate_csrf(token)  # signed with the other app's key


def _post_urls(app: Flask) -> list[str]:
    """Every address the app takes a POST at, with a real section for a question page."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" in (rule.methods or ()):
            with app.test_request_context("/"):
                urls.append(url_for(rule.endpoint, **dict.fromkeys(rule.arguments, "your_spine")))
    return urls


def test_every_post_is_refused_without_the_pages_token_and_taken_with_it(app: Flask) -> None:
    """The app's forms have no token field of their own: CSRFProtect checks every POST, before
    any view. Without the token, or with a wrong one, each is the friendly "page had expired" page
    and changes nothing; with the page's token, none is refused for it."""
    urls = _post_urls(app)
    assert len(urls) == 7
    patient = Patient(app.test_client())
    patient.start()
    for url in urls:
        for data in ({}, {"csrf_token": "not-the-token"}, {"csrf_token": patient.token + "x"}):
            response = patient.client.post(url, data=data)
            assert response.status_code == 400, (url, data)
            assert "This page had expired" in response.get_data(as_text=True), url
        assert patient.get("/questions/your_spine").status_code == 200  # the patient's session is as it was
        taken = patient.client.post(url, data={"csrf_token": patient.token})
        assert "This page had expired" not in taken.get_data(as_text=True), url
        patient.start()


def test_the_session_is_signed_with_the_current_key_and_opens_with_a_fallback_one() -> None:
    """The session's serializer is kept while the keys stay the same, and made again when they
    change: a new key takes effect at once, and an old one listed in SECRET_KEY_FALLBACKS still opens."""
    app = create_app({"TESTING": True, "SECRET_KEY": "a" * 40})
    patient = Patient(app.test_client())
    patient.start()
    assert patient.get("/questions/your_spine").status_code == 200
    interface = app.session_interface
    assert interface.get_signing_serializer(app) is interface.get_signing_serializer(app)

    app.secret_key = "b" * 40  # the old key is forgotten: the patient's session no longer opens
    assert patient.get("/questions/your_spine").status_code == 302
    patient.start()
    app.config["SECRET_KEY_FALLBACKS"] = ["b" * 40]
    app.secret_key = "c" * 40  # rotated, the last key kept as a fallback: the session still opens
    assert patient.get("/questions/your_spine").status_code == 200


@given(
    contents=st.sampled_from([{}, {"started": True, "answers": {"fever": "no"}}]),
    modified=st.booleans(),
    accessed=st.booleans(),
    permanent=st.booleans(),
    age=st.sampled_from([None, 5, SESSION_RESIGN_AFTER + 5]),
    https=st.booleans(),
)
def test_a_session_is_saved_as_flask_saves_it(
    contents: dict[str, Any], modified: bool, accessed: bool, permanent: bool, age: int | None, https: bool
) -> None:
    """The shortcut for a session with nothing to write gives the response Flask's save_session
    gives it (under the app's own rule for when to sign again): the same cookie, the same Vary."""
    app = KEYED["a" * 64]
    interface = app.session_interface
    assert isinstance(interface, SessionInterface)
    responses = []
    for save in (interface.save_session, partial(SecureCookieSessionInterface.save_session, interface)):
        with (
            mock.patch.object(TimestampSigner, "get_timestamp", return_value=1_800_000_000),
            app.test_request_context("/", base_url="https://fbss.example" if https else "http://localhost"),
        ):
            kept = interface.session_class(contents)
            kept.permanent = permanent  # marks it modified: set first
            kept.modified, kept.accessed = modified, accessed
            if age is not None:
                kept.signed_at = time.time() - age  # type: ignore[attr-defined]
            response = app.response_class("x")
            save(app, kept, response)
            responses.append(sorted(response.headers.items()))
    assert responses[0] == responses[1]


SESSION_TEXT = st.text(alphabet=string.ascii_letters + string.digits + "_-", max_size=12)
SESSION_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=12))
SESSION_VALUES = st.recursive(
    SESSION_LEAVES, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(SESSION_TEXT, inner, max_size=4)
)


FLASK = Flask(__name__)


@given(value=st.dictionaries(SESSION_TEXT, SESSION_VALUES, max_size=8))
def test_the_session_is_written_and_read_as_flask_writes_and_reads_it(value: dict[str, Any]) -> None:
    """What the app keeps in its session (text, numbers, true and false, lists, dicts) is written
    byte for byte as Flask's tagged JSON writes it, and read back the same: a cookie from before
    still opens, and one written now opens under Flask's own serializer."""
    written = SessionJSON().dumps(value)
    with FLASK.app_context():  # Flask's JSON as a request uses it (sorted keys)
        assert written == session_json_serializer.dumps(value)
        assert SessionJSON().loads(written) == session_json_serializer.loads(written) == value


def test_a_walked_patients_session_opens_as_flask_signed_it() -> None:
    """A walked patient's cookie, signed again by Flask's own session interface (as before
    SessionJSON), opens with every answer: "check your answers" is the same page."""
    app = create_app({"TESTING": True, "SECRET_KEY": "d" * 40})
    patient = Patient(app.test_client())
    patient.walk(CALM_ANSWERS)
    cookie = patient.client.get_cookie("session")
    assert cookie is not None
    with app.test_request_context("/"):
        data = app.session_interface.get_signing_serializer(app).loads(cookie.value)  # type: ignore[attr-defined]
        stock = SecureCookieSessionInterface().get_signing_serializer(app)
        assert stock is not None
        assert stock.loads(cookie.value) == data  # Flask reads what the app wrote
        before = stock.dumps(data)  # as Flask would have written it
    page = patient.get("/check").get_data(as_text=True)
    patient.client.set_cookie("session", before)
    assert patient.get("/check").get_data(as_text=True) == page
    assert data["answers"]["surgery_region"] == CALM_ANSWERS["surgery_region"]
