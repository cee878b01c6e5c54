"""Bad input at every route: always a clear answer (2xx, 3xx or a friendly 4xx page), never a 500,
and the answers already given survive."""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from itsdangerous import Signer, URLSafeTimedSerializer
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from fbss_check import default_bank
from fbss_check.model import Kind
from fbss_check.web import context, create_app, present, views
from fbss_check.web.context import questionnaire
from fbss_check.web.handoff import DICTIONARY_1, SALT
from fbss_check.web.security import MAX_SESSION_DEPTH
from tests.strategies import answer_for
from tests.web.conftest import CALM_ANSWERS, Patient, soup

APP = create_app({"TESTING": True, "SECRET_KEY": "robustness-tests-secret-key-0123456789"})
BANK = default_bank()
SECTIONS = [s.id for s in BANK.sections]
ROUTES = [
    "/",
    "/start",
    "/questions/emergency_signs",
    "/warning",
    "/check",
    "/result",
    "/summary",
    "/delete",
    "/session-expired",
    "/healthz",
    "/language/es",
]
FIELD_NAMES = st.one_of(st.sampled_from(list(BANK.questions)), st.text(max_size=20))
VALUES = st.one_of(
    st.sampled_from(["yes", "no", "unsure", "", "0", "3", "10", "-1", "99999", "1e9", "fusion", "worse", "NaN"]),
    st.text(max_size=50),
)


def assert_friendly(response: TestResponse) -> None:
    """A 2xx or 3xx, or a 4xx page in the house style; never a 500 or a bare error."""
    assert response.status_code < 500, response.status_code
    if response.status_code >= 400:
        page = soup(response)
        assert page.find("main") is not None and page.find("h1") is not None, response.get_data(as_text=True)[:200]


def patient_on_page_two() -> Patient:
    patient = Patient(APP.test_client())
    patient.start()
    patient.answer_page("/questions/your_spine", CALM_ANSWERS)
    patient.answer_page("/questions/emergency_signs", {**CALM_ANSWERS, "saddle_numbness": "yes"})
    return patient


def answers_survive(patient: Patient) -> None:
    page = soup(patient.get("/questions/emergency_signs"))
    assert page.select_one("input[name=saddle_numbness][value=yes]").has_attr("checked")
    assert page.select_one("input[name=bladder_control_change][value=no]").has_attr("checked")


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=60)
@given(section=st.sampled_from(SECTIONS), form=st.lists(st.tuples(FIELD_NAMES, VALUES), max_size=40))
def test_random_form_posts_never_break_anything(section: str, form: list[tuple[str, str]]) -> None:
    patient = patient_on_page_two()
    data = MultiDict([*form, ("csrf_token", patient.token)])
    response = patient.client.post(f"/questions/{section}", data=data)
    assert_friendly(response)
    answers_survive(patient)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"new_leg_weakness": ["yes", "no", "unsure"]}, id="repeated-field"),
        pytest.param({"fever": "yes", "surgery_type": "fusion", "unknown_field": "x" * 1000}, id="unknown-fields"),
        pytest.param({"fever": "☃" * 50, "wound_problem": "\x00"}, id="odd-characters"),
        pytest.param({"pain_persisting": "YES"}, id="wrong-case"),
        pytest.param({"devices_medicines": ["none", "blood_thinner"]}, id="none-with-another"),
    ],
)
def test_odd_forms_are_answered_with_errors_or_accepted(data: dict[str, Any]) -> None:
    patient = patient_on_page_two()
    response = patient.post("/questions/your_surgery", data)
    assert_friendly(response)
    answers_survive(patient)


def test_non_utf8_bytes_in_a_form_body_are_harmless() -> None:
    patient = patient_on_page_two()
    body = b"csrf_token=" + patient.token.encode() + b"&fever=\xff\xfe&calf_swelling=%ff%fe"
    response = patient.client.post(
        "/questions/your_surgery", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert_friendly(response)
    answers_survive(patient)


def test_a_huge_body_is_refused_kindly_and_nothing_is_lost() -> None:
    patient = patient_on_page_two()
    response = patient.client.post(
        "/questions/your_surgery", data={"csrf_token": patient.token, "fever": "x" * 200_000}
    )
    assert response.status_code == 413
    assert_friendly(response)
    answers_survive(patient)


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("route", ROUTES)
def test_wrong_methods_get_a_friendly_405(method: str, route: str) -> None:
    response = APP.test_client().open(route, method=method)
    assert response.status_code == 405
    assert_friendly(response)


@pytest.mark.parametrize(
    "cookie",
    [
        pytest.param("garbage", id="garbage"),
        pytest.param("", id="empty"),
        pytest.param("eyJzdGFydGVkIjp0cnVlfQ.AAAA.BBBB", id="forged"),
        pytest.param("\u2603" * 10, id="not-ascii"),
    ],
)
@pytest.mark.parametrize("route", ["/questions/emergency_signs", "/check", "/result", "/summary", "/warning"])
def test_tampered_cookies_are_an_expired_session(cookie: str, route: str) -> None:
    client = APP.test_client()
    client.set_cookie("session", cookie)
    response = client.get(route)
    assert response.status_code == 302 and response.headers["Location"] == "/session-expired"


def test_a_truncated_cookie_is_an_expired_session() -> None:
    patient = patient_on_page_two()
    cookie = patient.client.get_cookie("session")
    assert cookie is not None
    for cut in (1, 5, len(cookie.value) // 2):
        patient.client.set_cookie("session", cookie.value[:-cut])
        assert patient.client.get("/check").headers["Location"] == "/session-expired"


@pytest.mark.parametrize(
    "path",
    [
        "/questions/",
        "/questions/%00",
        "/questions/../check",
        "/questions/emergency_signs/extra",
        "/%ff%fe",
        "/" + "a" * 3000,
        "/questions/" + "x" * 500,
        "/warning?next=https://evil.example",
        "/warning?next=%00",
        "/c/unknown-clinic",
        "/language/xx",
        "/language/es?next=//evil.example",
        "/language/es?next=%ff%fe",
        "/r/garbage",
        "/static/style.css",
        "/.env",
        "/admin",
    ],
)
def test_odd_paths_get_a_clear_answer(path: str) -> None:
    patient = patient_on_page_two()
    response = patient.client.get(path)
    assert_friendly(response)
    if response.status_code in (301, 302, 303, 307, 308):
        assert response.headers["Location"].startswith("/"), "never a redirect to another site"
    answers_survive(patient)


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=40)
@given(target=st.text(max_size=80))
def test_the_warning_page_never_redirects_off_site(target: str) -> None:
    patient = patient_on_page_two()
    response = patient.client.get("/warning", query_string={"next": target})
    assert response.status_code == 200
    link = soup(response).find("a", string="Continue to the questions")
    assert link is not None and str(link["href"]).startswith("/")


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=60)
@given(target=st.one_of(st.text(max_size=40), st.text(max_size=30).map(lambda t: "/" + t)))
def test_the_language_link_never_redirects_off_site_and_keeps_the_answers(target: str) -> None:
    patient = patient_on_page_two()
    response = patient.client.get("/language/es", query_string={"next": target})
    assert response.status_code == 302
    location = response.headers["Location"]
    # As a browser reads it: tabs and newlines dropped, a backslash taken for a slash.
    seen = urlsplit(urljoin("http://localhost/", location.replace("\\", "/").replace("\t", "").replace("\n", "")))
    assert seen.netloc == "localhost", location
    answers_survive(patient)


# --- Signed but malicious: made with the app's own key, as an insider or a leaked key could. ---

SIGNED_ROUTES = [
    *("/", "/questions/your_spine", "/questions/mood_sleep", "/warning", "/check", "/result", "/summary"),
    *("/share", "/clinicians", "/fhir/QuestionnaireResponse", "/session-expired", "/language/es?next=/"),
]


class Nested:
    """JSON nested `depth` levels deep, written out as text (json.dumps itself would overflow)."""

    def __init__(self, depth: int, as_list: bool = False) -> None:
        self.depth, self.as_list = depth, as_list

    def json(self) -> str:
        return (
            ("[" * self.depth + "1" + "]" * self.depth)
            if self.as_list
            else ('{"a":' * self.depth + "1" + "}" * self.depth)
        )


def nested(depth: int, as_list: bool = False) -> Nested:
    return Nested(depth, as_list)


def to_json(value: Any) -> str:
    """JSON text of a value that may hold Nested parts."""
    if isinstance(value, Nested):
        return value.json()
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{to_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(to_json(v) for v in value) + "]"
    return json.dumps(value)


class RawJSON:
    """A serializer for itsdangerous that signs JSON text as it is."""

    @staticmethod
    def dumps(text: str) -> str:
        return text

    @staticmethod
    def loads(text: str) -> Any:
        return json.loads(text)


def signed_cookie(value: Any) -> str:
    """A session cookie signed exactly as Flask signs one, around any JSON."""
    interface = APP.session_interface
    serializer = URLSafeTimedSerializer(
        APP.secret_key,  # type: ignore[arg-type]
        salt=interface.salt,  # type: ignore[attr-defined]
        serializer=RawJSON,
        signer_kwargs={"key_derivation": interface.key_derivation, "digest_method": interface.digest_method},  # type: ignore[attr-defined]
    )
    signed = serializer.dumps(to_json(value))
    cookie = signed.decode() if isinstance(signed, bytes) else signed
    serializer.make_signer(interface.salt).unsign(cookie)  # type: ignore[attr-defined]  # signed with the app's key: a real cookie
    return cookie


def every_route_is_friendly(cookie: str) -> None:
    client = APP.test_client()
    client.set_cookie("session", cookie)
    for route in SIGNED_ROUTES:
        assert_friendly(client.get(route))
    token = soup(client.get("/")).find("input", attrs={"name": "csrf_token"})
    data = {"csrf_token": str(token["value"]) if token else "", "surgery_region": "neck"}
    assert_friendly(client.post("/questions/your_spine", data=data))
    assert_friendly(client.post("/start", data=data))


@pytest.mark.parametrize(
    "content",
    [
        pytest.param([1, 2, 3], id="a-list"),
        pytest.param([["started", True]], id="a-list-of-pairs"),
        pytest.param("started", id="a-string"),
        pytest.param(42, id="a-number"),
        pytest.param(None, id="null"),
        pytest.param(nested(950), id="a-dict-950-deep"),
        pytest.param(nested(400), id="a-dict-400-deep"),
        pytest.param({"started": True, "answers": nested(300)}, id="answers-300-deep"),
        pytest.param({"started": True, "done": nested(300, as_list=True)}, id="done-300-deep"),
        pytest.param({"csrf_token": 12345}, id="csrf-token-a-number"),
        pytest.param({"csrf_token": ["a"]}, id="csrf-token-a-list"),
        pytest.param({"csrf_token": {"a": 1}, "started": True}, id="csrf-token-a-dict"),
        pytest.param({"started": True, "answers": [1, 2]}, id="answers-a-list"),
        pytest.param(
            {"started": True, "answers": {"fever": ["yes"], "surgery_region": "neck"}}, id="answers-wrong-types"
        ),
        pytest.param(
            {"started": True, "answers": {"treatments_tried": ["medication", "medication"]}}, id="answers-repeated"
        ),
        pytest.param({"started": True, "done": {"a": 1}, "warned": "x"}, id="done-a-dict"),
        pytest.param({"started": True, "clinic": ["example_spine"], "language": 7}, id="clinic-and-language-not-text"),
        pytest.param({"started": True, "language": "xx"}, id="unknown-language"),
        pytest.param({"started": "yes", "answers": {"operations_count": 10**100}}, id="huge-number"),
    ],
)
def test_a_signed_cookie_with_odd_content_is_never_a_500(content: Any) -> None:
    every_route_is_friendly(signed_cookie(content))


JSON_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=12))
JSON_VALUES = st.recursive(
    JSON_LEAVES, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
)
SESSION_KEYS = st.sampled_from(["started", "answers", "done", "warned", "csrf_token", "clinic", "language", "x"])


def test_a_signed_session_nested_deeper_than_the_apps_own_is_no_session() -> None:
    """The app's own session nests 3 deep: one with a value past MAX_SESSION_DEPTH (6 levels
    below the session itself) is not opened at all; one level less still opens."""
    client = APP.test_client()
    opened = {"started": True, "done": []}
    client.set_cookie("session", signed_cookie({**opened, "extra": nested(MAX_SESSION_DEPTH - 1, as_list=True)}))
    assert client.get("/questions/your_spine").status_code == 200
    client.set_cookie("session", signed_cookie({**opened, "extra": nested(MAX_SESSION_DEPTH, as_list=True)}))
    assert client.get("/questions/your_spine").headers["Location"] == "/session-expired"


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=40, deadline=None)
@given(content=st.dictionaries(SESSION_KEYS, JSON_VALUES, max_size=6))
def test_any_signed_session_content_is_never_a_500(content: dict[str, Any]) -> None:
    every_route_is_friendly(signed_cookie(content))


def signed_code(payload: Any, raw: bytes | None = None) -> str:
    """A share code made exactly as the app makes one, around any payload."""
    text = raw if raw is not None else to_json(payload).encode()
    packer = zlib.compressobj(level=9, zdict=DICTIONARY_1)
    packed = base64.urlsafe_b64encode(packer.compress(text) + packer.flush()).rstrip(b"=")
    return Signer(APP.secret_key, salt=SALT).sign(packed).decode()


def every_code_route_is_friendly(code: str) -> None:
    client = APP.test_client()
    for route in (f"/r/{code}", f"/r/{code}/fhir", f"/language/en?next=/r/{code}"):
        assert_friendly(client.get(route))


A_CODE = {"f": 1, "v": "2.0.0", "d": "2026-11-25", "c": None, "a": {"fever": True}}


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(nested(1200, as_list=True), id="a-list-1200-deep"),
        pytest.param(nested(1200), id="a-dict-1200-deep"),
        pytest.param({**A_CODE, "a": nested(900)}, id="answers-900-deep"),
        pytest.param({**A_CODE, "a": {"fever": nested(500, as_list=True)}}, id="an-answer-500-deep"),
        pytest.param([A_CODE], id="a-list"),
        pytest.param("text", id="a-string"),
        pytest.param({**A_CODE, "a": [1]}, id="answers-a-list"),
        pytest.param({**A_CODE, "d": ["2026-11-25"]}, id="date-a-list"),
        pytest.param({**A_CODE, "d": "9999-99-99"}, id="date-impossible"),
        pytest.param({**A_CODE, "c": {"slug": 1}, "l": ["es"], "v": None}, id="clinic-language-version-odd"),
        pytest.param({**A_CODE, "l": "xx"}, id="unknown-language"),
        pytest.param({**A_CODE, "a": {"weeks_since_surgery": "many", "cancer_history": 3}}, id="legacy-odd-values"),
        pytest.param({**A_CODE, "a": {"weeks_since_surgery": 10**400}}, id="legacy-huge-number"),
        pytest.param({**A_CODE, "a": {"treatments_tried": ["medication", "medication"]}}, id="repeated-choice"),
        pytest.param({**A_CODE, "a": {"operations_count": 1e308, "peg_pain": -1}}, id="numbers-out-of-range"),
        pytest.param({**A_CODE, "a": {"fever": {"yes": True}, "x" * 200: 1}}, id="unknown-and-odd"),
    ],
)
def test_a_signed_share_code_with_odd_content_is_a_clear_answer(payload: Any) -> None:
    every_code_route_is_friendly(signed_code(payload))


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"\xff\xfe", id="not-utf8"),
        pytest.param(b"{" * 5000, id="unclosed"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, id="100000-deep"),
        pytest.param(b"1" * 70_000, id="longer-than-the-limit"),
        pytest.param(b"", id="empty"),
    ],
)
def test_a_signed_share_code_that_is_not_json_is_a_clear_answer(raw: bytes) -> None:
    every_code_route_is_friendly(signed_code(None, raw))


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=60, deadline=None)
@given(answers=st.dictionaries(st.one_of(st.sampled_from(list(BANK.questions)), st.text(max_size=8)), JSON_VALUES))
def test_any_signed_share_code_answers_are_a_clear_answer(answers: dict[str, Any]) -> None:
    every_code_route_is_friendly(signed_code({**A_CODE, "a": answers}))


@pytest.mark.parametrize(
    ("field", "values"),
    [("treatments_tried", ["medication", "medication"]), ("surgery_region", ["neck", "neck", "low_back"])],
)
def test_a_box_sent_twice_counts_once(field: str, values: list[str]) -> None:
    patient = Patient(APP.test_client())
    patient.walk(CALM_ANSWERS)
    page = f"/questions/{BANK.questions[field].section}"
    shown = patient.shown_fields(patient.get(page))
    data = MultiDict([(q, v) for q in shown if q != field for v in _as_list(CALM_ANSWERS[q])])
    data.setlist(field, values)
    data.add("csrf_token", patient.token)
    response = patient.client.post(page, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    checked = soup(patient.get(page)).select(f"input[name={field}][checked]")
    assert sorted(str(box["value"]) for box in checked) == sorted(set(values))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_a_form_with_too_many_fields_is_refused_kindly_and_nothing_is_lost() -> None:
    patient = patient_on_page_two()
    body = "&".join(["csrf_token=" + patient.token, *[f"f{n}=1" for n in range(300)]])
    response = patient.client.post(
        "/questions/your_surgery", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert_friendly(response)
    answers_survive(patient)


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=80, deadline=None)
@given(data=st.data(), language=st.sampled_from(BANK.languages))
def test_a_question_page_get_shows_a_stored_answer_as_wtforms_would(data: st.DataObject, language: str) -> None:
    """A GET renders stored answers without building the page's WTForms form: the values shown as
    chosen are the ones the form would show for the same stored answer."""
    question = data.draw(st.sampled_from(list(BANK.questions.values())))
    answer = data.draw(answer_for(question))
    with APP.test_request_context("/"):
        section = next(s for s in BANK.sections if question in BANK.section_questions(s.id))
        form = questionnaire().forms[language][section.id](data={question.id: views._form_value(answer)})
        assert views._stored(answer) == views._selected(form[question.id])


def test_each_answer_input_is_made_once_a_language_from_the_bank_chosen_or_not() -> None:
    """The inputs a question page shows are rendered once (present.OptionInputs): both ways, in
    the bank's order, from the bank's text in that language; the chosen one differs only by `checked`."""
    with APP.test_request_context("/"):
        built = questionnaire()
        for language, bank in built.banks.items():
            for question in bank.questions.values():
                if question.kind is Kind.WHOLE_NUMBER:
                    continue
                made = built.inputs(question, language)
                options = present.options(question)
                assert [made_input.value for made_input in made] == [option.value for option in options]
                for made_input, option in zip(made, options, strict=True):
                    assert (
                        BeautifulSoup(made_input.plain, "html.parser")
                        .label.get_text(strip=True)
                        .startswith(option.label)
                    )
                    assert " checked" not in made_input.plain
                    assert made_input.checked.replace(" checked", "", 1) == made_input.plain
                assert built.inputs(question, language) is made  # kept, not made again


CHOICE_QUESTIONS = [q for q in BANK.questions.values() if q.kind is not Kind.WHOLE_NUMBER]
APP_BANKS = {language: BANK.in_language(language) for language in BANK.languages}


@settings(max_examples=150, deadline=None)
@given(data=st.data(), language=st.sampled_from(BANK.languages), error=st.none() | st.text(max_size=12))
def test_a_question_field_is_the_field_macro_s_whether_kept_or_rendered(
    data: st.DataObject, language: str, error: str | None
) -> None:
    """A question page's field (context.question_field): with no error, a choice or scale
    question's kept top, inputs and end (present.OptionInputs.field) are byte for byte what the
    `field` macro renders for the same answers, in every language; with an error, or a number
    question, it is the macro's own."""
    question = APP_BANKS[language].questions[data.draw(st.sampled_from(list(BANK.questions)))]
    values = [option.value for option in present.options(question)] if question.kind is not Kind.WHOLE_NUMBER else ["3"]
    selected = data.draw(st.sets(st.sampled_from(values) | st.text(max_size=4), max_size=4))
    with APP.test_request_context("/", headers={"Accept-Language": language}):
        shown = context.question_field(question, error, selected)
        rendered = APP.jinja_env.macro(language, "field")(question, error, selected)  # type: ignore[attr-defined]
    assert shown == rendered


@settings(max_examples=120, deadline=None)
@given(data=st.data(), language=st.sampled_from(BANK.languages))
def test_a_question_shows_checked_exactly_the_answers_chosen_and_every_other_input_plain(
    data: st.DataObject, language: str
) -> None:
    """The field macro's inputs (context.option_inputs): every answer of the question once, in the
    bank's order, in the page's language, checked where chosen; a value that is no answer checks nothing."""
    question = data.draw(st.sampled_from(CHOICE_QUESTIONS))
    values = [option.value for option in present.options(question)]
    selected = data.draw(st.sets(st.sampled_from(values) | st.text(max_size=4)))
    with APP.test_request_context("/", headers={"Accept-Language": language}):
        html = context.option_inputs(question, selected)
        made = questionnaire().inputs(question, language)
    inputs = BeautifulSoup(html, "html.parser").find_all("input")
    assert [element["value"] for element in inputs] == values
    assert {element["value"] for element in inputs if element.has_attr("checked")} == selected & set(values)
    assert html == "".join(
        made_input.checked if made_input.value in selected else made_input.plain for made_input in made
    )
