"""What a request knows: the app's questionnaire, and the patient's language, bank, clinic, region
and progress as kept in the signed session cookie. The only reader of `app.extensions`."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import Flask, current_app, g, redirect, request, session, url_for
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.wrappers import Response

from fbss_check.answers import AnswerError, coerce_all
from fbss_check.clinics import Clinic
from fbss_check.compare import Comparison, compare
from fbss_check.model import DEFAULT_LANGUAGE, Answer, Bank, Question, Urgency
from fbss_check.path import PatientPath, patient_path
from fbss_check.progress import CHECK, Progress
from fbss_check.regions import Region

from . import present
from .catalog import gettext
from .forms import clean_visit_question
from .handoff import Handoff, InvalidCode, make_code, read_code
from .security import external_url

EXTENSION = "fbss_check"
VISIT_QUESTION = "visit_question"  # session key: the patient's own question (forms.VISIT_QUESTION_MAX)
PAIR = "..."  # /r/<earlier>...<later>: two checks side by side (no code holds three dots)
EARLIER = "earlier"  # session key: the share code of an earlier check to compare with, as the patient gave it


@dataclass(frozen=True)
class Questionnaire:
    """What the views need, built once by create_app."""

    bank: Bank  # every language's text; its plain strings are the English
    region: Region
    clinics: dict[str, Clinic]
    banks: dict[str, Bank]  # language -> the same bank with its text in that language
    forms: dict[str, dict[str, type[FlaskForm]]]  # language -> section id -> form class
    inputs: present.OptionInputs  # each choice and scale question's inputs and field, rendered once a language
    urls: dict[tuple[str, str, tuple[tuple[str, Any], ...]], str] = field(default_factory=dict)  # page_url's


def install(app: Flask, built: Questionnaire) -> None:
    app.extensions[EXTENSION] = built


def installed(app: object) -> Questionnaire | None:
    """The questionnaire an app serves, or None for any other WSGI app."""
    found = app.extensions.get(EXTENSION) if isinstance(app, Flask) else None
    return found if isinstance(found, Questionnaire) else None


def questionnaire() -> Questionnaire:
    built: Questionnaire = current_app.extensions[EXTENSION]
    return built


def secret_key() -> str | bytes:
    """The app's key, which signs the session cookie and the share codes."""
    return current_app.secret_key or ""


def languages() -> tuple[str, ...]:
    """The languages the loaded bank has text for (English first)."""
    return questionnaire().bank.languages


def select_language() -> str:
    """Flask-Babel's locale selector: the patient's choice, the clinic's, Accept-Language, English."""
    offered = languages()
    chosen = session.get("language")
    if chosen in offered:
        return str(chosen)
    clinics = questionnaire().clinics
    slug = session.get("clinic")
    if request.endpoint == "clinicians.poster" and request.view_args:
        slug = request.view_args.get("slug")  # a clinic's poster speaks the clinic's language
    clinic = clinics.get(slug) if isinstance(slug, str) else None
    if clinic is not None and clinic.language in offered:
        return str(clinic.language)
    return request.accept_languages.best_match(offered) or DEFAULT_LANGUAGE


def current_language() -> str:
    """The request's language, chosen once (`language.refresh_language` forgets it) by the same
    selector Flask-Babel calls, called directly: Flask-Babel's get_locale would make a babel
    Locale of its answer, about 20 µs a page, and every language's code is its Locale's name
    (`language.check_catalogs`)."""
    found: str | None = g.get("language")
    if found is None:
        found = g.language = select_language()
    return found


def filled_links(text: str, region: Region, clinic: Clinic | None = None) -> Markup:
    """A bank text with its {placeholders} filled in and its phone numbers as links, in the
    request's language (present.filled_links, made once): the templates' `fill_links`."""
    return present.filled_links(text, region, clinic, current_language())


def current_bank() -> Bank:
    """The bank with its text in the patient's language; rules and ids are the same in every language."""
    return questionnaire().banks[current_language()]


def option_inputs(question: Question, selected: Collection[str]) -> Markup:
    """A choice or scale question's inputs as HTML, in the patient's language, the `selected`
    values checked (the field macro's)."""
    return present.shown_inputs(questionnaire().inputs(question, current_language()), selected)


def question_field(question: Question, error: str | None, selected: Collection[str]) -> Markup:
    """A question's field on its page, in the patient's language, the `selected` values chosen
    and its problem, if any, shown (present.OptionInputs.field): the question page's."""
    return questionnaire().inputs.field(question, current_language(), error, selected)


def current_clinic() -> Clinic | None:
    """The clinic whose link the patient followed, if any."""
    slug = session.get("clinic")
    return questionnaire().clinics.get(slug) if isinstance(slug, str) else None


def current_region() -> Region:
    clinic = current_clinic()
    return clinic.region if clinic is not None else questionnaire().region


def page_vars(**extra: Any) -> dict[str, Any]:
    return {"bank": current_bank(), "region": current_region(), "clinic": current_clinic(), **extra}


def plain_page_vars() -> dict[str, Any]:
    """English and the app's region: for an error page when the request's own cannot be worked out."""
    built = questionnaire()
    return {"bank": built.banks[DEFAULT_LANGUAGE], "region": built.region, "clinic": None}


def load_progress() -> Progress | None:
    """The session's progress, or None when there is none (never started, expired, or unreadable)."""
    if not session.get("started"):
        return None
    bank = current_bank()
    try:
        answers = coerce_all(bank.questions, session.get("answers", {}), "codes")
        done = tuple(s for s in session.get("done", []) if isinstance(s, str))
        warned = tuple(f for f in session.get("warned", []) if isinstance(f, str))
    except (AnswerError, AttributeError, TypeError):
        session.clear()
        return None
    return Progress.on_path(bank, answers, done, warned)


def save_progress(saved: Progress) -> None:
    session["answers"] = {q: sorted(a) if isinstance(a, frozenset) else a for q, a in saved.answers.items()}
    session["done"] = list(saved.done)
    session["warned"] = list(saved.warned)


def expired() -> Response:
    return redirect(url_for("questionnaire.session_expired"))


# The arguments that name a page by the bank's or the app's own ids, never by what a patient
# entered (a share code, a `next` path): a link with none of its own, or one of these, is the same
# link on every request of the app.
STATIC_ARGUMENTS = {
    "questionnaire.ask": "section_id",
    "questionnaire.topic": "topic_id",
    "questionnaire.warn": "next",  # a section id or "check": the view keeps no other
    "clinicians.poster": "slug",
    "language.choose": "code",  # one of the bank's languages (language.switch_links)
    "asset": "filename",
}
KEPT_URLS_MAX = 1000


def page_url(endpoint: str, **values: Any) -> str:
    """Flask's url_for, built once an app for a link named by its endpoint alone or by one of
    STATIC_ARGUMENTS (about 10 µs a link, and a summary links eight topics); any other link is
    built afresh. The templates' `url_for`."""
    items = tuple(values.items())
    if items and (len(items) > 1 or STATIC_ARGUMENTS.get(endpoint) != items[0][0] or not isinstance(items[0][1], str)):
        return url_for(endpoint, **values)
    kept = questionnaire().urls
    key = (request.script_root, endpoint, items)
    found = kept.get(key)
    if found is None:
        found = url_for(endpoint, **values)
        if len(kept) < KEPT_URLS_MAX:
            kept[key] = found
    return found


def target_url(target: str) -> str:
    """The address of a next step: a page, or the check of the answers."""
    return page_url("questionnaire.check") if target == CHECK else page_url("questionnaire.ask", section_id=target)


def where_next(progress: Progress) -> str:
    """Where a patient carries on: the first page still to answer, or their result."""
    gate = patient_path(current_bank(), progress.answers).first_incomplete(progress.done)
    return target_url(gate) if gate is not None else url_for("questionnaire.result")


def current_earlier(bank: Bank) -> Handoff | None:
    """The earlier check the patient chose to compare with (its share code, kept in the session
    under EARLIER), or None; a code the app can no longer read, after a change of key, is forgotten."""
    code = session.get(EARLIER)
    if not isinstance(code, str):
        return None
    try:
        return read_code(secret_key(), bank, code)
    except InvalidCode:
        session.pop(EARLIER, None)
        return None


def comparison(bank: Bank, answers: Mapping[str, Answer]) -> Comparison | None:
    """Today's answers compared with the earlier check, if the patient brought one."""
    earlier = current_earlier(bank)
    return compare(bank, earlier.as_earlier(), answers) if earlier is not None else None


def _path_and_gate() -> tuple[PatientPath, str | None] | Response:
    """The patient's path and the first page still to answer (None when all are done)."""
    state = load_progress()
    if state is None:
        return expired()
    path = state.path(current_bank())
    return path, path.first_incomplete(state.done)


def finished_path() -> PatientPath | Response:
    """The path of a patient who has answered every page, or else the redirect to where they are up to."""
    found = _path_and_gate()
    if isinstance(found, Response):
        return found
    path, gate = found
    return redirect(target_url(gate)) if gate is not None else path


def summary_path() -> tuple[PatientPath, str | None] | Response:
    """The path to summarise and the first page still to answer (None when finished): a patient
    with an urgent or emergency flag gets their summary (and share link) at once, from what they
    have answered so far; any other patient is sent to where they are up to."""
    found = _path_and_gate()
    if isinstance(found, Response):
        return found
    path, gate = found
    if gate is None or path.outcome.urgency >= Urgency.URGENT:
        return path, gate
    return redirect(target_url(gate))


def current_visit_question() -> str:
    """The patient's own question for their visit, as kept in the session cookie (never on the server)."""
    value = session.get(VISIT_QUESTION)
    return clean_visit_question(value) if isinstance(value, str) else ""


def share_link(path: PatientPath) -> tuple[str, Markup]:
    """The patient's share link and its QR code, made from the answers on their path."""
    clinic = current_clinic()
    code = make_code(
        secret_key(),
        current_bank(),
        path.answers,
        clinic.slug if clinic else None,
        date.today(),
        current_language(),
        visit_question=current_visit_question(),
    )
    url = external_url("clinicians.clinician_view", code=code)
    return url, present.qr_image(url, gettext("QR code of your share link"))


def compare_link(path: PatientPath) -> str | None:
    """With an earlier check: a link that opens both side by side for the clinician
    (/r/<earlier>...<today>); too long for a QR code, so the printout's QR code holds today's alone."""
    code = session.get(EARLIER)
    if current_earlier(current_bank()) is None or not isinstance(code, str):
        return None
    today = share_link(path)[0].rsplit("/r/", 1)[1]
    return external_url("clinicians.clinician_view", code=f"{code}{PAIR}{today}")
