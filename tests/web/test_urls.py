"""Links built once an app (context.page_url): the same links as Flask's url_for, and never one
that holds what a patient entered."""

from __future__ import annotations

import re

import pytest
from flask import Flask, request, url_for
from hypothesis import given, settings
from hypothesis import strategies as st

from fbss_check.progress import CHECK
from fbss_check.web import context, create_app
from fbss_check.web.language import switch_links
from tests.conftest import ROOT
from tests.web.conftest import MOST_TOPICS, Patient, soup

ASSET = re.compile(r"\.[0-9a-f]{10}\.")  # a hashed asset name: style.e593b93223.css


@pytest.fixture
def clinic_app() -> Flask:
    return create_app({"TESTING": True, "SECRET_KEY": "k" * 40, "FBSS_CLINICS": str(ROOT / "clinics.yaml")})


def every_static_link(app: Flask) -> list[tuple[str, dict[str, str]]]:
    with app.app_context():
        built = context.questionnaire()
    links: list[tuple[str, dict[str, str]]] = [("questionnaire.start", {}), ("questionnaire.check", {})]
    links += [("questionnaire.ask", {"section_id": section.id}) for section in built.bank.sections]
    links += [("questionnaire.warn", {"next": target}) for target in (CHECK, built.bank.sections[0].id)]
    links += [("questionnaire.topic", {"topic_id": topic}) for topic in built.bank.topics]
    links += [("clinicians.poster", {"slug": slug}) for slug in built.clinics]
    links += [("language.choose", {"code": code}) for code in built.bank.languages]
    return [*links, ("asset", {"filename": "style.css"})]


@pytest.mark.parametrize("script_root", ["", "/self-check"])
def test_a_kept_link_is_the_link_url_for_builds_under_any_script_root(clinic_app: Flask, script_root: str) -> None:
    links = every_static_link(clinic_app)
    assert len(links) > 20
    for _ in range(2):  # built, then kept
        with clinic_app.test_request_context("/", base_url=f"http://localhost{script_root}/"):
            for endpoint, values in links:
                kept = context.page_url(endpoint, **values)
                assert kept == url_for(endpoint, **values) and kept.startswith(f"{script_root}/"), (endpoint, values)
    assert {key[0] for key in context_urls(clinic_app)} == {script_root}


def context_urls(app: Flask) -> dict[tuple[str, str, tuple[tuple[str, object], ...]], str]:
    with app.app_context():
        return context.questionnaire().urls


def test_no_kept_link_holds_a_share_code_a_path_or_a_patients_words(clinic_app: Flask) -> None:
    patient = Patient(clinic_app.test_client())
    patient.get("/c/example_spine")
    patient.walk(MOST_TOPICS)
    patient.get("/language/es?next=/check")
    for page in ("/check", "/result", "/summary"):
        assert patient.get(page).status_code == 200
    share = soup(patient.get("/share")).select_one(".share-url a")
    assert share is not None
    code = str(share["href"]).rsplit("/r/", 1)[1]
    assert patient.get(f"/r/{code}").status_code == 200
    patient.get(f"/language/en?next=/r/{code}")
    patient.post("/visit-question", {"visit_question": "Why does my left foot tingle at night?"})
    assert "/r/" in patient.get("/summary").get_data(as_text=True)  # the share code was on the page

    kept = context_urls(clinic_app)
    known = {value for _, values in every_static_link(clinic_app) for value in values.values()}
    assets = {path.name for path in (ROOT / "fbss_check" / "web" / "static").iterdir()}
    assert kept, "nothing was kept: the test would pass for the wrong reason"
    for _, endpoint, items in kept:
        for _, value in items:
            assert value in known or (endpoint == "asset" and ASSET.sub(".", str(value)) in assets), (endpoint, value)
    assert [
        url for url in kept.values() if "/r/" in url or code in url or "?" in url.replace("/warning?next=", "")
    ] == []


def test_the_kept_links_stop_growing_at_their_limit(clinic_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(context, "KEPT_URLS_MAX", 3)
    links = every_static_link(clinic_app)
    with clinic_app.test_request_context("/"):
        for endpoint, values in links:
            assert context.page_url(endpoint, **values) == url_for(endpoint, **values)
    assert len(context_urls(clinic_app)) == 3


PATH_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
PATH_PART = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="/?#%"), min_size=1, max_size=12
)


@settings(max_examples=150, deadline=None)
@given(
    path=st.lists(PATH_PART, min_size=1, max_size=3).map(lambda parts: "/" + "/".join(parts)),
    query=st.none() | st.dictionaries(PATH_TEXT, PATH_TEXT, max_size=3),
    script_root=st.sampled_from(["", "/self-check"]),
)
def test_a_language_link_is_the_link_url_for_builds_back_to_any_page(
    app: Flask, path: str, query: dict[str, str] | None, script_root: str
) -> None:
    """The language switch's links (language.switch_links: the path kept, the page to go back to
    added afresh) are url_for's, for any page and query, odd characters and share codes included."""
    with app.test_request_context(path, query_string=query, base_url=f"http://localhost{script_root}/"):
        here = request.full_path.rstrip("?")
        expected = [url_for("language.choose", code=code, next=here) for code in ("es",)]
        assert [link["href"] for link in switch_links()] == expected
