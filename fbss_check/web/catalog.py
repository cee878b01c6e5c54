"""The request's interface catalog, looked up once, and `gettext` from it for the Python code
(templates read it the same way: language.install_template_gettext)."""

from __future__ import annotations

from typing import Any

from babel.support import NullTranslations
from flask import g, has_app_context
from flask_babel import force_locale, get_translations


def translations() -> NullTranslations:
    """This request's interface catalog, looked up once: Flask-Babel looks up the context, the
    locale and its cache on every call, about 4 µs a `_()`, and a page makes dozens.
    `language.refresh_language` forgets it."""
    found: NullTranslations | None = g.get("translations")
    if found is None:
        found = g.translations = get_translations()
    return found


def gettext(string: str, **variables: Any) -> str:
    """Flask-Babel's `gettext` (the same catalog, the same %-formatting of `variables`), from the
    request's catalog looked up once; outside an app, the string itself, as Flask-Babel gives it."""
    text: str = translations().ugettext(string) if has_app_context() else string
    return text % variables if variables else text


def for_language(language: str) -> NullTranslations:
    """A language's interface catalog, as Flask-Babel gives it to a request in that language (the
    templates' constant words are looked up in it when they compile: web/templating.py)."""
    with force_locale(language):
        return get_translations()
