"""The patient's language: chosen on any page, else the clinic's, else the browser's, else English."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from flask import Blueprint, Flask, g, redirect, request, session, url_for
from flask_babel import refresh
from werkzeug.wrappers import Response

from fbss_check.model import DEFAULT_LANGUAGE, LANGUAGES, Bank

from .catalog import gettext, translations
from .context import current_language, languages, page_url

bp = Blueprint("language", __name__)
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def autonym(code: str) -> str:
    """A language named in its own words, as the link to switch to it shows it."""
    known = LANGUAGES.get(code)
    return known.autonym if known else code


def language_name(code: str | None) -> str:
    """A language named in the reader's language, inside a sentence ("answered in Spanish")."""
    known = LANGUAGES.get(code or "")
    return gettext(known.name) if known else ""


class CatalogError(RuntimeError):
    """A language of the bank whose interface catalog is missing or not compiled."""


def check_catalogs(bank_languages: tuple[str, ...], directory: Path = TRANSLATIONS) -> None:
    """Every language of the bank has a compiled, current interface catalog (else the page would
    silently fall back to English around the translated questions), and its code is the name of
    Babel's locale for it (`context.current_language` takes the code as the request's locale)."""
    for code in bank_languages:
        try:
            named = str(Locale.parse(code))
        except (ValueError, UnknownLocaleError):
            named = None
        if named != code:
            raise CatalogError(f"Babel does not know the bank's language {code!r} by that code ({named or 'unknown'})")
        if code == DEFAULT_LANGUAGE:
            continue
        po = directory / code / "LC_MESSAGES" / "messages.po"
        mo = po.with_suffix(".mo")
        if not po.exists():
            raise CatalogError(f"the bank has {code!r} text but there is no interface catalog {po}")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            raise CatalogError(f"{mo} is missing or older than its .po: run `make translations`")


def refresh_language() -> None:
    """The language may have changed during this request (a clinic's link): look it up again."""
    refresh()
    g.pop("translations", None)
    g.pop("language", None)


def install_template_gettext(app: Flask) -> None:
    """Templates' `_()`, `ngettext()` and `{% trans %}` read the request's catalog once (see translations)."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )


def review_date(bank: Bank) -> str:
    """The day the bank was last reviewed, written out in the request's language ("December 2,
    2026"), as every page's footer says it: the same words on every page, so written once a language."""
    return _long_date(bank.review_date, current_language())


@lru_cache(maxsize=16)  # the bank's own dates only (never a patient's), one a language
def _long_date(day: date, language: str) -> str:
    return format_date(day, "long", locale=language)


# Werkzeug's safe characters in a query (https://url.spec.whatwg.org/#percent-encoded-bytes), as url_for uses them.
QUERY_SAFE = "!$'()*,/:;?@"


def switch_links() -> list[dict[str, str]]:
    """Links to every other language, back to this same page (a GET, so it works without JavaScript).
    Each link's path is built once (`page_url`); the page to go back to is added afresh, as
    url_for adds it (it may hold a share code, which is never kept)."""
    here = request.full_path.rstrip("?") if request.method == "GET" else request.path
    back = "?" + urlencode({"next": here}, safe=QUERY_SAFE)
    return [
        {"code": code, "name": autonym(code), "href": page_url("language.choose", code=code) + back}
        for code in languages()
        if code != current_language()
    ]


@bp.app_context_processor
def language_context() -> dict[str, object]:
    """Every template knows its language (for `<html lang>`) and the links to the others."""
    return {"language": current_language(), "language_links": switch_links()}


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never another host (no open redirect). Browsers drop tabs and
    newlines and read a backslash as a slash, so "/\t/evil.example" would leave: refuse them all."""
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(not ch.isprintable() or ch.isspace() for ch in target)
    ):
        return url_for("questionnaire.start")
    return target


@bp.get("/language/<code>")
def choose(code: str) -> Response:
    """Remember the patient's language in their session cookie and go back to the page they were on."""
    if code in languages():
        session["language"] = code
    return redirect(_safe_next(request.args.get("next")))
