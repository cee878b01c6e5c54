"""Templates compiled once a language (web/templating.py): the words looked up when a template
compiles are the words the render used to look up, and no page mixes two languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.support import NullTranslations
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import example, given
from hypothesis import strategies as st
from jinja2 import Environment, nodes
from werkzeug.test import TestResponse

from fbss_check import default_bank
from fbss_check.model import Kind
from fbss_check.web import catalog, create_app, templating, warm
from fbss_check.web.context import questionnaire
from fbss_check.web.templating import GETTEXT_NAMES, fold_translations
from tests.conftest import ROOT
from tests.web.conftest import CALM_ANSWERS, Patient, soup

TEMPLATES = sorted((ROOT / "templates").glob("*.html"))


class Words(NullTranslations):
    """A catalog of the given words."""

    def __init__(self, words: dict[str, str]) -> None:
        super().__init__()
        self.words = words

    def ugettext(self, message: str) -> str:
        return self.words.get(message, message)

    gettext = ugettext


def environment(words: Words) -> Environment:
    made = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    made.install_gettext_callables(words.ugettext, words.ngettext, newstyle=True)  # type: ignore[attr-defined]
    return made


def rendered(made: Environment, source: str | nodes.Template, **variables: object) -> str:
    """The output, or the kind of error the render raised."""
    try:
        return made.from_string(source).render(**variables)
    except (KeyError, ValueError, TypeError) as error:
        return f"raised {type(error).__name__}"


def folded(made: Environment, source: str, words: Words) -> nodes.Template:
    return fold_translations(made.parse(source), words)


# Words as catalogs have them: %-variables, a literal %, markup that must stay escaped or not.
FRAGMENTS = ["Step", " ", "of", "%(step)s", "%(name)s", "%%", "%", "<b>", "&", "'", "ñ", "%d", "%s"]
TEXT = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=6).map("".join)
VALUE = st.text(st.sampled_from("ab<>&'\"% 1ñ"), max_size=6)
USES = [
    "{{ _(MESSAGE) }}",
    "{{ _(MESSAGE, step=value, name=other) }}",
    "{{ gettext(MESSAGE, step=value) }}",
    "{% set kept = _(MESSAGE, name=value) %}[{{ kept }}]{{ kept|length }}",
    "{{ (_(MESSAGE) ~ value)|upper }}",
    "{% autoescape false %}{{ _(MESSAGE, step=value, name=value) }}{% endautoescape %}",
    "{% trans %}Step {{ value }} of{% endtrans %}",
    "{% trans step=value %}Step {{ step }} of {{ value }}{% endtrans %}",
    "{{ ngettext('%(num)d of', '%(num)d ofs', count) }}",
    "{{ _(value) }}",  # a variable's words: looked up on every render, as before
    "{% set _ = shout %}{{ _(MESSAGE) }}",  # `_` assigned: compiled as written
]
AUTOESCAPE_OFF, ASSIGNED = USES[5], USES[-1]


@example(use=AUTOESCAPE_OFF, message="Step", translation="Step %(step)s <b>", value="<&>", other="", count=0)
@example(use=USES[1], message="Step", translation="%(name)s %% <b>", value="", other="<'>", count=0)
@example(use=ASSIGNED, message="Step", translation="Paso", value="", other="", count=0)
@given(
    use=st.sampled_from(USES),
    message=TEXT,
    translation=TEXT,
    value=VALUE,
    other=VALUE,
    count=st.integers(0, 3),
)
def test_folded_words_render_as_the_lookup_on_every_render_did(
    use: str, message: str, translation: str, value: str, other: str, count: int
) -> None:
    """Whatever the words and the values: the same output, or the same error, as Jinja's newstyle
    gettext at render time (%-formatting, escaping of values, markup safety, `%%`)."""
    source = use.replace("MESSAGE", '"' + message + '"')
    words = Words({message: translation, "Step %(value)s of": translation, "Step %(step)s of %(value)s": translation})
    made = environment(words)
    variables = {"value": value, "other": other, "count": count, "shout": str.upper}
    assert rendered(made, folded(made, source, words), **variables) == rendered(made, source, **variables)


def calls_left(tree: nodes.Template) -> list[str]:
    """The constant words a template still looks up on every render."""
    return [
        str(call.args[0].value)
        for call in tree.find_all(nodes.Call)
        if isinstance(call.node, nodes.Name)
        and call.node.name in GETTEXT_NAMES
        and call.args
        and isinstance(call.args[0], nodes.Const)
    ]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_every_template_has_its_constant_words_looked_up_when_it_compiles(app: Flask, template: Path) -> None:
    with app.app_context():
        spanish = catalog.for_language("es")
    tree = app.jinja_env.parse(template.read_text(encoding="utf-8"))
    assert calls_left(tree), "a template with no words to translate: drop it from this test"  # the test can fail
    assert calls_left(fold_translations(tree, spanish)) == []


def test_a_language_catalog_is_the_one_a_request_in_that_language_reads(app: Flask) -> None:
    for language in ("en", "es"):
        with app.test_request_context("/", headers={"Accept-Language": language}):
            assert catalog.for_language(language) is catalog.translations()
            assert catalog.for_language("es").ugettext("Skip to main content") == "Saltar al contenido principal"
            assert catalog.translations() is catalog.for_language(language)  # forcing one left the request's


def test_a_template_and_the_templates_it_names_are_kept_under_the_request_language(app: Flask) -> None:
    with app.test_request_context("/", headers={"Accept-Language": "es"}):
        page = app.jinja_env.get_template("result.html")
        assert page.name == "es:result.html"
        assert app.jinja_env.get_template("base.html", page.name).name == "es:base.html"
        assert app.jinja_env.select_template(["nope.html", "check.html"]).name == "es:check.html"
    with app.app_context():  # outside a request: the default language
        assert app.jinja_env.get_template("result.html").name == "en:result.html"


CHROME = {  # words from the page's base, from the page itself and from a shared macro
    "en": ["Skip to main content", "There is a problem", "Error:"],
    "es": ["Saltar al contenido principal", "Hay un problema", "Error:"],
}


def refused_page(patient: Patient) -> TestResponse:
    """The first question page sent with nothing answered: its errors come from the shared macros."""
    url = patient.start().headers["Location"]
    response = patient.post(url, {})
    assert soup(response).select_one("#error-summary-title") is not None
    return response


def test_pages_in_two_languages_from_one_app_never_mix_their_words(client: FlaskClient, app: Flask) -> None:
    english, spanish = Patient(client), Patient(app.test_client())
    spanish.choose_language("es")
    for _ in range(2):  # in turns, so each reads templates the other made it compile
        for patient, language, other in ((english, "en", "es"), (spanish, "es", "en")):
            response = refused_page(patient)
            text = response.get_data(as_text=True)
            assert [words for words in CHROME[language] if words not in text] == [], language
            assert [words for words in CHROME[other] if words not in CHROME[language] and words in text] == []
            assert soup(response).html["lang"] == language


def test_every_page_sees_every_global_of_the_environment_and_its_languages_macros(patient: Patient) -> None:
    """A page's globals are one dict, made when it is first loaded: none may be missing."""
    patient.walk(CALM_ANSWERS)
    for page in ("/check", "/result", "/summary", "/share", "/clinicians", "/topics/about_psps"):
        assert patient.get(page).status_code == 200
    environment = patient.client.application.jinja_env
    assert isinstance(environment, templating.Environment)
    loaded = [template for template in environment.cache.values() if template.name.split(":")[1][0] != "_"]
    assert len(loaded) >= 6
    for template in loaded:
        language = template.name.split(":")[0]
        wanted = {**environment.globals, **environment.macros(language)}
        assert {name: template.globals.get(name) for name in wanted} == wanted, template.name


def test_warming_compiles_every_page_in_every_language_and_changes_no_page() -> None:
    """gunicorn.conf.py warms the app in the master before the workers start (web.warm): every
    template kept in every language and every choice question's field made; the pages a patient
    then sees are the pages a cold app shows; another WSGI app is left alone."""
    cold, warmed = (create_app({"TESTING": True, "SECRET_KEY": "warm-tests-secret-key-0123456789"}) for _ in range(2))
    warm(warmed)
    assert len(warmed.jinja_env.cache) == len(TEMPLATES) * len(default_bank().languages)
    assert {template.name.split(":")[1] for template in warmed.jinja_env.cache.values()} == {t.name for t in TEMPLATES}
    with warmed.app_context():
        made = questionnaire().inputs
        for language, bank in questionnaire().banks.items():
            for question in bank.questions.values():
                if question.kind is not Kind.WHOLE_NUMBER:
                    assert made.choice_field(question, language) is made.choice_field(question, language)
    pages = []
    for app in (cold, warmed):
        patient = Patient(app.test_client())
        patient.walk(CALM_ANSWERS)
        pages.append(
            [
                mask_token(patient.get(page).get_data(as_text=True))
                for page in ("/questions/pain_scores", "/check", "/result")
            ]
        )
    assert pages[0] == pages[1]
    other = Flask("other")
    warm(other)  # a Flask app that is not ours
    warm(lambda environ, start_response: [b"ok"])  # nor a bare WSGI app
    assert other.jinja_env.cache is None or len(other.jinja_env.cache) == 0


def mask_token(page: str) -> str:
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", page)
