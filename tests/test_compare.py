"""Comparing two checks (fbss_check.compare): display only, never a change to today's tier."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from hypothesis import given

from fbss_check import default_bank
from fbss_check.answers import coerce_all
from fbss_check.compare import Change, EarlierCheck, compare, score_change
from fbss_check.conditions import questions_in
from fbss_check.engine import evaluate_answers, visible_answers
from fbss_check.model import Answer, Urgency
from tests.strategies import answers, every_answer
from tests.web.conftest import CALM_ANSWERS

BANK = default_bank()
ANSWERS = answers(BANK)
EVERY_ANSWER = every_answer(BANK)
# A calm check that reached every page (the web tests' form answers, numbers as numbers).
FULL_CHECK = coerce_all(
    BANK.questions, {q: int(a) if isinstance(a, str) and a.isdigit() else a for q, a in CALM_ANSWERS.items()}, "lenient"
)
PEG, PHQ4 = BANK.scores["peg"], BANK.scores["phq4"]


def flag_ids(given_answers: dict[str, Answer]) -> set[str]:
    """The red flags (urgent and emergency) a check raises on its own."""
    return {flag.id for flag in evaluate_answers(BANK, given_answers).flags if flag.urgency >= Urgency.URGENT}


def earlier(given_answers: dict[str, Answer]) -> EarlierCheck:
    return EarlierCheck(given_answers, date(2026, 6, 1), BANK.version)


@given(ANSWERS, ANSWERS)
def test_todays_tier_and_flags_are_todays_answers_alone(then: dict[str, Answer], now: dict[str, Answer]) -> None:
    result = compare(BANK, earlier(then), now)
    alone = evaluate_answers(BANK, now)
    assert result.now.urgency is alone.urgency
    assert result.now.flags == alone.flags


@given(EVERY_ANSWER, EVERY_ANSWER)
def test_new_and_gone_red_flags_are_the_difference_of_two_checks_that_reached_every_page(
    then: dict[str, Answer], now: dict[str, Answer]
) -> None:
    result = compare(BANK, earlier(then), now)
    then_ids, now_ids = flag_ids(then), flag_ids(now)
    assert set(result.new_flags) == now_ids - then_ids
    assert set(result.gone_flags) == then_ids - now_ids
    assert result.not_asked_now == result.not_asked_then == ()


@given(ANSWERS, ANSWERS)
def test_a_flag_is_new_or_gone_only_if_both_checks_asked_what_it_rests_on(
    then: dict[str, Answer], now: dict[str, Answer]
) -> None:
    """A check that stopped early has not said no: what it never asked is neither gone nor new."""
    result = compare(BANK, earlier(then), now)
    then_ids, now_ids = flag_ids(then), flag_ids(now)
    assert set(result.new_flags) <= now_ids - then_ids
    assert set(result.gone_flags) <= then_ids - now_ids
    unasked = {"then": set(result.not_asked_then), "now": set(result.not_asked_now)}
    for rule_id in result.new_flags:
        assert not questions_in(BANK.rules_by_id[rule_id].when, BANK.scores) & unasked["then"], rule_id
    for rule_id in result.gone_flags:
        assert not questions_in(BANK.rules_by_id[rule_id].when, BANK.scores) & unasked["now"], rule_id
    assert not {item.question.id for item in result.changed} & (unasked["then"] | unasked["now"])


def test_a_check_that_stopped_early_today_compares_only_what_it_asked() -> None:
    """Stopped at the first page's urgent warning: the low mood of then is not "gone", and the
    questions never asked today are counted, not listed as changed."""
    then = {**FULL_CHECK, "phq4_interest": 3, "phq4_down": 3, "fever": "yes"}
    first_page = {q.id for q in BANK.section_questions(BANK.sections[0].id)}
    now = {q: a for q, a in FULL_CHECK.items() if q in first_page}
    result = compare(BANK, earlier(then), now)
    assert {"mood_screen_positive", "fever"} <= {f.id for f in result.then.flags}
    assert result.gone_flags == ()
    assert {item.question.id for item in result.changed} <= first_page
    assert result.scores == ()
    assert len(result.not_asked_now) > 10 and result.not_asked_then == ()
    # Read the other way round: the earlier check stopped early, today's reached every page.
    back = compare(BANK, earlier(now), then)
    assert back.new_flags == () and back.changed == () and back.not_asked_then == result.not_asked_now


@given(ANSWERS)
def test_a_check_compared_with_itself_shows_no_change(same: dict[str, Answer]) -> None:
    result = compare(BANK, earlier(same), same)
    assert not result.anything
    assert all(s.change is Change.SAME and s.difference == 0 for s in result.scores)


@given(ANSWERS, ANSWERS)
def test_answers_on_a_branch_left_never_count_as_changes(then: dict[str, Answer], now: dict[str, Answer]) -> None:
    result = compare(BANK, earlier(then), now)
    shown_then, shown_now = visible_answers(BANK, then), visible_answers(BANK, now)
    for item in result.changed:
        assert item.then == shown_then.get(item.question.id)
        assert item.now == shown_now.get(item.question.id)
        assert item.then != item.now
    unchanged = {q for q in BANK.questions if shown_then.get(q) == shown_now.get(q)}
    assert not unchanged & {item.question.id for item in result.changed}


def test_questions_asked_another_way_are_not_compared() -> None:
    then = {"fever": "yes", "time_since_surgery": "weeks_2_6"}
    now = {"fever": "no", "time_since_surgery": "months_3_6"}
    result = compare(BANK, replace(earlier(then), not_compared=("time_since_surgery",)), now)
    assert [item.question.id for item in result.changed] == ["fever"]
    assert result.not_compared == ("time_since_surgery",)


def test_the_peg_changes_by_30_percent_of_the_earlier_score() -> None:
    assert score_change(PEG, 7.0, 4.9) is Change.BETTER  # exactly 30 percent lower
    assert score_change(PEG, 7.0, 5.0) is Change.SAME
    assert score_change(PEG, 5.0, 6.5) is Change.WORSE
    assert score_change(PEG, 5.0, 6.4) is Change.SAME
    # From 0, 30 percent of the scale (3 points) counts.
    assert score_change(PEG, 0.0, 2.9) is Change.SAME
    assert score_change(PEG, 0.0, 3.0) is Change.WORSE


def test_the_phq4_changes_by_band() -> None:
    assert score_change(PHQ4, 2, 3) is Change.WORSE  # none -> mild
    assert score_change(PHQ4, 3, 5) is Change.SAME  # mild, still
    assert score_change(PHQ4, 9, 8) is Change.BETTER  # severe -> moderate


def test_treatments_started_since_are_the_new_ticks() -> None:
    then = {"treatments_tried": frozenset({"physical_therapy"})}
    now = {"treatments_tried": frozenset({"physical_therapy", "injections"})}
    assert compare(BANK, earlier(then), now).started == ("injections",)
    assert compare(BANK, earlier(now), then).started == ()
