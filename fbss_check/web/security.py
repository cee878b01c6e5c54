"""Production safety: the secret key check, security headers, cookies, access log, hashed assets."""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import re
import time
from pathlib import Path

import rcssmin
from flask import Flask, Request, abort, g, request, url_for
from flask.sessions import SecureCookieSessionInterface
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


class SessionInterface(SecureCookieSessionInterface):
    """The session cookie is marked Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint != "asset":
        # Every page may show answers or a decision: never kept by a browser or a proxy.
        headers["Cache-Control"] = "no-store"
    return response


def loggable_path(req: Request) -> str:
    """The path without its query string, with any share code replaced."""
    return re.sub(r"^/r/[^/]+", "/r/<code>", req.path)


def start_timer() -> None:
    g.request_started = time.perf_counter()


def log_request(response: Response) -> Response:
    """One line per request: method, path, status, time. Never answers, codes or cookies."""
    started = g.get("request_started")
    elapsed = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    access_log.info("%s %s %s %.1fms", request.method, loggable_path(request), response.status_code, elapsed)
    return response


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


def install(app: Flask, static_folder: Path) -> None:
    """Wire every production safeguard into the app."""
    check_secret_key(app)
    app.session_interface = SessionInterface()
    assets = Assets(static_folder)
    app.add_url_rule("/assets/<path:filename>", "asset", assets.serve)
    app.jinja_env.globals["asset_url"] = lambda filename: url_for("asset", filename=assets.url_name(filename))
    app.before_request(start_timer)
    app.after_request(add_security_headers)
    app.after_request(log_request)
    if not access_log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        access_log.addHandler(handler)
        access_log.setLevel(logging.INFO)
        access_log.propagate = False
    # Werkzeug's own request line would print query strings; ours replaces it.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
