"""What the patient and the clinician take away (issue 15): named warning signs on every result,
what to tell the staff, tried treatments that keep their topic, the patient's own question, and a
summary and clinician view written for a spine clinic."""

from __future__ import annotations

import base64
import io
import logging
import re
from typing import Any

import pytest
import zxingcpp
from flask import Flask
from PIL import Image

from fbss_check import default_bank
from fbss_check.web import create_app
from fbss_check.web.present import QR_BORDER, QR_MASK, qr_png
from tests.web.conftest import CALM_ANSWERS, Patient, soup
from tests.web.test_clinicians import decode_qr

TIERS = [
    pytest.param({}, "routine", id="routine"),
    pytest.param({"phq4_nervous": "2", "phq4_worry": "2"}, "soon", id="soon"),
    pytest.param({"wound_problem": "unsure"}, "urgent", id="urgent"),
    pytest.param({"chest_pain_or_breathless": "yes"}, "emergency", id="emergency"),
]
EMERGENCY_CALL = {"en": "Call 911 now", "es": "Llame al 911 ahora"}
SAME_DAY_CALL = {"en": "Call your surgeon's team", "es": "Llame al equipo de su cirujano"}
QUESTION = "Could the screws have moved? It clicks when I bend."


def text_of(node: Any) -> str:
    """The words as read: tags joined by spaces, but none before punctuation ("<b>x</b>." is "x.")."""
    return re.sub(r" ([.,;:])", r"\1", " ".join(node.get_text(" ").split()))


def share_url(patient: Patient) -> str:
    page = soup(patient.get("/share"))
    link = page.select_one(".share-url a")
    assert link is not None
    return str(link["href"]).removeprefix("http://localhost")


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(("changes", "tier"), TIERS)
def test_every_result_names_at_least_three_warning_signs_and_what_to_do(
    patient: Patient, changes: dict[str, Any], tier: str, language: str
) -> None:
    patient.choose_language(language)
    patient.walk({**CALM_ANSWERS, **changes})
    page = soup(patient.get("/result"))
    assert page.select_one("[data-urgency]")["data-urgency"] == tier
    net = page.select_one("[data-safety-net]")
    assert net is not None, "no safety net on the result"
    assert len(net.select("[data-sign]")) >= 3
    groups = {group["data-safety-group"]: group for group in net.select("[data-safety-group]")}
    assert set(groups) == {"emergency", "urgent"}
    for urgency, group in groups.items():
        assert len(group.select("[data-sign]")) >= 3, f"{urgency}: fewer than 3 signs"
    assert groups["emergency"].select(".safety-action a[href='tel:911']"), "no number to call"
    assert EMERGENCY_CALL[language] in text_of(groups["emergency"])
    assert SAME_DAY_CALL[language] in text_of(groups["urgent"])
    assert "38 °C" in text_of(groups["urgent"])  # concrete: a number, not "a warning sign"


def test_through_a_clinics_link_the_same_day_signs_give_the_clinics_numbers() -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "k" * 40, "FBSS_CLINICS": "clinics.yaml"})
    patient = Patient(app.test_client())
    patient.get("/c/example_spine")
    patient.walk(CALM_ANSWERS)
    group = soup(patient.get("/result")).select_one("[data-safety-group=urgent]")
    assert group is not None and len(group.select(".safety-action a[href^='tel:']")) == 2  # team, out of hours


def test_a_sign_for_the_neck_or_a_device_is_named_only_to_those_it_concerns(client: Any) -> None:
    low_back = Patient(client)
    low_back.walk(CALM_ANSWERS)
    signs = text_of(soup(low_back.get("/result")).select_one("[data-safety-net]"))
    assert "cannot swallow your spit" not in signs and "stimulator" not in signs and "blood thinner" not in signs

    neck = Patient(client.application.test_client())
    neck.walk(
        {
            **CALM_ANSWERS,
            "surgery_region": ["neck"],
            "devices_medicines": ["stimulator", "blood_thinner"],
        }
    )
    signs = text_of(soup(neck.get("/result")).select_one("[data-safety-net]"))
    assert "cannot swallow your spit" in signs
    assert "skin over your stimulator" in signs
    assert "while you take a blood thinner" in signs


@pytest.mark.parametrize(
    ("changes", "known"),
    [
        # An urgent sign on page 4: the operation, devices and health are known by then.
        ({"wound_problem": "yes"}, ("neck", "6 to 11 weeks ago", "fusion", "takes a blood thinner", "has had cancer")),
        # An emergency on page 2 stops the check: only the first page's facts are known.
        ({"bladder_control_change": "yes"}, ("neck", "6 to 11 weeks ago")),
    ],
    ids=["urgent", "emergency"],
)
def test_urgent_and_emergency_pages_say_what_to_tell_the_staff(
    patient: Patient, changes: dict[str, Any], known: tuple[str, ...]
) -> None:
    answers = {
        **CALM_ANSWERS,
        "surgery_region": ["neck"],
        "devices_medicines": ["blood_thinner", "stimulator"],
        "health_conditions": ["past_cancer", "sleep_poor"],
        **changes,
    }
    warning = soup(patient.walk(answers, stop_at_warning=True))
    for page in (warning, soup(patient.get("/result"))):
        tell = page.select_one("[data-tell-staff]")
        assert tell is not None
        words = text_of(tell)
        for fact in known:
            assert fact in words, fact
        assert "dural tear" in words and "every medicine you take, and when you last took it" in words
        assert "Choose all that apply" not in words and "?" not in words  # the few words, not the questions
        assert "sleeps badly" not in words
        assert "apixaban" not in words  # the few words, not the list of drug names


def test_a_routine_result_has_no_tell_the_staff_list(patient: Patient) -> None:
    patient.walk(CALM_ANSWERS)
    assert soup(patient.get("/result")).select_one("[data-tell-staff]") is None


def test_a_tried_treatment_keeps_its_topic_and_says_what_comes_next(patient: Patient) -> None:
    patient.walk(
        {
            **CALM_ANSWERS,
            "time_since_surgery": "years_1_2",
            "devices_medicines": ["stimulator"],
            "treatments_tried": ["physical_therapy", "medication", "injections", "spinal_cord_stimulation"],
        }
    )
    page = soup(patient.get("/result"))
    topics = {item["data-topic"]: item for item in page.select("[data-topic]")}
    for tried in ("physical_therapy", "medication", "injections", "spinal_cord_stimulation"):
        assert tried in topics, f"{tried} was hidden"
        assert topics[tried].has_attr("data-tried")
        assert "You said you have had this" in text_of(topics[tried])
    assert "wires can move" in text_of(topics["spinal_cord_stimulation"])
    assert not topics["psychological_support"].has_attr("data-tried")
    assert "living_with_a_device" in topics


@pytest.mark.parametrize(("region", "number"), [("us", "1-800-784-8669"), ("uk", "0300 123 1044")], ids=["us", "uk"])
def test_the_quit_smoking_topic_gives_the_regions_free_quit_line(region: str, number: str) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY": "k" * 40, "FBSS_REGION": region})
    patient = Patient(app.test_client())
    patient.walk({**CALM_ANSWERS, "health_conditions": ["smoker"]})
    assert soup(patient.get("/result")).select_one("[data-topic=quit_smoking]") is not None
    page = soup(patient.get("/topics/quit_smoking"))
    links = [a for a in page.select("main a[href^='tel:']") if number in a.get_text()]
    assert links, f"{number} is not a tappable link"
    assert "{quit_line}" not in page.get_text()


def test_the_patients_own_question_is_printed_shared_and_escaped(patient: Patient) -> None:
    patient.walk({**CALM_ANSWERS, "fever": "yes"})
    written = QUESTION + " <script>alert(1)</script>"
    saved = patient.post("/visit-question", {"visit_question": written})
    assert saved.status_code == 302 and saved.headers["Location"].startswith("/result")
    result = patient.get("/result")
    assert "<script>alert(1)</script>" not in result.get_data(as_text=True)
    assert soup(result).select_one("#visit_question").get_text() == written  # shown back, to change
    summary = soup(patient.get("/summary"))
    printed = summary.select_one("[data-visit-question]")
    assert printed is not None and text_of(printed).endswith(written)
    url = share_url(patient)
    assert decode_qr(summary.select_one(".share img.qr-code")).endswith(url)
    shared = patient.client.application.test_client().get(url)  # the clinician, another browser
    view = soup(shared)
    assert text_of(view.select_one("[data-visit-question]")).endswith(written)
    assert "<script>alert(1)</script>" not in shared.get_data(as_text=True)


def test_a_question_too_long_is_refused_with_the_words_kept(patient: Patient) -> None:
    patient.walk(CALM_ANSWERS)
    long_text = "Why does it still hurt? " * 13  # 312 characters
    refused = patient.post("/visit-question", {"visit_question": long_text})
    assert refused.status_code == 400
    page = soup(refused)
    assert "300 characters or fewer" in text_of(page.select_one("#visit_question-error"))
    assert page.select_one("#visit_question").get_text() == long_text  # nothing lost
    assert page.select_one("[data-urgency]")["data-urgency"] == "routine"  # the result is still there
    assert soup(patient.get("/summary")).select_one("[data-visit-question]") is None


def test_an_empty_question_clears_it_and_deleting_the_answers_forgets_it(patient: Patient) -> None:
    patient.walk(CALM_ANSWERS)
    patient.post("/visit-question", {"visit_question": QUESTION})
    assert soup(patient.get("/summary")).select_one("[data-visit-question]") is not None
    patient.post("/visit-question", {"visit_question": "   "})
    assert soup(patient.get("/summary")).select_one("[data-visit-question]") is None
    patient.post("/visit-question", {"visit_question": QUESTION})
    patient.post("/delete", {})
    patient.walk(CALM_ANSWERS)
    assert soup(patient.get("/summary")).select_one("[data-visit-question]") is None


def test_a_question_sent_without_a_check_goes_to_the_expired_page(client: Any) -> None:
    patient = Patient(client)
    patient.get("/")
    response = patient.post("/visit-question", {"visit_question": QUESTION})
    assert response.status_code == 302 and response.headers["Location"] == "/session-expired"


def test_the_question_never_reaches_the_logs(patient: Patient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    patient.walk(CALM_ANSWERS)
    patient.post("/visit-question", {"visit_question": "My secret worry about my bladder"})
    patient.get("/summary")
    patient.client.get(share_url(patient))
    assert "secret worry" not in caplog.text


def test_a_tampered_code_with_a_question_is_refused(patient: Patient) -> None:
    patient.walk(CALM_ANSWERS)
    patient.post("/visit-question", {"visit_question": QUESTION})
    url = share_url(patient)
    tampered = url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB")
    assert patient.client.get(tampered).status_code == 400


def test_the_summary_opens_with_a_line_for_the_clinician(patient: Patient) -> None:
    patient.walk(
        {
            **CALM_ANSWERS,
            "surgery_region": ["neck"],
            "wound_problem": "yes",
            "devices_medicines": ["blood_thinner"],
        }
    )
    page = soup(patient.get("/summary"))
    line = text_of(page.select_one("[data-clinical-summary]"))
    assert line.startswith("Urgent.")
    assert f"Red flags: {default_bank().rules_by_id['wound_problem'].short}." in line
    for fact in ("6 to 11 weeks ago", "fusion", "takes a blood thinner"):
        assert fact in line
    assert ". Neck; 6 to 11 weeks ago; fusion" in line  # a sentence of facts, starting with a capital
    assert "PEG pain score 3.3/10" in line  # (4 + 3 + 3) / 3, as clinicians write it
    assert "PHQ-4 total 2/12" in line
    head = page.select_one(".summary-head")
    assert re.search(r"Made on \w+ \d+, 2\d{3}, \d+:\d\d\s?[AP]M \(UTC\)", text_of(head))
    assert "Name:" in text_of(head.select_one(".paper-lines")) and "Date of birth:" in text_of(head)


def test_scores_are_shown_as_clinicians_write_them(patient: Patient) -> None:
    patient.walk(CALM_ANSWERS)  # PEG (4 + 3 + 3) / 3 = 3.33...
    page = soup(patient.get("/result"))
    assert text_of(page.select_one("[data-score=peg] dd")).startswith("3.3 out of 10")
    patient.choose_language("es")
    page = soup(patient.get("/result"))
    assert text_of(page.select_one("[data-score=peg] dd")).startswith("3,3 de 10")


def test_the_clinician_view_is_for_the_clinician(app: Flask, patient: Patient) -> None:
    patient.walk({**CALM_ANSWERS, "bladder_control_change": "yes"})
    patient.post("/visit-question", {"visit_question": QUESTION})
    view = soup(app.test_client().get(share_url(patient)))
    assert view.select_one(".emergency-strip") is None  # no patient-facing banners or call buttons
    assert view.select_one(".button--call") is None and view.select_one(".urgency") is None
    assert view.select_one("[data-urgency]")["data-urgency"] == "emergency"
    assert text_of(view.select_one("[data-clinical-summary]")).startswith("Emergency. Red flags: New bladder")
    assert "The patient answered:" in view.get_text()
    assert view.select("code") == []  # question text, not internal ids
    reported = view.select("[data-positive-answers] .answer-row")
    assert any("peeing" in text_of(row) and text_of(row).endswith("Yes") for row in reported)
    assert text_of(view.select_one("[data-visit-question]")).endswith(QUESTION)
    assert view.select_one(".clinician-grid .clinician-answers") is not None


def test_the_clinician_page_states_intended_use_limits_validation_and_contact() -> None:
    bank = default_bank()
    app = create_app({"TESTING": True, "SECRET_KEY": "k" * 40, "FBSS_SAFETY_CONTACT": "safety@example.org"})
    page = soup(app.test_client().get("/clinicians"))
    statement = page.select_one("[data-intended-use]")
    assert statement is not None
    words = text_of(statement)
    for heading in ("Intended use", "Limits", "How it is checked", "Report a problem"):
        assert heading in words
    assert f"all {len(bank.cases)} clinical test cases" in words and f"its {len(bank.rules)} rules" in words
    contact = statement.select_one("[data-safety-contact] a[href='mailto:safety@example.org']")
    assert contact is not None
    unset = soup(create_app({"TESTING": True, "SECRET_KEY": "k" * 40}).test_client().get("/clinicians"))
    assert "FBSS_SAFETY_CONTACT" in text_of(unset.select_one("[data-safety-contact]"))


def test_the_poster_says_what_the_check_gives_and_uses_the_public_address() -> None:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "k" * 40,
            "FBSS_PUBLIC_URL": "https://check.example.org",
            "FBSS_CLINICS": "clinics.yaml",
        }
    )
    page = soup(app.test_client().get("/clinicians/poster/example_spine", base_url="https://check.example.org"))
    assert "https://check.example.org/c/example_spine" in text_of(page.select_one(".poster-url"))
    assert len(page.select(".poster-points li")) == 3
    assert "call 911" in text_of(page.select_one(".poster-emergency"))


def test_urgent_only_from_the_suicide_screen_heads_with_the_crisis_line_not_the_surgeon(patient: Patient) -> None:
    page = soup(patient.walk({**CALM_ANSWERS, "asq_wish_dead": "yes", "asq_now": "no"}, stop_at_warning=True))
    result = soup(patient.get("/result"))
    for shown in (page, result):
        banner = shown.select_one("[data-urgency=urgent]")
        assert banner is not None
        words = text_of(banner)
        assert "Talk to someone today" in words and "surgeon" not in words
        assert banner.select_one("[data-call-crisis][href='tel:988']") is not None
        assert shown.select_one("[data-tell-staff]") is None  # the operation facts do not help here


def test_one_answer_behind_two_tiers_gives_one_instruction(patient: Patient) -> None:
    patient.walk({**CALM_ANSWERS, "health_conditions": ["past_cancer"], "night_pain": "yes", "cough_strain_pain": "no"})
    page = soup(patient.get("/result"))
    flags = [item["data-flag"] for item in page.select(".flags > [data-flag]")]
    assert "new_pain_after_cancer" in flags and "night_pain" not in flags


def test_the_share_qr_png_is_a_full_size_code_of_the_link_with_its_quiet_zone() -> None:
    for text in ("https://check.example.org/r/short", "https://check.example.org/r/" + "Ab3_-x." * 60):
        data_uri, width, height = qr_png(text)
        image = Image.open(io.BytesIO(base64.b64decode(data_uri.split(",", 1)[1])))
        assert image.mode == "1" and image.size == (width, height) and width == height
        grey = image.convert("L")
        modules = width - 2 * QR_BORDER
        assert (modules - 17) % 4 == 0  # a full-size QR code (21, 25, ... modules), never a Micro QR
        for edge in range(QR_BORDER):  # the quiet zone: every pixel of the border light
            for line in (grey.crop((0, edge, width, edge + 1)), grey.crop((edge, 0, edge + 1, height))):
                assert set(line.tobytes()) == {255}
        assert grey.getpixel((QR_BORDER, QR_BORDER)) == 0  # the finder pattern starts at the corner
        read = zxingcpp.read_barcodes(grey.resize((width * 4, height * 4), Image.Resampling.NEAREST))
        assert [(r.text, r.format, r.ec_level) for r in read] == [(text, zxingcpp.BarcodeFormat.QRCode, "M")]
        # zxing-cpp takes unknown options silently: the mask asked for is the one it used.
        assert read[0].extra["DataMask"] == QR_MASK
