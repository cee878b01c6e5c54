"""Patient text is easy to read, measured with textstat (0.7.8) in English and in Spanish.

English: Flesch-Kincaid grade 8 or lower. Spanish has no Flesch-Kincaid grade; the same aim (easy
for a 12-year-old) is Fernández-Huerta 70 or more ("fairly easy", grades 6 to 7) and
Szigriszt-Pazos (INFLESZ) 65 or more ("fairly easy").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import textstat

from fbss_check import default_bank
from fbss_check.model import Bank

BANK = default_bank()
ENGLISH, SPANISH = BANK.in_language("en"), BANK.in_language("es")
MAX_GRADE = 8.0
MIN_FERNANDEZ_HUERTA = 70.0
MIN_SZIGRISZT_PAZOS = 65.0


@pytest.fixture
def spanish_syllables() -> Iterator[None]:
    """textstat counts syllables for one language at a time: Spanish for this test only."""
    textstat.set_lang("es")
    yield
    textstat.set_lang("en_US")


def section_text(bank: Bank, section_id: str) -> str:
    section = next(s for s in bank.sections if s.id == section_id)
    parts = [section.title + ".", section.intro]
    for question in bank.section_questions(section_id):
        parts += [question.text, question.hint]
        # Choice labels are read as part of the question, not as sentences of their own.
    return " ".join(p for p in parts if p)


def topic_text(bank: Bank, topic_id: str) -> str:
    topic = bank.topics[topic_id]
    return " ".join([topic.summary, topic.involves, topic.benefits, topic.risks, topic.tried, *topic.questions])


def messages_text(bank: Bank) -> str:
    return " ".join(rule.message for rule in bank.rules if rule.message)


def safety_net_text(bank: Bank) -> str:
    """Each group's action, then its signs: a list on the page, so each sign is read as a sentence."""
    return " ".join(f"{g.action} " + " ".join(sign.text.rstrip(".") + "." for sign in g.signs) for g in bank.safety_net)


def tiers_text(bank: Bank) -> str:
    return " ".join(f"{t.heading}. {t.action}" for t in bank.tiers.values())


TEXTS: list[tuple[str, Callable[[Bank], str]]] = [
    *[(f"section {s.id}", lambda bank, s=s.id: section_text(bank, s)) for s in BANK.sections],
    *[(f"topic {t}", lambda bank, t=t: topic_text(bank, t)) for t in BANK.topics],
    ("flag messages", messages_text),
    ("tier texts", tiers_text),
    ("safety net", safety_net_text),
]


@pytest.mark.parametrize("text_of", [pytest.param(text_of, id=name) for name, text_of in TEXTS])
def test_english_reads_at_grade_8_or_lower(text_of: Callable[[Bank], str]) -> None:
    assert float(textstat.flesch_kincaid_grade(text_of(ENGLISH))) <= MAX_GRADE


@pytest.mark.usefixtures("spanish_syllables")
@pytest.mark.parametrize("text_of", [pytest.param(text_of, id=name) for name, text_of in TEXTS])
def test_spanish_is_fairly_easy_to_read(text_of: Callable[[Bank], str]) -> None:
    text = text_of(SPANISH)
    assert float(textstat.fernandez_huerta(text)) >= MIN_FERNANDEZ_HUERTA
    assert float(textstat.szigriszt_pazos(text)) >= MIN_SZIGRISZT_PAZOS
