"""Production safety: the secret key check, security headers, cookies, access log, hashed assets."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import mimetypes
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import rcssmin
from flask import Flask, Request, abort, current_app, g, request, url_for
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask.wrappers import Response as FlaskResponse
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.wrappers import Response

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), accelerometer=(), gyroscope=()"
ASSET_MAX_AGE = 365 * 24 * 3600
WEAK_KEYS = {"dev", "secret", "changeme", "change-me", "please-change-me", "test"}
MIN_KEY_LENGTH = 32
MAX_FORM_FIELDS = 200  # url-encoded fields in one form post (a question page has at most 30 or so)
SESSION_KEYS_OF_TEXT = ("csrf_token", "clinic", "language")  # read as text by Flask-WTF and the views

access_log = logging.getLogger("fbss_check.access")


class ConfigError(RuntimeError):
    """The app is set up in a way that would be unsafe to serve."""


def check_secret_key(app: Flask) -> None:
    """Outside debug and testing, refuse a missing, short or placeholder SECRET_KEY."""
    key = app.config.get("SECRET_KEY") or ""
    if app.debug or app.testing:
        return
    if len(str(key)) < MIN_KEY_LENGTH or str(key).lower() in WEAK_KEYS or len(set(str(key))) < 10:
        raise ConfigError(
            "SECRET_KEY is missing or weak: set it to a long random value shared by every worker, e.g. "
            "export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
        )


def check_public_url(app: Flask) -> None:
    """FBSS_PUBLIC_URL is the address patients use (https://check.example.org): every link and QR
    code that leaves the site is built from it, and requests for any other host are refused.
    Required outside debug and testing, where links would otherwise follow the Host header."""
    url = app.config.get("FBSS_PUBLIC_URL") or ""
    if not url:
        if app.debug or app.testing:
            return
        raise ConfigError(
            "FBSS_PUBLIC_URL is missing: set it to the address patients use, e.g. "
            "export FBSS_PUBLIC_URL=https://check.example.org"
        )
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 (a bad port raises here)
    except ValueError as error:
        raise ConfigError(f"FBSS_PUBLIC_URL {url!r} is not a web address: {error}") from error
    if parts.scheme not in ("http", "https") or not host or parts.username or parts.password:
        raise ConfigError(
            f"FBSS_PUBLIC_URL {url!r} must be http:// or https:// and a host name, e.g. https://check.example.org"
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigError(f"FBSS_PUBLIC_URL {url!r} must be only the scheme and host, e.g. https://check.example.org")
    app.config["FBSS_PUBLIC_URL"] = f"{parts.scheme}://{parts.netloc}"
    app.config["TRUSTED_HOSTS"] = [host]
    if parts.scheme == "https":
        app.config["SESSION_COOKIE_SECURE"] = True


def external_url(endpoint: str, **values: Any) -> str:
    """A full link for outside the site (a share link, a clinic link, a QR code): from
    FBSS_PUBLIC_URL, never from the request's Host header."""
    public = current_app.config.get("FBSS_PUBLIC_URL")
    if public:
        return f"{public}{url_for(endpoint, **values)}"
    return url_for(endpoint, _external=True, **values)  # debug and tests only


MAX_SESSION_DEPTH = 6  # the app's own cookie nests 3 deep (session, answers, a list of codes)


def _shallow(value: Any) -> bool:
    """True when the value nests no deeper than the app's own session ever does: level by level,
    as JSON leaves it (dicts, whose keys are text, and lists)."""
    level = [value]
    for _ in range(MAX_SESSION_DEPTH + 1):
        deeper: list[Any] = []
        for item in level:
            if isinstance(item, dict):
                deeper.extend(item.values())
            elif isinstance(item, list):
                deeper.extend(item)
        if not deeper:
            return True
        level = deeper
    return False


def _as_written(data: Any) -> bool:
    """Whether a signed cookie holds a session as this app writes one: a dict no deeper than
    MAX_SESSION_DEPTH, its text keys text, the CSRF token ASCII as Flask-WTF makes it (its check
    compares the token with hmac.compare_digest, which refuses other text)."""
    return (
        isinstance(data, dict)
        and _shallow(data)
        and all(isinstance(data.get(key, ""), str) for key in SESSION_KEYS_OF_TEXT)
        and data.get("csrf_token", "").isascii()
    )


class SessionJSON(TaggedJSONSerializer):
    """The session cookie's JSON, written and read by the json module alone. The app keeps only
    text, numbers, true and false, lists and dicts in its session, which Flask's tagged JSON writes
    as plain JSON, byte for byte: it walks every value in Python, both ways, for types the app
    never stores (about 10 µs to read a patient's cookie and 35 µs to write it)."""

    def dumps(self, value: Any) -> str:
        return json.dumps(value, separators=(",", ":"), sort_keys=True)

    def loads(self, value: str) -> Any:
        return json.loads(value)


# An unchanged session is signed again (its two hours started afresh) only once it is this old:
# an idle session still lasts two hours from the last page opened, to the minute, but a patient
# moving from page to page does not pay for compressing and signing the cookie on every GET.
SESSION_RESIGN_AFTER = 60  # seconds


class SessionInterface(SecureCookieSessionInterface):
    """The session cookie is marked Secure whenever the request came over HTTPS, any cookie that
    cannot be read as this app writes it (even one signed with the key) is no session, and an
    unchanged session is signed again only when SESSION_RESIGN_AFTER has passed."""

    serializer = SessionJSON()

    def __init__(self) -> None:
        self._signing: tuple[tuple[Any, ...], URLSafeTimedSerializer | None] | None = None

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer, made again only when the app's keys change (about 10 µs a request)."""
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        made = self._signing
        if made is None or made[0] != keys:
            made = self._signing = (keys, super().get_signing_serializer(app))
        return made[1]

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(cookie, max_age=max_age, return_timestamp=True)
        except BadData:  # a bad signature, or a payload that is not JSON (BadPayload)
            return self.session_class()
        if not _as_written(data):
            return self.session_class()
        opened = self.session_class(data)
        opened.signed_at = signed_at.timestamp()  # type: ignore[attr-defined]
        return opened

    def save_session(self, app: Flask, session: SessionMixin, response: FlaskResponse) -> None:
        """Flask's, but a session with nothing to write only says `Vary: Cookie` if the request read
        it: Flask would look up the cookie's seven settings first (about 11 µs a page)."""
        if session and not self.should_set_cookie(app, session):
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed_at = getattr(session, "signed_at", None)
        return signed_at is None or time.time() - signed_at >= SESSION_RESIGN_AFTER


def limit_form_fields() -> None:
    """Werkzeug limits multipart forms by parts but url-encoded ones only by size: count them too."""
    url_encoded = request.method == "POST" and request.mimetype == "application/x-www-form-urlencoded"
    if url_encoded and request.get_data(cache=True).count(b"&") >= MAX_FORM_FIELDS:
        abort(413)


# Sent with every response unless a view set its own; HSTS over HTTPS only.
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Permissions-Policy", PERMISSIONS_POLICY),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
NO_STORE = ("Cache-Control", "no-store")  # every response but a static file's


def add_security_headers(response: Response) -> Response:
    """The security headers a response lacks, added in one pass over its headers (six
    `setdefault`s would look through them six times, about 10 µs a request)."""
    headers = response.headers
    present = {name.lower() for name in headers.keys()}  # noqa: SIM118 (Headers iterates as pairs)
    wanted = (*SECURITY_HEADERS, HSTS) if request.is_secure else SECURITY_HEADERS
    missing = [(name, value) for name, value in wanted if name.lower() not in present]
    if request.endpoint != "asset":
        # Every page may show answers or a decision: never kept by a browser or a proxy.
        if "cache-control" in present:
            headers["Cache-Control"] = NO_STORE[1]
        else:
            missing.append(NO_STORE)
    headers.extend(missing)
    return response


# A share code in a path (/r/<code>, also percent-encoded as in ?next=%2Fr%2F<code>), and any
# bare token shaped like one (base64url, a dot, a base64url signature).
SHARE_CODE = re.compile(r"(/|%2[Ff])r(/|%2[Ff])[^\s'\"?#&/]+|[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}")


def redact(text: str) -> str:
    """The text with every share code replaced by `/r/<code>` (or `<code>` for a bare one)."""
    return SHARE_CODE.sub(lambda m: "/r/<code>" if m.group(1) else "<code>", text)


class RedactShareCodes(logging.Filter):
    """Rewrites each record, its arguments and any traceback, with share codes hidden."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info:
            message += "\n" + logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            message += "\n" + record.exc_text
            record.exc_text = None
        if record.stack_info:
            message += "\n" + record.stack_info
            record.stack_info = None
        record.msg = redact(message)
        record.args = None
        return True


def loggable_path(req: Request) -> str:
    """The path without its query string, with any share code replaced."""
    return redact(req.path)


def start_timer() -> None:
    g.request_started = time.perf_counter()


def log_request(response: Response) -> Response:
    """One line per request: method, path, status, time. Never answers, codes or cookies."""
    if not access_log.isEnabledFor(logging.INFO):
        return response
    started = g.get("request_started")
    elapsed = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    args = (request.method, loggable_path(request), response.status_code, elapsed)
    # access_log.info, less its search of the stack for the calling line, which the line never
    # shows (as logging does with its _srcfile off): about 8 µs a request.
    access_log.handle(access_log.makeRecord(access_log.name, logging.INFO, *UNKNOWN_CALLER, ACCESS_LINE, args, None))
    return response


ACCESS_LINE = "%s %s %s %.1fms"
UNKNOWN_CALLER = ("(unknown file)", 0)  # logging's own words when it does not look


class AccessFormatter(logging.Formatter):
    """logging's formatter, with a record's date and time to the second written once a second
    (time.strftime for every line took about 9 µs); the milliseconds are added to each line."""

    def __init__(self, fmt: str) -> None:
        super().__init__(fmt)
        self._kept: tuple[tuple[int, str | None], str] = ((-1, None), "")  # (second, datefmt), its words

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        second = (int(record.created), datefmt)
        if self._kept[0] != second:
            self._kept = (second, time.strftime(datefmt or self.default_time_format, self.converter(record.created)))
        written, msec_format = self._kept[1], self.default_msec_format
        return written if datefmt or not msec_format else msec_format % (written, record.msecs)


class Assets:
    """Static files, read once, served from memory under content-hashed names with a year-long
    cache lifetime; stylesheets minified (rcssmin) so a first visit on a phone loads less."""

    def __init__(self, folder: Path) -> None:
        self.hashed: dict[str, str] = {}  # style.css -> style.1a2b3c4d5e.css
        self.files: dict[str, tuple[bytes, str]] = {}  # hashed name -> (content, mimetype)
        for path in sorted(folder.iterdir()):
            if not path.is_file():
                continue
            content = path.read_bytes()
            if path.suffix == ".css":
                content = rcssmin.cssmin(content.decode("utf-8")).encode("utf-8")
            digest = hashlib.sha256(content).hexdigest()[:10]
            hashed = f"{path.stem}.{digest}{path.suffix}"
            self.hashed[path.name] = hashed
            self.files[hashed] = (content, mimetypes.guess_type(path.name)[0] or "application/octet-stream")

    def url_name(self, filename: str) -> str:
        return self.hashed[filename]

    def serve(self, filename: str) -> Response:
        found = self.files.get(filename)
        if found is None:
            abort(404)
        content, mimetype = found
        response = Response(content, mimetype=mimetype)
        response.headers["Cache-Control"] = f"public, max-age={ASSET_MAX_AGE}, immutable"
        return response


class InMemoryRequest(Request):
    """Uploaded files (a photo of a QR code) are held in memory, never in a temporary file on
    disk; MAX_CONTENT_LENGTH (or the route's own limit) bounds them."""

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        return io.BytesIO()


def install(app: Flask, static_folder: Path, build_url: Callable[..., str] = url_for) -> None:
    """Wire every production safeguard into the app; `build_url` makes the assets' links."""
    app.request_class = InMemoryRequest
    check_secret_key(app)
    check_public_url(app)
    app.session_interface = SessionInterface()
    assets = Assets(static_folder)
    app.add_url_rule("/assets/<path:filename>", "asset", assets.serve)
    app.jinja_env.globals["asset_url"] = lambda filename: build_url("asset", filename=assets.url_name(filename))
    app.before_request(start_timer)
    app.before_request(limit_form_fields)
    app.after_request(add_security_headers)
    app.after_request(log_request)
    if not access_log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(AccessFormatter("%(asctime)s %(message)s"))
        handler.addFilter(RedactShareCodes())
        access_log.addHandler(handler)
        access_log.setLevel(logging.INFO)
        access_log.propagate = False
    # Werkzeug's own request line would print query strings; ours replaces it.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
