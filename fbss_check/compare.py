"""Comparing today's answers with an earlier check: scores then and now, flags new and gone,
treatments started since, answers that changed. Display only: today's tier is `evaluate` of
today's answers alone, and an earlier check can only mark one of today's flags as new.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from .conditions import questions_in
from .engine import Outcome
from .model import Answer, Bank, Question, Score, Urgency
from .path import patient_path


@dataclass(frozen=True)
class EarlierCheck:
    """An earlier check, read back against the current bank."""

    answers: Mapping[str, Answer]
    made_on: date
    bank_version: str
    # Questions that cannot be compared: answers under an older bank that were asked another way
    # (mapped onto today's questions) or are no longer asked.
    not_compared: tuple[str, ...] = ()
    retired: tuple[str, ...] = ()  # ids of earlier answers to questions no longer asked


class Change(enum.Enum):
    """What a change of score means, by the score's own guidance (a lower score is better)."""

    BETTER = "better"
    WORSE = "worse"
    SAME = "same"  # no meaningful change


@dataclass(frozen=True)
class ScoreChange:
    score: Score
    then: float
    now: float
    change: Change

    @property
    def difference(self) -> float:
        return self.now - self.then

    @property
    def percent(self) -> int | None:
        """The change as a whole percent of the earlier score (None from a score of 0)."""
        return round(100 * self.difference / self.then) if self.then else None


@dataclass(frozen=True)
class AnswerChange:
    question: Question
    then: Answer  # only questions both checks answered are compared
    now: Answer


@dataclass(frozen=True)
class Comparison:
    earlier: EarlierCheck
    scores: tuple[ScoreChange, ...]
    new_flags: tuple[str, ...]  # red flags (urgent, emergency) that fire today and did not then
    gone_flags: tuple[str, ...]  # red flags that fired then and do not today
    started: tuple[str, ...]  # choice codes of the treatments checklist ticked today, not then
    changed: tuple[AnswerChange, ...]  # in bank order
    not_compared: tuple[str, ...]  # question ids, in bank order
    # Questions on pages a check never reached (it stopped early, at an urgent warning say):
    # compared neither way, and no flag that rests on them is called new or gone.
    not_asked_now: tuple[str, ...]
    not_asked_then: tuple[str, ...]
    then: Outcome  # the earlier answers, judged by today's rules
    now: Outcome

    @property
    def anything(self) -> bool:
        """Whether anything at all differs (scores with a meaningful change included)."""
        moved = any(s.change is not Change.SAME for s in self.scores)
        return bool(moved or self.new_flags or self.gone_flags or self.started or self.changed)


def score_change(score: Score, then: float, now: float) -> Change:
    """Better, worse or the same by the score's own rule: a percent of the earlier value where it
    gives one (from 0, that percent of the scale), else a move to another band."""
    if score.change_percent is not None:
        base = then if then else score.item_max
        step = base * score.change_percent / 100
        if now <= then - step:
            return Change.BETTER
        if now >= then + step:
            return Change.WORSE
        return Change.SAME
    before, after = score.band_index(then), score.band_index(now)
    if before is None or after is None or before == after:
        return Change.SAME
    return Change.BETTER if after < before else Change.WORSE


def compare(bank: Bank, earlier: EarlierCheck, now_answers: Mapping[str, Answer]) -> Comparison:
    """What changed between an earlier check and today's answers, both on their own visible path
    (an answer on a branch the patient left never counts, then or now). A question on a page one
    of the two checks never reached is not compared: a check that stopped early has not said no."""
    then_path, now_path = patient_path(bank, earlier.answers), patient_path(bank, now_answers)
    then_answers, now_kept = then_path.answers, now_path.answers
    unasked_then, unasked_now = then_path.unreached(), now_path.unreached()
    then_outcome, now_outcome = then_path.outcome, now_path.outcome
    # New and gone are said of red flags (urgent and emergency): a softer flag such as persisting
    # pain can appear only because time has passed, and the scores say how pain and mood moved.
    then_red, now_red = _red_flags(then_outcome), _red_flags(now_outcome)
    scores = []
    for score_id in bank.compare_scores:
        then, now = then_outcome.scores.get(score_id), now_outcome.scores.get(score_id)
        if then is not None and now is not None:
            score = bank.scores[score_id]
            scores.append(ScoreChange(score, float(then), float(now), score_change(score, float(then), float(now))))
    started: tuple[str, ...] = ()
    if bank.compare_treatments is not None and bank.compare_treatments not in unasked_then | unasked_now:
        question = bank.questions[bank.compare_treatments]
        before = _ticked(then_answers.get(question.id))
        after = _ticked(now_kept.get(question.id))
        started = tuple(c.code for c in question.choices if c.code in after - before and not c.exclusive)
    not_compared = set(earlier.not_compared)
    skipped = not_compared | unasked_then | unasked_now
    # Only questions both checks answered: one asked only in the first weeks after surgery, or
    # only after another answer, is not a change when the other check did not ask it.
    changed = tuple(
        AnswerChange(question, old, new)
        for question in bank.questions.values()
        if question.id not in skipped
        and (old := then_answers.get(question.id)) is not None
        and (new := now_kept.get(question.id)) is not None
        and old != new
    )
    return Comparison(
        earlier=earlier,
        scores=tuple(scores),
        new_flags=_only_asked(bank, now_red - then_red, unasked_then),
        gone_flags=_only_asked(bank, then_red - now_red, unasked_now),
        started=started,
        changed=changed,
        not_compared=tuple(q for q in bank.questions if q in not_compared),
        not_asked_now=tuple(q for q in bank.questions if q in unasked_now),
        not_asked_then=tuple(q for q in bank.questions if q in unasked_then),
        then=then_outcome,
        now=now_outcome,
    )


def _red_flags(outcome: Outcome) -> set[str]:
    return {flag.id for flag in outcome.flags if flag.urgency >= Urgency.URGENT}


def _only_asked(bank: Bank, rule_ids: set[str], unasked: frozenset[str]) -> tuple[str, ...]:
    """The rules, in bank order, that rest on no question the other check left unasked."""
    return tuple(
        rule.id for rule in bank.rules if rule.id in rule_ids and not questions_in(rule.when, bank.scores) & unasked
    )


def _ticked(answer: Answer | None) -> frozenset[str]:
    return answer if isinstance(answer, frozenset) else frozenset()
