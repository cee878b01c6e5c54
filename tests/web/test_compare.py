"""Compare with an earlier check: brought as a link, a bare code or a photo of the printout's QR
code; nothing stored on the server, nothing in any log, today's tier untouched."""

from __future__ import annotations

import base64
import io
import json
import logging
import zlib
from datetime import date, timedelta
from typing import Any

import pytest
import segno
from fhir.resources.R4B.bundle import Bundle
from flask import Flask
from PIL import Image, ImageFilter

from fbss_check import default_bank
from fbss_check.answers import coerce_all
from fbss_check.web import create_app
from fbss_check.web.handoff import DICTIONARY_1, make_code, read_code
from fbss_check.web.present import qr_png
from fbss_check.web.security import access_log
from tests.web.conftest import CALM_ANSWERS, MOST_TOPICS, Patient, soup

BANK = default_bank()
SECRET = "test-secret-key-for-the-test-suite-only"
BAD_PAIN = {"peg_pain": "8", "peg_enjoyment": "8", "peg_activity": "7", "phq4_interest": "0", "phq4_down": "1"}
BETTER_NOW = {
    "peg_pain": "4",
    "peg_enjoyment": "3",
    "peg_activity": "3",
    "phq4_interest": "2",
    "phq4_down": "2",
    "treatments_tried": ["physical_therapy", "injections"],
    "fever": "yes",
}


def earlier_link(patient: Patient, answers: dict[str, Any]) -> str:
    """The share link of a finished check, as printed on its summary."""
    patient.walk(answers)
    page = soup(patient.get("/summary"))
    link = page.select_one(".share-url")
    assert link is not None
    return link.get_text(strip=True)


def code_of(link: str) -> str:
    return link.rsplit("/r/", 1)[1]


@pytest.fixture
def earlier(app: Flask) -> str:
    """An earlier check of a patient in more pain, with no warning sign."""
    return earlier_link(Patient(app.test_client()), {**CALM_ANSWERS, **BAD_PAIN})


def bring(patient: Patient, data: dict[str, Any]) -> Any:
    patient.get("/compare")
    return patient.client.post(
        "/compare", data={**data, "csrf_token": patient.token}, content_type="multipart/form-data"
    )


def compared_today(patient: Patient, brought: dict[str, Any], today: dict[str, Any]) -> Any:
    sent = bring(patient, brought)
    assert sent.status_code == 302, sent.get_data(as_text=True)[:2000]
    ready = soup(patient.get("/compare"))
    assert ready.select_one("[data-compare-ready]") is not None
    patient.walk(today)
    return soup(patient.get("/result"))


def test_a_pasted_link_shows_what_changed_on_the_result(patient: Patient, earlier: str) -> None:
    page = compared_today(patient, {"earlier": earlier}, {**CALM_ANSWERS, **BETTER_NOW})
    block = page.select_one("[data-compared]")
    assert block is not None
    text = block.get_text(" ", strip=True)
    assert date.today().strftime("%B") in text
    peg = block.select_one("[data-score-change=peg]")
    assert peg is not None and peg["data-change"] == "better"
    assert "7.7" in peg.get_text() and "3.3" in peg.get_text() and "\u221257%" in peg.get_text()
    phq4 = block.select_one("[data-score-change=phq4]")
    assert phq4 is not None and phq4["data-change"] == "worse"  # 1 (none) -> 4 (mild)
    assert "Fever or rigors" in block.select_one("[data-new-flags]").get_text()
    assert "injections" in block.select_one("[data-started]").get_text().lower()
    changed = {li["data-changed"] for li in block.select("[data-changed]")}
    assert {"fever", "peg_pain", "treatments_tried", "phq4_interest"} <= changed
    assert "surgery_type" not in changed
    # Today's flag is marked new; today's tier is today's answers alone.
    fever = page.select_one("[data-flag=fever]")
    assert fever is not None and fever.select_one("[data-new-since]") is not None
    assert page.select_one("[data-urgency]")["data-urgency"] == "urgent"


def test_a_bare_code_works_and_the_tier_never_depends_on_the_earlier_check(app: Flask) -> None:
    sick = earlier_link(Patient(app.test_client()), {**CALM_ANSWERS, "fever": "yes", "wound_problem": "yes"})
    patient = Patient(app.test_client())
    page = compared_today(patient, {"earlier": "  " + code_of(sick) + "\n"}, CALM_ANSWERS)
    alone = Patient(app.test_client())
    alone.walk(CALM_ANSWERS)
    tier = soup(alone.get("/result")).select_one("[data-urgency]")["data-urgency"]
    assert page.select_one("[data-urgency]")["data-urgency"] == tier
    gone = page.select_one("[data-gone-flags]")
    assert gone is not None and "38" in gone.get_text()
    assert page.select_one("[data-new-since]") is None


def test_the_comparison_is_in_spanish_for_a_spanish_patient(app: Flask, earlier: str) -> None:
    patient = Patient(app.test_client())
    patient.choose_language("es")
    page = compared_today(patient, {"earlier": earlier}, {**CALM_ANSWERS, **BETTER_NOW})
    block = page.select_one("[data-compared]")
    assert block is not None
    text = block.get_text(" ", strip=True)
    assert "Desde su control del" in text and "Mejor" in text and "diciembre" in text


def test_a_check_stopped_at_a_warning_compares_only_the_pages_it_reached(app: Flask) -> None:
    """Today's check stopped at the fever warning: the low mood of then is not "gone", the pages
    never reached are counted as not asked, and the clinician's line says no more than it knows."""
    low_mood = {"phq4_interest": "3", "phq4_down": "3", "phq4_nervous": "2", "phq4_worry": "2"}
    link = earlier_link(Patient(app.test_client()), {**CALM_ANSWERS, **low_mood})
    patient = Patient(app.test_client())
    assert bring(patient, {"earlier": link}).status_code == 302
    warning = patient.walk({**CALM_ANSWERS, "fever": "yes"}, stop_at_warning=True)
    assert warning.status_code == 200
    page = soup(patient.get("/result"))
    assert page.select_one("[data-urgency]")["data-urgency"] == "urgent"
    block = page.select_one("[data-compared]")
    assert block is not None
    assert block.select_one("[data-gone-flags]") is None
    assert block.select_one("[data-score-change]") is None
    assert "not asked today" in block.select_one("[data-not-asked]").get_text()
    changed = {li["data-changed"] for li in block.select("[data-changed]")}
    assert changed == {"fever"}
    assert page.select_one("[data-flag=fever] [data-new-since]") is not None
    line = soup(patient.get("/summary")).select_one("[data-compared-line]").get_text(" ", strip=True)
    assert ": ." not in line and "Gone" not in line and "not asked today" in line


def test_a_link_cut_short_is_told_apart_from_a_wrong_link(patient: Patient, earlier: str) -> None:
    for cut in (earlier.split(".")[0], earlier[: len(earlier) // 2], code_of(earlier)[:60]):
        response = bring(patient, {"earlier": cut})
        assert response.status_code == 400
        assert "seems cut short" in problem(response), cut
    for wrong in ("https://example.org/some-other-page", "my check from June"):
        assert "not a share link" in problem(bring(patient, {"earlier": wrong}))


def test_time_passing_is_neither_a_new_flag_nor_a_changed_answer(app: Flask) -> None:
    """Joe, then 6 to 11 weeks after surgery, now 3 to 5 months: pain that persists is not a new
    red flag, and the questions asked only in the first weeks are not "No, then not answered"."""
    link = earlier_link(Patient(app.test_client()), CALM_ANSWERS)  # 6 to 11 weeks, in pain
    patient = Patient(app.test_client())
    page = compared_today(patient, {"earlier": link}, {**CALM_ANSWERS, "time_since_surgery": "months_3_6"})
    block = page.select_one("[data-compared]")
    assert page.select_one("[data-flag=persistent_pain]") is not None  # today's result says it
    assert page.select_one("[data-new-since]") is None and block.select_one("[data-new-flags]") is None
    changed = {li["data-changed"] for li in block.select("[data-changed]")}
    assert changed == {"time_since_surgery"}  # coughing blood and fainting are asked in the first 12 weeks


def test_the_clinician_view_of_an_unfinished_check_lists_only_what_was_answered(app: Flask) -> None:
    patient = Patient(app.test_client())
    patient.walk({**CALM_ANSWERS, "fever": "yes"}, stop_at_warning=True)
    link = shared_link(patient)
    view = soup(app.test_client().get("/r/" + code_of(link)))
    questions = {row["data-question"] for row in view.select("[data-question]")} | {
        dt.get_text(strip=True) for dt in view.select(".answer-list dt")
    }
    for never_reached in ("treatments_tried", "body_changes"):
        assert BANK.questions[never_reached].text not in questions
    assert view.select_one("[data-unfinished], .unfinished") is not None or "not finished" in view.get_text()


def test_a_link_with_words_around_it_and_a_one_pixel_screenshot_both_work(app: Flask, earlier: str) -> None:
    patient = Patient(app.test_client())
    assert bring(patient, {"earlier": f"Here is my link: {earlier} thanks"}).status_code == 302
    data_uri, _width, _height = qr_png(earlier)  # a screenshot of the summary's code, one pixel a module
    shot = (io.BytesIO(base64.b64decode(data_uri.split(",", 1)[1])), "Screenshot.png", "image/png")
    assert bring(Patient(app.test_client()), {"photo": shot, "earlier": ""}).status_code == 302


def photographed(link: str, size: int = 1600, angle: float = 8) -> bytes:
    """The QR code as a phone might see it: on a page, turned a little, blurred, as a JPEG."""
    qr = segno.make(link, error="m", micro=False)
    symbol = io.BytesIO()
    qr.save(symbol, kind="png", scale=6, border=4)
    code = Image.open(symbol).convert("L")
    page = Image.new("L", (size, int(size * 1.3)), 235)
    page.paste(code, ((size - code.width) // 2, size // 3))
    photo = page.rotate(angle, expand=True, fillcolor=180).filter(ImageFilter.GaussianBlur(1.2))
    out = io.BytesIO()
    photo.convert("RGB").save(out, format="JPEG", quality=70)
    return out.getvalue()


def test_a_photo_of_the_qr_code_works_and_is_read_in_memory(patient: Patient, earlier: str) -> None:
    photo = (io.BytesIO(photographed(earlier)), "IMG_2041.jpg", "image/jpeg")
    page = compared_today(patient, {"photo": photo, "earlier": ""}, {**CALM_ANSWERS, **BETTER_NOW})
    assert page.select_one("[data-score-change=peg]") is not None


def problem(response: Any) -> str:
    page = soup(response)
    summary = page.select_one(".error-summary")
    assert summary is not None, response.get_data(as_text=True)[:1500]
    return summary.get_text(" ", strip=True)


def test_a_tampered_code_is_refused_clearly_and_the_words_are_kept(patient: Patient, earlier: str) -> None:
    tampered = earlier[:-6] + ("A" if earlier[-6] != "A" else "B") + earlier[-5:]
    response = bring(patient, {"earlier": tampered})
    assert response.status_code == 400
    assert "could not be read" in problem(response)
    assert soup(response).select_one("textarea#earlier").get_text() == tampered


def test_a_code_from_another_deployment_gets_a_clear_message() -> None:
    other = create_app({"TESTING": True, "SECRET_KEY": "another-deployments-secret-key-0123456789"})
    link = earlier_link(Patient(other.test_client()), CALM_ANSWERS)
    ours = create_app({"TESTING": True, "SECRET_KEY": SECRET})
    response = bring(Patient(ours.test_client()), {"earlier": link})
    assert response.status_code == 400
    assert "another website that runs this check" in problem(response)


def test_pictures_that_cannot_be_read_say_why(patient: Patient) -> None:
    blank = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(blank, format="PNG")
    cases = [
        ((io.BytesIO(b"not a picture at all"), "notes.txt", "text/plain"), "could not be opened as a picture"),
        ((io.BytesIO(blank.getvalue()), "blank.png", "image/png"), "No QR code was found"),
        ((io.BytesIO(photographed("https://example.org/not-ours")), "other.jpg", "image/jpeg"), "not a share link"),
    ]
    for photo, words in cases:
        response = bring(patient, {"photo": photo, "earlier": ""})
        assert response.status_code == 400
        assert words in problem(response)
    assert "Paste the link" in problem(bring(patient, {"earlier": "   "}))


def test_a_photo_over_10_mb_gets_the_form_again_with_a_message(patient: Patient) -> None:
    patient.get("/compare")
    body = (
        b'--b\r\nContent-Disposition: form-data; name="photo"; filename="big.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n" + b"\xff" * (10 * 1024 * 1024 + 1) + b"\r\n--b--\r\n"
    )  # built in memory: the test client would spool a large file to disk
    response = patient.client.post("/compare", data=body, content_type="multipart/form-data; boundary=b")
    assert response.status_code == 413
    assert "too large" in problem(response)
    # Every other address keeps the 64 KB limit.
    assert patient.client.post("/visit-question", data={"visit_question": "x" * 70_000}).status_code == 413


def legacy_code(answers: dict[str, Any], made_on: date) -> str:
    """A share code as bank 1.1.0 made it (its own question ids), signed with our key."""
    from fbss_check.web.handoff import _signer

    payload = {"f": 1, "v": "1.1.0", "d": made_on.isoformat(), "c": None, "a": answers}
    packer = zlib.compressobj(level=9, zdict=DICTIONARY_1)
    text = json.dumps(payload, separators=(",", ":")).encode()
    packed = base64.urlsafe_b64encode(packer.compress(text) + packer.flush()).rstrip(b"=")
    return _signer(SECRET).sign(packed).decode()


def test_a_code_from_bank_1_compares_on_the_questions_both_versions_share(patient: Patient) -> None:
    old = legacy_code(
        {
            "fever": True,
            "weeks_since_surgery": 20,
            "cancer_history": False,
            "peg_pain": 9,
            "peg_enjoyment": 9,
            "peg_activity": 9,
            "both_legs_symptoms": False,
        },
        date(2026, 3, 3),
    )
    page = compared_today(patient, {"earlier": old}, CALM_ANSWERS)
    block = page.select_one("[data-compared]")
    assert block is not None
    assert "1.1.0" in block.select_one("[data-other-version]").get_text()
    assert "March 3, 2026" in block.get_text()
    not_compared = block.select_one("[data-not-compared]").get_text()
    assert BANK.questions["time_since_surgery"].text in not_compared
    changed = {li["data-changed"] for li in block.select("[data-changed]")}
    assert "fever" in changed and "time_since_surgery" not in changed
    assert block.select_one("[data-score-change=peg]")["data-change"] == "better"


def test_nothing_of_the_earlier_check_reaches_any_log(
    patient: Patient, earlier: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    seen = io.StringIO()
    handler = logging.StreamHandler(seen)
    access_log.addHandler(handler)
    try:
        bring(patient, {"earlier": earlier[:-3] + "xyz"})
        compared_today(patient, {"photo": (io.BytesIO(photographed(earlier)), "p.jpg", "image/jpeg")}, CALM_ANSWERS)
        link = soup(patient.get("/summary")).select_one(".share-url").get_text(strip=True)
        patient.get("/r/" + code_of(earlier) + "..." + code_of(link))
    finally:
        access_log.removeHandler(handler)
    logged = caplog.text + seen.getvalue()
    assert "/compare" in logged and "/r/<code>" in logged
    for secret in (code_of(earlier), code_of(earlier)[:24], code_of(earlier).split(".")[1]):
        assert secret not in logged


def test_starting_again_keeps_the_earlier_check_and_deleting_forgets_it(patient: Patient, earlier: str) -> None:
    bring(patient, {"earlier": earlier})
    patient.start()
    with patient.client.session_transaction() as session:
        assert session["earlier"] == code_of(earlier)
    patient.post("/delete", {})
    with patient.client.session_transaction() as session:
        assert "earlier" not in session
        assert not soup(patient.get("/compare")).select("[data-compare-ready]")


def test_stop_comparing_takes_the_comparison_away(patient: Patient, earlier: str) -> None:
    compared_today(patient, {"earlier": earlier}, CALM_ANSWERS)
    response = patient.post("/compare/stop", {"back": "result"})
    assert response.headers["Location"] == "/result"
    page = soup(patient.get("/result"))
    assert page.select_one("[data-compared]") is None
    assert page.select_one("[data-compare-link]") is not None


def test_the_session_cookie_stays_under_the_browser_limit_with_the_heaviest_checks(app: Flask) -> None:
    heavy = earlier_link(Patient(app.test_client()), {**MOST_TOPICS, **BAD_PAIN})
    patient = Patient(app.test_client())
    compared_today(patient, {"earlier": heavy}, {**MOST_TOPICS, **BETTER_NOW})
    response = patient.post("/visit-question", {"visit_question": "w" * 300})
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert len(cookie) < 4093


def shared_link(patient: Patient) -> str:
    return soup(patient.get("/summary")).select_one(".share-url").get_text(strip=True)


def test_the_share_page_links_both_checks_side_by_side(patient: Patient, earlier: str) -> None:
    compared_today(patient, {"earlier": earlier}, {**CALM_ANSWERS, **BETTER_NOW})
    link = shared_link(patient)
    assert "..." not in link  # the QR code holds today's check alone
    pair = soup(patient.get("/share")).select_one("[data-pair-link] a")
    assert pair is not None and str(pair["href"]) == earlier + "..." + code_of(link)
    on_summary = soup(patient.get("/summary")).select_one("[data-pair-link] a")
    assert on_summary is not None and on_summary["href"] == pair["href"]
    view = soup(patient.get("/r/" + code_of(str(pair["href"]))))
    block = view.select_one("[data-compared]")
    assert block is not None and block.select_one("[data-score-change=peg]")["data-change"] == "better"
    result = soup(patient.get("/result")).select_one("[data-compared]")
    assert [li["data-changed"] for li in block.select("[data-changed]")] == [
        li["data-changed"] for li in result.select("[data-changed]")
    ]
    bundle = patient.client.get("/r/" + code_of(str(pair["href"])) + "/fhir")
    assert bundle.mimetype == "application/fhir+json"
    resource = Bundle.model_validate(bundle.json)
    assert [e.resource.authored.isoformat()[:10] for e in resource.entry] == [date.today().isoformat()] * 2
    assert patient.client.get("/r/" + code_of(link) + "/fhir").json["resourceType"] == "QuestionnaireResponse"


def test_a_clinician_opens_two_codes_side_by_side_in_date_order(app: Flask) -> None:
    def check(answers: dict[str, Any]) -> dict[str, Any]:
        return coerce_all(BANK.questions, {k: int(v) if str(v).isdigit() else v for k, v in answers.items()}, "lenient")

    old = make_code(SECRET, BANK, check({**CALM_ANSWERS, **BAD_PAIN}), None, date.today() - timedelta(days=90))
    new = make_code(SECRET, BANK, check({**CALM_ANSWERS, "fever": "yes"}), None, date.today())
    client = app.test_client()
    for pair in (f"{old}...{new}", f"{new}...{old}"):
        page = soup(client.get(f"/r/{pair}"))
        block = page.select_one("[data-compared]")
        assert block is not None
        assert (date.today() - timedelta(days=90)).strftime("%B") in block.get_text()
        assert "Fever or rigors" in block.select_one("[data-new-flags]").get_text()
    assert client.get(f"/r/{old}...{new}...{old}").status_code == 400
    assert client.get(f"/r/{old}...{new[:-2]}").status_code == 400
    visitor = Patient(client)
    visitor.get("/clinicians")
    response = visitor.post("/clinicians/compare", {"earlier": f"https://x.example/r/{old}", "later": new})
    assert response.status_code == 302 and response.headers["Location"] == f"/r/{old}...{new}"
    # A link copied across lines, and one with words around it, give the same pair.
    folded = f"https://x.example/r/{old[:60]}\n{old[60:]}"
    response = visitor.post("/clinicians/compare", {"earlier": folded, "later": f"Link: {new} thanks"})
    assert response.status_code == 302 and response.headers["Location"] == f"/r/{old}...{new}"
    missing = visitor.post("/clinicians/compare", {"earlier": old, "later": ""})
    assert "compare=missing" in missing.headers["Location"]
    assert soup(visitor.get(missing.headers["Location"])).select_one("[data-compare-two] [role=alert]") is not None
    bundle = Bundle.model_validate(client.get(f"/r/{new}...{old}/fhir").json)
    assert len(bundle.entry) == 2


def test_a_code_read_back_is_the_earlier_check_of_a_comparison(earlier: str) -> None:
    handoff = read_code(SECRET, BANK, code_of(earlier))
    assert handoff.as_earlier().answers == handoff.answers and handoff.as_earlier().made_on == handoff.made_on
