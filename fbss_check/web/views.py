"""The patient's questionnaire: thin views that read the session, call the core, and render."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from fbss_check.answers import AnswerError, coerce, coerce_all
from fbss_check.clinics import Clinic
from fbss_check.engine import evaluate_answers, visible_answers
from fbss_check.model import Answer, Bank, Kind, Question, Section, Urgency
from fbss_check.path import PatientPath, patient_path
from fbss_check.regions import Region

from . import present
from .forms import MESSAGES, ActionForm, VisitQuestionForm, clean_visit_question
from .handoff import make_code
from .language import current_language, refresh_language
from .security import external_url

bp = Blueprint("questionnaire", __name__)

CHECK = "check"  # the "check your answers" step, as a `next` target
VISIT_QUESTION = "visit_question"  # session key: the patient's own question (forms.VISIT_QUESTION_MAX)


@dataclass(frozen=True)
class Questionnaire:
    """What the views need, built once by create_app."""

    bank: Bank  # every language's text; its plain strings are the English
    region: Region
    clinics: dict[str, Clinic]
    banks: dict[str, Bank]  # language -> the same bank with its text in that language
    forms: dict[str, dict[str, type[FlaskForm]]]  # language -> section id -> form class


def questionnaire() -> Questionnaire:
    return current_app.extensions["fbss_check"]  # type: ignore[no-any-return]


def current_bank() -> Bank:
    """The bank with its text in the patient's language; rules and ids are the same in every language."""
    return questionnaire().banks[current_language()]


@dataclass
class State:
    """The patient's answers and progress, as kept in the signed session cookie."""

    answers: dict[str, Answer]
    done: list[str]
    warned: list[str]

    def save(self) -> None:
        bank = current_bank()
        kept = visible_answers(bank, self.answers)  # an abandoned branch's answers are dropped
        session["answers"] = {q: sorted(a) if isinstance(a, frozenset) else a for q, a in kept.items()}
        session["done"] = self.done
        session["warned"] = self.warned
        self.answers = kept


def load_state() -> State | None:
    """The session's state, or None when there is none (never started, expired, or unreadable)."""
    if not session.get("started"):
        return None
    bank = current_bank()
    try:
        answers = coerce_all(bank.questions, session.get("answers", {}), "codes")
        done = [s for s in session.get("done", []) if isinstance(s, str)]
        warned = [f for f in session.get("warned", []) if isinstance(f, str)]
    except (AnswerError, AttributeError, TypeError):
        session.clear()
        return None
    return State(visible_answers(bank, answers), done, warned)


def expired() -> Response:
    return redirect(url_for("questionnaire.session_expired"))


def current_clinic() -> Clinic | None:
    """The clinic whose link the patient followed, if any."""
    slug = session.get("clinic")
    return questionnaire().clinics.get(slug) if isinstance(slug, str) else None


def current_region() -> Region:
    clinic = current_clinic()
    return clinic.region if clinic is not None else questionnaire().region


def page_vars(**extra: Any) -> dict[str, Any]:
    return {"bank": current_bank(), "region": current_region(), "clinic": current_clinic(), **extra}


@bp.get("/")
def start() -> str:
    return render_template("start.html", form=ActionForm(), deleted=request.args.get("deleted") == "1", **page_vars())


@bp.get("/c/<slug>")
def start_for_clinic(slug: str) -> tuple[str, int] | str:
    """A clinic's link: the start page, and the clinic's numbers on every decision page after it."""
    clinic = questionnaire().clinics.get(slug)
    if clinic is None:
        session.pop("clinic", None)
        return render_template("clinic_unknown.html", form=ActionForm(), **page_vars()), 404
    session["clinic"] = clinic.slug
    refresh_language()  # the clinic's language now counts, unless the patient chose one
    return render_template("start.html", form=ActionForm(), deleted=False, **page_vars())


@bp.post("/start")
def begin() -> Response:
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    _clear_answers()
    session.permanent = True
    session["started"] = True
    State({}, [], []).save()
    return redirect(url_for("questionnaire.ask", section_id=current_bank().sections[0].id))


@bp.route("/questions/<section_id>", methods=["GET", "POST"])
def ask(section_id: str) -> Response | str:
    bank = current_bank()
    section = bank.sections_by_id.get(section_id)
    if section is None:
        abort(404)
    state = load_state()
    if state is None:
        return expired()
    path = patient_path(bank, state.answers)
    gate = path.first_incomplete(state.done)
    sections = path.sections
    if section_id not in sections or (gate is not None and sections.index(gate) < sections.index(section_id)):
        # Hidden by earlier answers, or skipped ahead: go where the patient is really up to.
        return redirect(_target_url(gate or CHECK))
    questions = path.shown[section_id]
    form = _form_for(section, questions, state)
    if request.method == "POST":
        if form.validate():
            return _save_section(section, questions, form, state)
        warning = _warn_at_once(section, questions, form, state)
        if warning is not None:
            return warning
    previous = path.neighbour(section_id, -1)
    outcome = evaluate_answers(bank, state.answers)
    return render_template(
        "question.html",
        section=section,
        form=form,
        fields=[(question, form[question.id], _selected(form[question.id])) for question in questions],
        errors=_errors(form, questions),
        step=path.step(section_id),
        back_url=url_for("questionnaire.ask", section_id=previous) if previous else url_for("questionnaire.start"),
        warned_urgency=outcome.urgency if outcome.urgency >= Urgency.URGENT else None,
        **page_vars(),
    )


def _selected(field: Any) -> set[str]:
    """The values to show as chosen: what was just sent, or else what is stored."""
    if field.raw_data is not None:
        return {str(value) for value in field.raw_data}
    data = field.data
    if data is None:
        return set()
    return {str(value) for value in data} if isinstance(data, list) else {str(data)}


def _form_for(section: Section, questions: tuple[Question, ...], state: State) -> FlaskForm:
    stored = {question.id: _form_value(state.answers.get(question.id)) for question in questions}
    form = questionnaire().forms[current_language()][section.id](data=stored)
    shown = {question.id for question in questions}
    for question_id in [field.name for field in form if field.name != "csrf_token"]:
        if question_id not in shown:
            del form[question_id]
    return form


def _form_value(answer: Answer | None) -> Any:
    return sorted(answer) if isinstance(answer, frozenset) else answer


def _save_section(section: Section, questions: tuple[Question, ...], form: FlaskForm, state: State) -> Response:
    bank = current_bank()
    for question in bank.section_questions(section.id):
        state.answers.pop(question.id, None)
    for question in questions:
        value = form[question.id].data
        if value is None or value == []:
            continue
        state.answers[question.id] = coerce(question, value, "codes")
    if section.id not in state.done:
        state.done.append(section.id)
    state.save()
    target = patient_path(bank, state.answers).first_incomplete(state.done) or CHECK
    if target != CHECK and bank.sections_by_id[target].follow_up:
        # A follow-up page asks the one question that says how serious the new answers are (the
        # ASQ's "right now"), with the crisis line beside it: it comes before the warning (H31).
        return redirect(_target_url(target))
    if _warned_of_new_flags(state):
        return redirect(url_for("questionnaire.warn", next=target))
    return redirect(_target_url(target))


def _warned_of_new_flags(state: State) -> bool:
    """Mark and save every urgent or emergency flag not warned of yet; True if there was one."""
    outcome = evaluate_answers(current_bank(), state.answers)
    serious = [flag.id for flag in outcome.flags if flag.urgency >= Urgency.URGENT and flag.id not in state.warned]
    if not serious:
        return False
    state.warned.extend(serious)
    state.save()
    return True


def _warn_at_once(section: Section, questions: tuple[Question, ...], form: FlaskForm, state: State) -> Response | None:
    """A page sent with some answers missing or wrong: if the answers that are fine already raise
    a new urgent or emergency flag, keep them and show the warning now; the page's other questions
    wait until the patient comes back (the section stays unfinished). Else None: show the errors."""
    fine = State(dict(state.answers), state.done, state.warned)
    for question in questions:
        field = form[question.id]
        if field.errors or field.data is None or field.data == []:
            continue
        try:
            fine.answers[question.id] = coerce(question, field.data, "codes")
        except AnswerError:
            continue
    if not _warned_of_new_flags(fine):
        return None
    return redirect(url_for("questionnaire.warn", next=section.id))


def _errors(form: FlaskForm, questions: tuple[Question, ...]) -> list[dict[str, str]]:
    """One plain message per question with a problem, linked to its first input."""
    errors = []
    for question in questions:
        field = form[question.id]
        if not field.errors:
            continue
        validator_errors = [e for e in field.errors if e not in field.process_errors]
        typed_something = bool(field.raw_data and str(field.raw_data[0]).strip())
        if question.kind is Kind.WHOLE_NUMBER and field.process_errors and typed_something:
            message = field.process_errors[0]  # "digits only" explains better than "out of range"
        elif validator_errors:
            message = validator_errors[0]
        else:
            message = MESSAGES[question.kind]
        field.errors = [message]
        errors.append({"message": message, "question": question.text, "href": f"#{first_input_id(question)}"})
    return errors


def first_input_id(question: Question) -> str:
    """The id of a question's first input, where error and change links point."""
    return question.id if question.kind is Kind.WHOLE_NUMBER else f"{question.id}-0"


def _change_url(question: Question) -> str:
    """Where the patient changes one answer: its page, at its first input."""
    return url_for("questionnaire.ask", section_id=question.section) + f"#{first_input_id(question)}"


def _target_url(target: str) -> str:
    return url_for("questionnaire.check") if target == CHECK else url_for("questionnaire.ask", section_id=target)


@bp.get("/warning")
def warn() -> Response | str:
    state = load_state()
    if state is None:
        return expired()
    bank = current_bank()
    target = request.args.get("next", CHECK)
    if target != CHECK and target not in bank.sections_by_id:
        target = CHECK
    outcome = evaluate_answers(bank, state.answers)
    if outcome.urgency < Urgency.URGENT:
        return redirect(_target_url(target))
    reasons = [r for r in present.flag_reasons(bank, outcome) if r["flag"].urgency >= Urgency.URGENT]
    on_path = patient_path(bank, state.answers).sections
    change_links = {
        item["id"]: _change_url(bank.questions[item["id"]])
        for reason in reasons
        for item in reason["because"]
        if bank.questions[item["id"]].section in on_path
    }
    tier, only_crisis = present.decision_tier(bank, outcome, current_region(), current_clinic())
    return render_template(
        "warning.html",
        outcome=outcome,
        tier=tier,
        crisis_only=only_crisis,
        reasons=reasons,
        change_links=change_links,
        back_url=next(iter(change_links.values()), _target_url(target)).split("#")[0],
        crisis=present.needs_crisis_line(bank, outcome),
        facts=present.key_facts(bank, outcome.answers),
        continue_url=_target_url(target),
        **page_vars(),
    )


def _path_and_gate() -> tuple[PatientPath, str | None] | Response:
    """The patient's path and the first page still to answer (None when all are done)."""
    state = load_state()
    if state is None:
        return expired()
    path = patient_path(current_bank(), state.answers)
    return path, path.first_incomplete(state.done)


def finished_path() -> PatientPath | Response:
    """The path of a patient who has answered every page, or else the redirect to where they are up to."""
    found = _path_and_gate()
    if isinstance(found, Response):
        return found
    path, gate = found
    return redirect(_target_url(gate)) if gate is not None else path


def summary_path() -> tuple[PatientPath, str | None] | Response:
    """The path to summarise and the first page still to answer (None when finished): a patient
    with an urgent or emergency flag gets their summary (and share link) at once, from what they
    have answered so far; any other patient is sent to where they are up to."""
    found = _path_and_gate()
    if isinstance(found, Response):
        return found
    path, gate = found
    if gate is None or evaluate_answers(current_bank(), path.answers).urgency >= Urgency.URGENT:
        return path, gate
    return redirect(_target_url(gate))


@bp.get("/check")
def check() -> Response | str:
    path = finished_path()
    if isinstance(path, Response):
        return path
    return render_template(
        "check.html",
        sections=present.answered_sections(path),
        first_input_id=first_input_id,
        back_url=url_for("questionnaire.ask", section_id=path.sections[-1]),
        **page_vars(),
    )


def _result_page(template_mode: str, visit_form: VisitQuestionForm | None = None) -> Any:
    found = summary_path()
    if isinstance(found, Response):
        return found
    path, gate = found
    bank = current_bank()
    outcome = evaluate_answers(bank, path.answers)
    visit_question = current_visit_question()
    if visit_form is None:
        visit_form = VisitQuestionForm(data={"visit_question": visit_question})
    return render_template(
        "result.html",
        mode=template_mode,
        **present.result_context(bank, outcome, current_region(), current_clinic()),
        sections=present.answered_sections(path, only_answered=gate is not None),
        unfinished=gate is not None,
        resume_url=_target_url(gate) if gate is not None else None,
        made_at=datetime.now(UTC),
        share=share_link(path) if template_mode == "summary" else None,
        form=ActionForm(),
        visit_form=visit_form,
        visit_question=visit_question,
        **page_vars(),
    ), (400 if visit_form.errors else 200)


def current_visit_question() -> str:
    """The patient's own question for their visit, as kept in the session cookie (never on the server)."""
    value = session.get(VISIT_QUESTION)
    return clean_visit_question(value) if isinstance(value, str) else ""


@bp.post("/visit-question")
def save_visit_question() -> Any:
    """Keep (or clear) the patient's question for the visit, then show the result again."""
    if load_state() is None:
        return expired()
    form = VisitQuestionForm()
    if not form.validate_on_submit():
        return _result_page("result", visit_form=form)  # the words stay in the box, with the problem
    text = clean_visit_question(form.visit_question.data or "")
    if text:
        session[VISIT_QUESTION] = text
    else:
        session.pop(VISIT_QUESTION, None)
    return redirect(url_for("questionnaire.result") + "#visit-question-title")


def share_link(path: PatientPath) -> tuple[str, Any]:
    """The patient's share link and its QR code, made from the answers on their path."""
    clinic = current_clinic()
    code = make_code(
        current_app.secret_key or "",
        current_bank(),
        path.answers,
        clinic.slug if clinic else None,
        date.today(),
        current_language(),
        visit_question=current_visit_question(),
    )
    url = external_url("clinicians.clinician_view", code=code)
    return url, present.qr_image(url, gettext("QR code of your share link"))


@bp.get("/result")
def result() -> Any:
    return _result_page("result")


@bp.get("/summary")
def summary() -> Any:
    return _result_page("summary")


@bp.get("/topics/<topic_id>")
def topic(topic_id: str) -> str:
    """A guidance topic in full. General information only: it reads no session data."""
    found = current_bank().topics.get(topic_id)
    if found is None:
        abort(404)
    return render_template("topic.html", topic=found, **page_vars())


@bp.post("/delete")
def delete() -> Response:
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    _clear_answers()
    return redirect(url_for("questionnaire.start", deleted="1"))


def _clear_answers() -> None:
    """Forget everything the patient entered; the CSRF token (so a second click still works),
    the clinic they came from and the language they chose stay."""
    kept = {key: session[key] for key in ("csrf_token", "clinic", "language") if key in session}
    session.clear()
    session.update(kept)


@bp.get("/session-expired")
def session_expired() -> str:
    return render_template("expired.html", form=ActionForm(), **page_vars())
