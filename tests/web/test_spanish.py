"""The whole tool in Spanish: choosing the language, every tier's walk, the summary, sharing and FHIR."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import flask_babel
import pytest
from babel.messages.pofile import read_po
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from flask import Flask, session
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from fbss_check import default_bank
from fbss_check.web import catalog, create_app
from fbss_check.web.context import current_language
from fbss_check.web.language import TRANSLATIONS, CatalogError, check_catalogs
from tests.conftest import ROOT
from tests.web.conftest import CALM_ANSWERS, Patient, soup
from tests.web.test_flow import TIER_WALKS, urgency_of

SPANISH = default_bank().in_language("es")
ENGLISH = default_bank().in_language("en")
CATALOG = TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.po"


def html_lang(response: Any) -> str:
    return str(soup(response).html["lang"])


def test_the_browser_language_chooses_spanish_and_html_lang_follows(client: FlaskClient) -> None:
    spanish = client.get("/", headers={"Accept-Language": "es-US,es;q=0.9,en;q=0.5"})
    assert html_lang(spanish) == "es"
    assert SPANISH.title in soup(spanish).title.get_text()
    assert "Empezar ahora" in spanish.get_data(as_text=True)
    english = client.get("/", headers={"Accept-Language": "fr-FR,de;q=0.5"})
    assert html_lang(english) == "en"  # neither offered: English


def test_every_page_offers_the_other_language_and_the_choice_is_kept(patient: Patient) -> None:
    chosen = patient.choose_language("es")
    assert chosen.status_code == 302 and chosen.headers["Location"] == "/"
    first = patient.get(patient.start().headers["Location"])
    assert html_lang(first) == "es"
    assert SPANISH.sections[0].title in soup(first).h1.get_text()
    # The choice outranks the browser's language, and the page links back to English.
    again = patient.client.get("/questions/your_spine", headers={"Accept-Language": "en"})
    assert html_lang(again) == "es"
    link = soup(again).select_one(".language-switch a[data-language='en']")
    assert link is not None and link["lang"] == "en" and link.get_text() == "English"
    back = patient.get(str(link["href"]))
    assert back.headers["Location"] == "/questions/your_spine"  # back to the same page
    assert html_lang(patient.get("/questions/your_spine")) == "en"


def test_the_language_link_never_leaves_the_site(client: FlaskClient) -> None:
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example", ""):
        response = client.get("/language/es", query_string={"next": target})
        assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/language/fr").status_code == 302  # an unknown language changes nothing


CLINIC_ES = (
    "clinics:\n  - {slug: clinica_sur, name: Clínica Sur, surgeon_team_phone: '555 0100',"
    " out_of_hours_phone: '555 0199', region: us, language: es}\n"
)


@pytest.fixture(scope="module")
def clinic_es_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    clinics = tmp_path_factory.mktemp("clinics") / "clinics.yaml"
    clinics.write_text(CLINIC_ES, encoding="utf-8")
    return create_app({"TESTING": True, "SECRET_KEY": "x" * 40, "FBSS_CLINICS": str(clinics)})


def test_a_clinic_profile_language_applies_unless_the_patient_chose_one(clinic_es_app: Flask) -> None:
    app = clinic_es_app
    patient = Patient(app.test_client())
    start = patient.get("/c/clinica_sur")
    assert html_lang(start) == "es"
    assert "Clínica Sur" in soup(start).get_text()
    patient.get("/language/en?next=/")
    assert html_lang(patient.get("/")) == "en"
    # The clinic's waiting-room poster speaks the clinic's language to a new reader, with a link to English.
    poster = app.test_client().get("/clinicians/poster/clinica_sur")
    assert html_lang(poster) == "es" and "¿Todavía tiene dolor" in soup(poster).h1.get_text()
    assert soup(poster).select_one(".language-switch a[data-language='en']") is not None


ACCEPT_LANGUAGE = st.lists(
    st.tuples(
        st.sampled_from(["en", "es", "es-MX", "en-GB", "fr", "de-CH", "*"]), st.sampled_from(["", ";q=0.5", ";q=0.9"])
    ),
    max_size=3,
).map(lambda parts: ", ".join(code + weight for code, weight in parts))


@given(
    accept=ACCEPT_LANGUAGE,
    chosen=st.sampled_from([None, "en", "es", "fr", 3]),
    clinic=st.sampled_from([None, "clinica_sur", "nowhere", ["clinica_sur"]]),
    url=st.sampled_from(["/", "/questions/your_spine", "/clinicians/poster/clinica_sur", "/clinicians/poster/nowhere"]),
)
def test_the_requests_language_is_flask_babels_locale(
    clinic_es_app: Flask, accept: str, chosen: object, clinic: object, url: str
) -> None:
    """current_language calls Flask-Babel's selector itself: the same answer as get_locale's, in
    the words Babel names the locale, whatever the patient, the clinic and the browser say."""
    with clinic_es_app.test_request_context(url, headers={"Accept-Language": accept} if accept else {}):
        for key, value in (("language", chosen), ("clinic", clinic)):
            if value is not None:
                session[key] = value
        assert current_language() == str(flask_babel.get_locale())


@pytest.mark.parametrize(("code", "found"), [("iw", "he_IL"), ("zz", "unknown")])
def test_a_language_babel_names_otherwise_stops_the_app(code: str, found: str) -> None:
    with pytest.raises(CatalogError, match=f"{code!r} by that code \\({found}\\)"):
        check_catalogs(("en", code))


@pytest.mark.parametrize(("changes", "tier"), TIER_WALKS)
def test_a_full_walk_in_spanish_gives_the_same_tier_flags_and_guidance_as_in_english(
    app: Flask, changes: dict[str, Any], tier: str
) -> None:
    pages = {}
    for code in ("en", "es"):
        patient = Patient(app.test_client())
        patient.choose_language(code)
        check = patient.walk({**CALM_ANSWERS, **changes})
        assert html_lang(check) == code
        result = patient.get("/result")
        assert urgency_of(result) == tier
        pages[code] = (soup(result), soup(patient.get("/summary")))
    english, spanish = pages["en"], pages["es"]
    for attribute in ("data-flag", "data-topic", "data-score"):
        assert [e[attribute] for e in spanish[0].select(f"[{attribute}]")] == [
            e[attribute] for e in english[0].select(f"[{attribute}]")
        ]
    heading = spanish[0].find(id="urgency-heading").get_text(" ", strip=True)
    if spanish[0].select_one("[data-call-crisis]") is not None:
        # Urgent only because of the suicide screen: the crisis line's heading, not the surgeon's team (H31).
        assert "Hable hoy con alguien sobre cómo se siente" in heading
    else:
        assert SPANISH.tiers[next(u for u in SPANISH.tiers if u.value == tier)].heading in heading
    summary_text = spanish[1].get_text(" ")
    assert "Sus respuestas" in summary_text and "Notas de su equipo médico" in summary_text
    assert ENGLISH.sections[0].title not in summary_text


def test_a_spanish_warning_page_keeps_the_regions_numbers(app: Flask) -> None:
    patient = Patient(app.test_client())
    patient.choose_language("es")
    warning = patient.walk({**CALM_ANSWERS, "bladder_control_change": "yes"}, stop_at_warning=True)
    assert html_lang(warning) == "es" and urgency_of(warning) == "emergency"
    text = " ".join(soup(warning).get_text(" ").split())  # numbers are links
    assert "Llame al 911" in text and "Porque usted dijo" in text
    assert SPANISH.questions["bladder_control_change"].text in text
    # Not finished, but with an emergency sign the result is there at once, marked unfinished.
    response = patient.get("/result")
    assert response.status_code == 200 and urgency_of(response) == "emergency"
    unfinished = soup(response).select_one("[data-unfinished]")
    assert unfinished is not None and "no están terminadas" in unfinished.get_text()


def test_the_spanish_crisis_line_is_still_988(patient: Patient) -> None:
    patient.choose_language("es")
    patient.walk({**CALM_ANSWERS, "phq4_interest": "3", "phq4_down": "3"})
    crisis = soup(patient.get("/result")).select_one(".crisis").get_text(" ")
    assert "988" in crisis and "911" in crisis and "Línea de Prevención del Suicidio" in crisis


def test_errors_are_explained_in_spanish(patient: Patient) -> None:
    patient.choose_language("es")
    patient.start()
    patient.answer_page("/questions/your_spine", CALM_ANSWERS)
    page = patient.post("/questions/emergency_signs", {"bladder_control_change": "maybe"})
    assert page.status_code == 200
    document = soup(page)
    assert document.title.get_text().startswith("Error: ")
    summary = document.select_one(".error-summary")
    assert summary is not None and "Hay un problema" in summary.get_text()
    assert "Elija sí, no o no estoy seguro" in summary.get_text()
    patient.answer_page("/questions/emergency_signs", CALM_ANSWERS)
    number = patient.post("/questions/your_surgery", {**CALM_ANSWERS, "operations_count": "doce"})
    assert "Escriba un número entero usando solo dígitos" in soup(number).select_one(".error-summary").get_text()


def shared_view_url(patient: Patient) -> str:
    share = soup(patient.get("/share"))
    return str(share.select_one(".share-url a")["href"]).replace("http://localhost", "")


def test_the_clinician_view_of_a_spanish_patient_can_be_switched_to_english(app: Flask) -> None:
    patient = Patient(app.test_client())
    patient.choose_language("es")
    patient.walk({**CALM_ANSWERS, "fever": "yes"})
    tier = urgency_of(patient.get("/result"))
    url = shared_view_url(patient)
    clinician = Patient(app.test_client())
    spanish = clinician.client.get(url, headers={"Accept-Language": "es"})
    assert html_lang(spanish) == "es" and urgency_of(spanish) == tier
    link = soup(spanish).select_one(".language-switch a[data-language='en']")
    clinician.get(str(link["href"]))
    english = clinician.get(url)
    assert html_lang(english) == "en" and urgency_of(english) == tier
    text = soup(english).get_text(" ")
    assert ENGLISH.questions["fever"].text in text
    assert "in Spanish" in text  # the clinician learns which language the patient read
    assert "en español" in soup(spanish).get_text(" ")
    assert [f["data-flag"] for f in soup(english).select("[data-flag]")] == [
        f["data-flag"] for f in soup(spanish).select("[data-flag]")
    ]


def test_the_fhir_resources_in_spanish_validate_and_carry_the_spanish_text(patient: Patient) -> None:
    patient.choose_language("es")
    patient.walk(CALM_ANSWERS)
    response = QuestionnaireResponse.model_validate_json(patient.get("/fhir/QuestionnaireResponse").get_data())
    assert response.language == "es"
    first = next(item for group in response.item for item in group.item if item.linkId == "bladder_control_change")
    assert first.text == SPANISH.questions["bladder_control_change"].text
    assert first.answer[0].valueCoding.code == "no"
    questionnaire = Questionnaire.model_validate_json(patient.get("/fhir/Questionnaire").get_data())
    assert questionnaire.language == "es" and questionnaire.title == SPANISH.title


def test_every_interface_string_has_a_checked_spanish_translation(tmp_path: Path) -> None:
    """Extract the catalog afresh: every string in the code and templates is translated, none fuzzy,
    and Babel's checks (the same %(placeholders)s) pass."""
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run(
        [pybabel, "extract", "-F", "babel.cfg", "-k", "_l", "-k", "N_", "--no-location", "-o", pot, "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as extracted, CATALOG.open("rb") as spanish:
        wanted = {m.id for m in read_po(extracted) if m.id}
        catalog = read_po(spanish)
    translated = {m.id: m for m in catalog if m.id}
    assert sorted(wanted - set(translated)) == [], "strings with no Spanish entry: run scripts/update-translations"
    assert [m.id for m in translated.values() if not m.string or m.fuzzy] == []
    assert [(m.id, errors) for m, errors in catalog.check()] == []


def test_an_uncompiled_catalog_stops_the_app_with_a_clear_message(tmp_path: Path) -> None:
    (tmp_path / "es" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "es" / "LC_MESSAGES" / "messages.po").write_text(CATALOG.read_text(encoding="utf-8"))
    with pytest.raises(CatalogError, match="make translations"):
        check_catalogs(("en", "es"), tmp_path)
    with pytest.raises(CatalogError, match="no interface catalog"):
        check_catalogs(("en", "pt"), tmp_path)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_python_codes_gettext_gives_what_flask_babel_gives(app: Flask, language: str) -> None:
    """catalog.gettext reads the request's catalog once; every message comes out as Flask-Babel's
    gettext gives it, formatted the same way."""
    po = TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        ids = [message.id for message in read_po(handle) if message.id and isinstance(message.id, str)]
    with app.test_request_context("/", headers={"Accept-Language": language}):
        for message_id in ids:
            assert catalog.gettext(message_id) == flask_babel.gettext(message_id), message_id
        words = {"clinic": "Clínica <Norte>", "phone": "555 0100"}
        assert catalog.gettext(" at %(clinic)s on %(phone)s", **words) == flask_babel.gettext(
            " at %(clinic)s on %(phone)s", **words
        )
    assert catalog.gettext("Not answered") == "Not answered"  # outside an app, as Flask-Babel
