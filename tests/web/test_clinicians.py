"""Clinic links, the clinicians' page and posters, share codes and the clinician view, and FHIR."""

from __future__ import annotations

import base64
import io
import json
import re
from datetime import date
from typing import Any

import pytest
import yaml
import zxingcpp
from babel.dates import format_date
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from fbss_check import default_bank
from fbss_check.answers import coerce_all
from fbss_check.clinics import ClinicsError, load_clinics, parse_clinics
from fbss_check.web import create_app
from fbss_check.web.handoff import InvalidCode, make_code, read_code
from tests.conftest import ROOT
from tests.web.conftest import CALM_ANSWERS, Patient, soup

BANK = default_bank()
CLINICS = {
    "clinics": [
        {
            "slug": "north_spine",
            "name": "North Spine Centre",
            "surgeon_team_phone": "0161 555 0100",
            "out_of_hours_phone": "0161 555 0199",
            "region": "uk",
        },
        {
            "slug": "example_spine",
            "name": "Example Spine Clinic",
            "surgeon_team_phone": "555-0100",
            "out_of_hours_phone": "555-0199",
            "region": "us",
        },
    ]
}
SECRET = "clinician-tests-secret-key-0123456789abcdef"


@pytest.fixture(scope="module")
def clinic_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    path = tmp_path_factory.mktemp("clinics") / "clinics.yaml"
    path.write_text(yaml.safe_dump(CLINICS), encoding="utf-8")
    return create_app({"TESTING": True, "SECRET_KEY": SECRET, "FBSS_CLINICS": str(path)})


@pytest.fixture
def visitor(clinic_app: Flask) -> Patient:
    return Patient(clinic_app.test_client())


def walk_from_clinic(patient: Patient, slug: str, answers: dict[str, Any]) -> None:
    assert patient.get(f"/c/{slug}").status_code == 200
    patient.walk(answers)


def test_the_shipped_clinics_file_is_valid() -> None:
    assert "example_spine" in load_clinics(ROOT / "clinics.yaml")


def test_a_clinic_link_changes_the_numbers_shown(visitor: Patient) -> None:
    start = soup(visitor.get("/c/north_spine")).get_text(" ")
    assert "North Spine Centre" in start and "999" in start
    visitor.walk({**CALM_ANSWERS, "wound_problem": "yes"})
    result = " ".join(soup(visitor.get("/result")).get_text(" ").split())  # the number is now a link
    assert "Call your surgeon's team at North Spine Centre on 0161 555 0100 today" in result
    assert "0161 555 0199" in result and "999" in result and "Samaritans" in result
    assert "911" not in result


def test_without_a_clinic_the_default_region_and_no_clinic_are_shown(visitor: Patient) -> None:
    visitor.walk({**CALM_ANSWERS, "wound_problem": "yes"})
    result = soup(visitor.get("/result")).get_text(" ")
    assert "Call your surgeon's team today" in result and "911" in result and "North Spine" not in result


def test_an_unknown_clinic_is_a_clear_404_that_still_lets_the_patient_start(visitor: Patient) -> None:
    response = visitor.get("/c/nowhere_clinic")
    assert response.status_code == 404
    page = soup(response)
    assert "We do not know that clinic link" in page.get_text()
    started = visitor.post("/start", {})
    assert started.headers["Location"] == "/questions/your_spine"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"slug": "Bad Slug"}, "clinics[0].slug: malformed slug", id="slug"),
        pytest.param({"region": "mars"}, "clinics[0].region: unknown region 'mars'", id="region"),
        pytest.param({"surgeon_team_phone": "call us"}, "clinics[0].surgeon_team_phone: expected a phone", id="phone"),
        pytest.param({"name": ""}, "clinics[0].name: missing text", id="name"),
        pytest.param({"language": "xx"}, "clinics[0].language: unsupported language 'xx'", id="language"),
    ],
)
def test_a_broken_clinics_file_fails_with_the_place(change: dict[str, Any], message: str) -> None:
    raw = {"clinics": [{**CLINICS["clinics"][0], **change}, CLINICS["clinics"][0]]}
    with pytest.raises(ClinicsError) as caught:
        parse_clinics(raw)
    assert any(message in problem for problem in caught.value.problems), caught.value.problems


def test_a_duplicate_slug_is_refused_and_stops_the_app(tmp_path: Any) -> None:
    path = tmp_path / "clinics.yaml"
    path.write_text(yaml.safe_dump({"clinics": [CLINICS["clinics"][0]] * 2}), encoding="utf-8")
    with pytest.raises(ClinicsError, match="duplicate slug 'north_spine'"):
        create_app({"TESTING": True, "SECRET_KEY": SECRET, "FBSS_CLINICS": str(path)})


def test_the_clinicians_page_is_generated_from_the_bank(visitor: Patient) -> None:
    page = soup(visitor.get("/clinicians"))
    text = page.get_text(" ")
    for rule in BANK.rules:
        if rule.urgency is not None:
            row = page.select_one(f"[data-rule={rule.id}]")
            assert row is not None and row.find_parent(attrs={"data-tier": rule.urgency.value}) is not None
    assert "bladder_control_change is yes" in text
    assert "(pain_persisting is yes and time_since_surgery is one of months_3_6" in text  # order as in the bank
    assert BANK.version in text and BANK.review_date.isoformat() in text
    assert "Krebs EE" in text and "Christelis N" in text
    assert len(page.select("[data-clinic] svg.qr-code[role=img][aria-label]")) == 2


def decode_svg_qr(svg: Any) -> str:
    """Decode a QR code from segno's SVG by redrawing its path as pixels and reading it with zxing-cpp."""
    assert svg is not None and svg.get("aria-label"), "a QR code needs its text alternative"
    text = str(svg)
    path = re.search(r'class="qrline"[^>]*\sd="([^"]+)"', text)
    size = int(re.search(r'viewbox="0 0 (\d+) ', text, re.IGNORECASE).group(1))  # type: ignore[union-attr]
    scale = int(re.search(r"scale\((\d+)\)", text).group(1))  # type: ignore[union-attr]
    assert path is not None
    modules = size // scale
    image = Image.new("L", (modules * 8, modules * 8), 255)
    x = y = 0.0
    for command, number, *rest in re.findall(r"([Mmhv])(-?[\d.]+)(?:\s(-?[\d.]+))?", path.group(1)):
        value = float(number)
        if command == "M":
            x, y = value, float(rest[0])
        elif command == "m":
            x, y = x + value, y + float(rest[0])
        elif command == "h":
            for col in range(int(min(x, x + value)), int(max(x, x + value))):
                for px in range(8):
                    for py in range(8):
                        image.putpixel((col * 8 + px, int(y - 0.5) * 8 + py), 0)
            x += value
    return read_qr(image)


def read_qr(image: Image.Image) -> str:
    decoded = zxingcpp.read_barcodes(image)
    assert decoded, "the QR code did not decode"
    return str(decoded[0].text)


def decode_qr(img: Any) -> str:
    """Decode a QR code from its <img>: the inline PNG, enlarged with square pixels, read with zxing-cpp."""
    assert img is not None and img.get("alt"), "a QR code needs its text alternative"
    header, data = str(img["src"]).split(",", 1)
    assert header == "data:image/png;base64"
    image = Image.open(io.BytesIO(base64.b64decode(data))).convert("L")
    return read_qr(image.resize((image.width * 8, image.height * 8), Image.Resampling.NEAREST))


def test_clinic_qr_codes_decode_to_their_links(visitor: Patient) -> None:
    page = soup(visitor.get("/clinicians"))
    for item in page.select("[data-clinic]"):
        link = item.select_one("a")
        assert link is not None
        assert decode_svg_qr(item.select_one("svg")) == link["href"]
        assert str(link["href"]).endswith(f"/c/{item['data-clinic']}")


def test_the_poster_is_a_printable_page_with_the_qr_code(visitor: Patient) -> None:
    page = soup(visitor.get("/clinicians/poster/north_spine"))
    assert "North Spine Centre" in page.get_text() and "999" in page.get_text()
    assert decode_svg_qr(page.select_one(".poster-qr svg")) == "http://localhost/c/north_spine"
    assert visitor.get("/clinicians/poster/nowhere").status_code == 404


def shared_code(visitor: Patient, answers: dict[str, Any], slug: str | None = None) -> tuple[str, str]:
    if slug:
        visitor.get(f"/c/{slug}")
    visitor.walk(answers)
    share = soup(visitor.get("/share"))
    assert "Anyone who has this link or code can read your answers" in share.get_text()
    url = str(share.select_one(".share-url a")["href"])
    assert decode_qr(share.select_one(".qr img")) == url
    return url, url.rsplit("/r/", 1)[1]


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({}, id="routine"),
        pytest.param({"fever": "unsure", "phq4_interest": "3"}, id="urgent-and-mood"),
        pytest.param({"bladder_control_change": "yes", "pain_trend": "worse"}, id="emergency"),
    ],
)
def test_a_round_trip_from_answers_to_code_to_clinician_view_keeps_tier_and_flags(
    visitor: Patient, changes: dict[str, Any]
) -> None:
    answers = {**CALM_ANSWERS, **changes}
    visitor.walk(answers)
    result = soup(visitor.get("/result"))
    tier = result.select_one("[data-urgency]")["data-urgency"]
    flags = [f["data-flag"] for f in result.select("[data-flag]")]
    _, code = shared_code(visitor, answers)
    view = visitor.client.get(f"/r/{code}")
    assert view.status_code == 200
    page = soup(view)
    assert [e["data-urgency"] for e in page.select("[data-urgency]")] == [tier]
    assert [f["data-flag"] for f in page.select("[data-flag]")] == flags
    assert len(page.select(".answer-row")) == 41
    assert format_date(date.today(), "long", locale="en") in page.get_text()
    assert page.find("meta", attrs={"name": "robots", "content": "noindex"}) is not None


def test_the_clinician_view_names_the_clinic_of_the_link(visitor: Patient) -> None:
    _, code = shared_code(visitor, {**CALM_ANSWERS, "fever": "yes"}, slug="north_spine")
    text = soup(visitor.client.get(f"/r/{code}")).get_text(" ")
    assert "through the link of North Spine Centre" in text and "0161 555 0100" in text


def test_every_single_character_change_or_cut_of_a_code_is_rejected_cleanly(visitor: Patient) -> None:
    _, code = shared_code(visitor, {**CALM_ANSWERS, "fever": "yes"})
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."
    for index, character in enumerate(code):
        replacement = alphabet[(alphabet.index(character) + 1) % len(alphabet)]
        with pytest.raises(InvalidCode):
            read_code(SECRET, BANK, code[:index] + replacement + code[index + 1 :])
    for cut in range(len(code)):
        with pytest.raises(InvalidCode):
            read_code(SECRET, BANK, code[:cut])
    for bad in (code[:10] + "x" + code[11:], code[:-1], code[:40], "garbage", "", "....", "%ff"):
        response = visitor.client.get(f"/r/{bad}") if bad else visitor.client.get("/r/")
        assert response.status_code in (400, 404)
        assert soup(response).find("h1") is not None


def test_an_altered_code_shows_a_clear_400_page(visitor: Patient) -> None:
    _, code = shared_code(visitor, CALM_ANSWERS)
    response = visitor.client.get(f"/r/{code[:-2]}xx")
    assert response.status_code == 400
    assert "This share code does not work" in response.get_data(as_text=True)


def test_a_code_from_an_older_bank_version_still_opens_with_a_note() -> None:
    answers = coerce_all(BANK.questions, {"fever": True, "bladder_control_change": False}, "json")
    from dataclasses import replace

    old_bank = replace(BANK, version="0.9.0")
    code = make_code(SECRET, old_bank, answers, None, date(2026, 1, 5))
    app = create_app({"TESTING": True, "SECRET_KEY": SECRET})
    page = soup(app.test_client().get(f"/r/{code}"))
    note = page.select_one("[data-version-note]")
    assert note is not None and "0.9.0" in note.get_text() and BANK.version in note.get_text()
    assert page.select_one("[data-urgency]")["data-urgency"] == "urgent"
    assert "January 5, 2026" in page.get_text()


def test_a_code_made_with_another_secret_is_rejected() -> None:
    answers = coerce_all(BANK.questions, {"fever": True}, "json")
    code = make_code("another-secret-key-0123456789abcdefghij", BANK, answers, None, date.today())
    with pytest.raises(InvalidCode):
        read_code(SECRET, BANK, code)


def test_the_fhir_questionnaire_validates_and_mirrors_the_bank(client: FlaskClient) -> None:
    response = client.get("/fhir/Questionnaire")
    assert response.mimetype == "application/fhir+json"
    data = response.json
    resource = Questionnaire.model_validate(data)
    link_ids = [item.linkId for group in resource.item or [] for item in group.item or []]
    assert link_ids == list(BANK.questions)
    items = {item["linkId"]: item for group in data["item"] for item in group["item"]}
    assert [o["valueCoding"]["code"] for o in items["surgery_type"]["answerOption"]] == list(
        BANK.questions["surgery_type"].codes
    )
    assert items["treatments_tried"]["repeats"] is True
    # Asked when the patient has pain or has not said (the pain gate): FHIR's "any" of the two.
    assert items["pain_trend"]["enableBehavior"] == "any"
    assert items["pain_trend"]["enableWhen"] == [
        {"question": "pain_persisting", "operator": "exists", "answerBoolean": False},
        {
            "question": "pain_persisting",
            "operator": "=",
            "answerCoding": {"system": "urn:fbss-check:answer", "code": "yes"},
        },
    ]
    assert items["hardware_concern"]["enableBehavior"] == "all"
    assert {w["operator"] for w in items["hardware_concern"]["enableWhen"]} == {"!="}
    assert "enableWhen" in items["peg_pain"]  # from the section's show_if
    assert "enableWhen" not in items["bladder_control_change"]


def test_the_fhir_questionnaire_response_validates_from_the_summary_and_the_clinician_view(visitor: Patient) -> None:
    _, code = shared_code(visitor, {**CALM_ANSWERS, "fever": "unsure"})
    summary = soup(visitor.get("/summary"))
    link = summary.find("a", attrs={"rel": "alternate", "type": "application/fhir+json"})
    assert link is not None
    mine = visitor.client.get(str(link["href"]))
    assert mine.mimetype == "application/fhir+json" and "attachment" in mine.headers["Content-Disposition"]
    shared = visitor.client.get(f"/r/{code}/fhir")
    for response in (mine, shared):
        resource = QuestionnaireResponse.model_validate(response.json)
        assert resource.status == "completed"
        answered = {item.linkId: item for group in resource.item or [] for item in group.item or []}
        assert answered["fever"].answer[0].valueCoding.code == "unsure"
        assert answered["time_since_surgery"].answer[0].valueCoding.code == "weeks_6_12"
        assert {a.valueCoding.code for a in answered["surgery_region"].answer} == {"low_back"}
    assert json.loads(mine.data)["item"] == json.loads(shared.data)["item"]
    view = soup(visitor.client.get(f"/r/{code}"))
    assert view.find("a", attrs={"rel": "alternate", "type": "application/fhir+json"}) is not None


def test_the_summary_carries_the_share_qr_code_and_link(visitor: Patient) -> None:
    url, _ = shared_code(visitor, CALM_ANSWERS)
    summary = soup(visitor.get("/summary"))
    block = summary.select_one(".share")
    assert block is not None and url in block.get_text() and "Anyone with this code can read" in block.get_text()
    assert decode_qr(block.select_one("img.qr-code")) == url


def test_share_needs_a_finished_questionnaire(visitor: Patient) -> None:
    assert visitor.client.get("/share").headers["Location"] == "/session-expired"
    visitor.start()
    assert visitor.client.get("/share").headers["Location"] == "/questions/your_spine"
