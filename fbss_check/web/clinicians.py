"""For clinicians: how the tool decides, clinic links with QR posters, share codes, and FHIR."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from fbss_check import fhir
from fbss_check.compare import EarlierCheck, compare
from fbss_check.conditions import walk
from fbss_check.model import Bank, Condition, Urgency
from fbss_check.path import patient_path

from . import present
from .catalog import gettext
from .compare import first_code
from .context import PAIR, compare_link, current_bank, page_vars, questionnaire, secret_key, share_link, summary_path
from .forms import ClinicianCompareForm
from .handoff import Handoff, InvalidCode, read_code
from .language import autonym, language_name
from .present import qr_svg
from .security import external_url

bp = Blueprint("clinicians", __name__)
FHIR_JSON = "application/fhir+json"
SYMBOLS = {"at_least": "≥", "at_most": "≤"}


def describe(condition: Condition, bank: Bank) -> str:
    """A condition in words for clinicians, e.g. `weeks_since_surgery ≥ 12 and pain_persisting is yes`."""
    op = condition.op
    if op in ("all", "any"):
        parts = [describe(child, bank) for child in condition.children]
        connector = gettext("and") if op == "all" else gettext("or")
        joined = f" {connector} ".join(parts)
        return f"({joined})" if len(parts) > 1 else joined
    if op == "not":
        return gettext("not %(condition)s", condition=describe(condition.children[0], bank))
    if op == "always":
        return gettext("always")
    subject = bank.scores[condition.subject].label if condition.subject_kind == "score" else condition.subject
    if op in SYMBOLS:
        return f"{subject} {SYMBOLS[op]} {condition.value}"
    if op == "answered":
        if condition.value:
            return gettext("%(subject)s is answered", subject=subject)
        return gettext("%(subject)s is not answered", subject=subject)
    if op == "in":
        values = ", ".join(sorted(map(str, condition.value)))
        return gettext("%(subject)s is one of %(values)s", subject=subject, values=values)
    if op == "includes":
        return gettext("%(subject)s includes %(value)s", subject=subject, value=condition.value)
    return gettext("%(subject)s is %(value)s", subject=subject, value=condition.value)


@bp.get("/clinicians")
def overview() -> str:
    q = questionnaire()
    bank = current_bank()
    tiers = []
    for urgency in sorted(Urgency, reverse=True):
        rules = [r for r in bank.rules if r.urgency is urgency]
        tiers.append(
            {
                "urgency": urgency,
                "text": present.tier_text(bank, urgency, q.region),
                "rules": [{"rule": r, "when": describe(r.when, bank)} for r in rules],
            }
        )
    guidance_rules = [{"rule": r, "when": describe(r.when, bank)} for r in bank.rules if r.urgency is None]
    red_flags = [question for question in bank.questions.values() if question.red_flag is not None]
    shown_if = {
        question.id: describe(question.show_if, bank)
        for question in bank.questions.values()
        if question.show_if is not None
    }
    sources = sorted({s for t in bank.topics.values() for s in t.sources} | set(bank.sources))
    clinics = []
    for clinic in q.clinics.values():
        url = external_url("questionnaire.start_for_clinic", slug=clinic.slug)
        label = gettext("QR code for the link of %(clinic)s", clinic=clinic.name)
        clinics.append({"clinic": clinic, "url": url, "qr": qr_svg(url, label)})
    return render_template(
        "clinicians.html",
        tiers=tiers,
        guidance_rules=guidance_rules,
        red_flags=red_flags,
        shown_if=shown_if,
        sources=sources,
        clinics=clinics,
        languages=[autonym(code) for code in bank.languages],
        questions_in=lambda c: sorted({n.subject for n in walk(c) if n.subject}),
        safety_contact=(current_app.config.get("FBSS_SAFETY_CONTACT") or "").strip(),
        compare_form=ClinicianCompareForm(),
        compare_missing=request.args.get("compare") == "missing",
        **page_vars(),
    )


@bp.get("/clinicians/poster/<slug>")
def poster(slug: str) -> str:
    clinic = questionnaire().clinics.get(slug)
    if clinic is None:
        abort(404)
    url = external_url("questionnaire.start_for_clinic", slug=clinic.slug)
    return render_template(
        "poster.html",
        poster_clinic=clinic,
        url=url,
        qr=qr_svg(url, gettext("QR code: %(url)s", url=url), scale=10),
        **page_vars(),
    )


@bp.get("/share")
def share() -> Any:
    found = summary_path()
    if isinstance(found, Response):
        return found
    path, gate = found
    url, qr = share_link(path)
    return render_template(
        "share.html", url=url, qr=qr, pair_url=compare_link(path), unfinished=gate is not None, **page_vars()
    )


def read_checks(bank: Bank, codes: str) -> tuple[Handoff, EarlierCheck | None]:
    """The check a /r/ link shows and the earlier one it is compared with: two codes joined by
    "..." (the older by date is the earlier), else None."""
    parts = codes.split(PAIR)
    if len(parts) > 2:
        raise InvalidCode(gettext("a link holds one or two codes"))
    read = sorted((read_code(secret_key(), bank, part) for part in parts), key=lambda h: h.made_on)
    if len(read) == 2:
        return read[1], read[0].as_earlier()
    return read[0], None


@bp.get("/r/<code>")
def clinician_view(code: str) -> Any:
    q = questionnaire()
    bank = current_bank()
    try:
        handoff, earlier = read_checks(bank, code)
    except InvalidCode as error:
        return render_template(
            "error.html",
            heading=gettext("This share code does not work"),
            text=gettext(
                "It cannot be read: %(reason)s. Ask the patient for the link again, or to bring their printed summary.",
                reason=str(error),
            ),
            **page_vars(),
        ), 400
    path = patient_path(bank, handoff.answers)
    clinic = q.clinics.get(handoff.clinic or "")
    region = clinic.region if clinic else q.region
    # A code carries answers, not the pages sent: a page counts as sent, and complete when its
    # required questions are answered.
    unfinished = path.first_incomplete(path.sections) is not None
    # An unfinished check lists only what was answered: a multiple-choice question never reached
    # is not "None of these".
    result = present.result_context(path, region, clinic, only_answered=unfinished)
    compared = compare(bank, earlier, path.answers) if earlier is not None else None
    return render_template(
        "clinician_view.html",
        handoff=handoff,
        compared=present.comparison_context(bank, compared) if compared else None,
        **result,
        shown_topics=[bank.topics[t] for t in result["outcome"].guidance],
        answered_in=language_name(handoff.language),
        unfinished=unfinished,
        code=code,
        view_clinic=clinic,
        **{**page_vars(), "region": region},
    )


def fhir_response(resource: dict[str, Any], filename: str | None = None) -> Response:
    response = Response(json.dumps(resource, indent=2, ensure_ascii=False), mimetype=FHIR_JSON)
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/fhir/Questionnaire")
def fhir_questionnaire() -> Response:
    return fhir_response(fhir.questionnaire(current_bank()))


@bp.get("/fhir/QuestionnaireResponse")
def fhir_my_answers() -> Any:
    found = summary_path()
    if isinstance(found, Response):
        return found
    path, _gate = found
    return fhir_response(
        fhir.questionnaire_response(current_bank(), path.answers, date.today()), "fbss-check-answers.fhir.json"
    )


@bp.get("/r/<code>/fhir")
def fhir_shared_answers(code: str) -> Any:
    bank = current_bank()
    try:
        handoff, earlier = read_checks(bank, code)
    except InvalidCode:
        abort(400)
    now = fhir.questionnaire_response(bank, patient_path(bank, handoff.answers).answers, handoff.made_on)
    if earlier is None:
        return fhir_response(now, "fbss-check-answers.fhir.json")
    then = fhir.questionnaire_response(bank, patient_path(bank, earlier.answers).answers, earlier.made_on)
    return fhir_response(fhir.bundle([then, now]), "fbss-check-both-checks.fhir.json")


@bp.post("/clinicians/compare")
def compare_two() -> Response:
    """Two codes or links pasted by a clinician: open them side by side at /r/<earlier>...<later>."""
    form = ClinicianCompareForm()
    if not form.validate_on_submit():
        abort(400)
    bank = current_bank()
    codes = [first_code(bank, field.data or "") for field in (form.earlier, form.later)]
    if not all(codes):
        return redirect(url_for("clinicians.overview", compare="missing") + "#compare-two")
    return redirect(url_for("clinicians.clinician_view", code=PAIR.join(codes)))
