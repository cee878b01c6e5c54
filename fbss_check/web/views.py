"""The patient's questionnaire: thin views that read the session, call the core, and render."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from fbss_check.model import Answer, Kind, Question, Section, Urgency
from fbss_check.progress import CHECK, Progress, blocked_by, submit_page, submit_part

from . import present
from .context import (
    EARLIER,
    VISIT_QUESTION,
    compare_link,
    comparison,
    current_bank,
    current_clinic,
    current_language,
    current_region,
    current_visit_question,
    expired,
    finished_path,
    load_progress,
    page_url,
    page_vars,
    questionnaire,
    save_progress,
    share_link,
    summary_path,
    target_url,
)
from .forms import MESSAGES, VisitQuestionForm, clean_visit_question
from .language import refresh_language

bp = Blueprint("questionnaire", __name__)


@bp.get("/")
def start() -> str:
    return render_template("start.html", deleted=request.args.get("deleted") == "1", **page_vars())


@bp.get("/c/<slug>")
def start_for_clinic(slug: str) -> tuple[str, int] | str:
    """A clinic's link: the start page, and the clinic's numbers on every decision page after it."""
    clinic = questionnaire().clinics.get(slug)
    if clinic is None:
        session.pop("clinic", None)
        return render_template("clinic_unknown.html", **page_vars()), 404
    session["clinic"] = clinic.slug
    refresh_language()  # the clinic's language now counts, unless the patient chose one
    return render_template("start.html", deleted=False, **page_vars())


@bp.post("/start")
def begin() -> Response:
    _clear_answers(keep=(EARLIER,))
    session.permanent = True
    session["started"] = True
    save_progress(Progress())
    return redirect(url_for("questionnaire.ask", section_id=current_bank().sections[0].id))


@bp.route("/questions/<section_id>", methods=["GET", "POST"])
def ask(section_id: str) -> Response | str:
    bank = current_bank()
    section = bank.sections_by_id.get(section_id)
    if section is None:
        abort(404)
    state = load_progress()
    if state is None:
        return expired()
    path = state.path(bank)
    blocked = blocked_by(bank, state, section_id, path)
    if blocked is not None:
        # Hidden by earlier answers, or skipped ahead: go where the patient is really up to.
        return redirect(target_url(blocked))
    questions = path.shown[section_id]
    form: FlaskForm | None = None  # a GET shows what is stored: only a POST needs WTForms to read it
    if request.method == "POST":
        form = _form_for(section, questions, state)
        if form.validate():
            sent = {q.id: form[q.id].data for q in questions}
            saved, target, warnings = submit_page(bank, state, section_id, sent, path)
            save_progress(saved)
            return redirect(url_for("questionnaire.warn", next=target) if warnings else target_url(target))
        fine = {q.id: form[q.id].data for q in questions if not form[q.id].errors}
        saved, warnings = submit_part(bank, state, section_id, fine, path)
        if warnings:
            save_progress(saved)
            return redirect(url_for("questionnaire.warn", next=section_id))
    previous = path.neighbour(section_id, -1)
    errors = _errors(form, questions) if form is not None else []
    return render_template(
        "question.html",
        section=section,
        fields=_fields(questions, form, state),
        errors=errors,
        step=path.step(section_id),
        back_url=page_url("questionnaire.ask", section_id=previous) if previous else page_url("questionnaire.start"),
        warned_urgency=path.serious_urgency,
        **page_vars(),
    )


def _fields(
    questions: tuple[Question, ...], form: FlaskForm | None, state: Progress
) -> list[tuple[Question, str | None, set[str]]]:
    """Each question with its problem, if a POST was refused (after `_errors` chose one), and the
    values to show as chosen: what was just sent, or else what is stored."""
    if form is None:
        return [(question, None, _stored(state.answers.get(question.id))) for question in questions]
    return [
        (question, next(iter(form[question.id].errors), None), _selected(form[question.id])) for question in questions
    ]


def _stored(answer: Answer | list[Any] | None) -> set[str]:
    """A stored answer (or a form's data for it) as the values of its inputs."""
    if answer is None:
        return set()
    return {str(value) for value in answer} if isinstance(answer, frozenset | list) else {str(answer)}


def _selected(field: Any) -> set[str]:
    """The values to show as chosen: what was just sent, or else what the form was given."""
    if field.raw_data is not None:
        return {str(value) for value in field.raw_data}
    return _stored(field.data)


def _form_for(section: Section, questions: tuple[Question, ...], state: Progress) -> FlaskForm:
    stored = {question.id: _form_value(state.answers.get(question.id)) for question in questions}
    form = questionnaire().forms[current_language()][section.id](data=stored)
    shown = {question.id for question in questions}
    for question_id in [field.name for field in form]:
        if question_id not in shown:
            del form[question_id]
    return form


def _form_value(answer: Answer | None) -> Any:
    return sorted(answer) if isinstance(answer, frozenset) else answer


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
    return page_url("questionnaire.ask", section_id=question.section) + f"#{first_input_id(question)}"


@bp.get("/warning")
def warn() -> Response | str:
    state = load_progress()
    if state is None:
        return expired()
    bank = current_bank()
    target = request.args.get("next", CHECK)
    if target != CHECK and target not in bank.sections_by_id:
        target = CHECK
    path = state.path(bank)
    outcome = path.outcome
    if outcome.urgency < Urgency.URGENT:
        return redirect(target_url(target))
    reasons = [r for r in present.flag_reasons(bank, outcome) if r["flag"].urgency >= Urgency.URGENT]
    on_path = path.sections
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
        back_url=next(iter(change_links.values()), target_url(target)).split("#")[0],
        crisis=present.needs_crisis_line(bank, outcome),
        facts=present.key_facts(bank, outcome.answers),
        continue_url=target_url(target),
        **page_vars(),
    )


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
    visit_question = current_visit_question()
    bank = current_bank()
    compared = comparison(bank, path.answers)
    if visit_form is None and template_mode == "result":  # the summary has no form: it is for paper
        visit_form = VisitQuestionForm(data={"visit_question": visit_question})
    return render_template(
        "result.html",
        mode=template_mode,
        **present.result_context(path, current_region(), current_clinic(), only_answered=gate is not None),
        unfinished=gate is not None,
        resume_url=target_url(gate) if gate is not None else None,
        made_at=datetime.now(UTC),
        share=share_link(path) if template_mode == "summary" else None,
        pair_url=compare_link(path) if template_mode == "summary" and compared else None,
        visit_form=visit_form,
        visit_question=visit_question,
        compared=present.comparison_context(bank, compared) if compared else None,
        **page_vars(),
    ), (400 if visit_form is not None and visit_form.errors else 200)


@bp.post("/visit-question")
def save_visit_question() -> Any:
    """Keep (or clear) the patient's question for the visit, then show the result again."""
    if load_progress() is None:
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
    _clear_answers()
    return redirect(url_for("questionnaire.start", deleted="1"))


def _clear_answers(keep: tuple[str, ...] = ()) -> None:
    """Forget everything the patient entered; the CSRF token (so a second click still works),
    the clinic they came from and the language they chose stay (and `keep`: starting a new check
    keeps the earlier one brought to compare with)."""
    kept = {key: session[key] for key in ("csrf_token", "clinic", "language", *keep) if key in session}
    session.clear()
    session.update(kept)


@bp.get("/session-expired")
def session_expired() -> str:
    return render_template("expired.html", **page_vars())
