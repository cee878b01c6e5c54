"""Patient text reads at Flesch-Kincaid grade 8 or lower, measured with textstat."""

from __future__ import annotations

import pytest
import textstat

from fbss_check import default_bank

BANK = default_bank()
MAX_GRADE = 8.0


def section_text(section_id: str) -> str:
    section = next(s for s in BANK.sections if s.id == section_id)
    parts = [section.title + ".", section.intro]
    for question in BANK.section_questions(section_id):
        parts += [question.text, question.hint]
        # Choice labels are read as part of the question, not as sentences of their own.
    return " ".join(p for p in parts if p)


def topic_text(topic_id: str) -> str:
    topic = BANK.topics[topic_id]
    return " ".join([topic.summary, topic.involves, topic.benefits, topic.risks, *topic.questions])


def grade(text: str) -> float:
    return float(textstat.flesch_kincaid_grade(text))


@pytest.mark.parametrize("section_id", [s.id for s in BANK.sections])
def test_each_section_reads_at_grade_8_or_lower(section_id: str) -> None:
    assert grade(section_text(section_id)) <= MAX_GRADE


@pytest.mark.parametrize("topic_id", list(BANK.topics))
def test_each_guidance_topic_reads_at_grade_8_or_lower(topic_id: str) -> None:
    assert grade(topic_text(topic_id)) <= MAX_GRADE


def test_flag_messages_and_tier_texts_read_at_grade_8_or_lower() -> None:
    messages = " ".join(rule.message for rule in BANK.rules if rule.message)
    tiers = " ".join(f"{t.heading}. {t.action}" for t in BANK.tiers.values())
    assert grade(messages) <= MAX_GRADE
    assert grade(tiers) <= MAX_GRADE
