"""The question bank's domain: frozen records the loader builds once and the engine reads."""

from __future__ import annotations

import dataclasses
import enum
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

# One patient's normalised answer: a code ("yes", "no", "unsure", a choice code),
# a whole number, or a set of codes for a multiple-choice question.
Answer = str | int | frozenset[str]
Answers = Mapping[str, Answer]

# Score answers are (lowest possible, highest possible) given the items answered so far,
# so that a partial questionnaire is judged soundly: a lower bound that already reaches
# a threshold counts, an upper bound that might still exceed one does not.
ScoreRange = tuple[float, float]


class ProblemsError(Exception):
    """A file that cannot be used; ``problems`` lists every one found, ``source`` names the file."""

    what = "the file"  # each subclass names its kind of file, for the message

    def __init__(self, problems: list[str], source: str = "") -> None:
        self.problems = tuple(problems)
        self.source = source
        where = f"{source}: " if source else ""
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{where}{len(self.problems)} problem(s) in {self.what}:\n{lines}")


@functools.total_ordering
class Urgency(enum.Enum):
    """How fast the patient should get help; compares by seriousness."""

    ROUTINE = "routine"
    SOON = "soon"
    URGENT = "urgent"
    EMERGENCY = "emergency"

    @property
    def rank(self) -> int:
        return _URGENCY_ORDER.index(self)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Urgency):
            return NotImplemented
        return self.rank < other.rank


_URGENCY_ORDER = (Urgency.ROUTINE, Urgency.SOON, Urgency.URGENT, Urgency.EMERGENCY)


class Kind(enum.Enum):
    """The kinds of question the bank may ask."""

    YES_NO = "yes_no"
    YES_NO_UNSURE = "yes_no_unsure"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    WHOLE_NUMBER = "whole_number"
    SCALE_0_10 = "scale_0_10"
    SCALE_0_3 = "scale_0_3"


# The kinds by what they ask for; a new kind joins its groups here.
SCALE_BOUNDS: Mapping[Kind, tuple[int, int]] = MappingProxyType({Kind.SCALE_0_10: (0, 10), Kind.SCALE_0_3: (0, 3)})
SCALE_KINDS = frozenset(SCALE_BOUNDS)  # a number chosen from a row of buttons
YES_NO_KINDS = frozenset({Kind.YES_NO, Kind.YES_NO_UNSURE})  # choices the loader makes: yes, no (, not sure)
NUMERIC_KINDS = SCALE_KINDS | {Kind.WHOLE_NUMBER}  # answered with a whole number

YES, NO, UNSURE = "yes", "no", "unsure"
DEFAULT_LANGUAGE = "en"


def N_(words: str) -> str:
    """Mark words for the translation catalog; the web layer translates them when it shows them."""
    return words


@dataclass(frozen=True)
class Language:
    name: str  # in English, translated where shown, inside a sentence ("answered in Spanish")
    autonym: str  # in its own words, as the link to switch to it shows it


# The languages the app has names for; a bank or clinic may give others, shown by their code.
LANGUAGES: Mapping[str, Language] = MappingProxyType(
    {"en": Language(N_("English"), "English"), "es": Language(N_("Spanish"), "Español")}
)


def english_name(code: str) -> str:
    """A language's name in English, or its code when the app has no name for it."""
    known = LANGUAGES.get(code)
    return known.name if known else code


class Text(str):
    """Patient-facing words: the string itself is the English; `translations` holds every language.

    Being a str, it works wherever English text is expected (the CLI, the engine's messages);
    the web layer picks the patient's language with `in_language`.
    """

    translations: Mapping[str, str]

    def __new__(cls, by_language: Mapping[str, str]) -> Text:
        text = super().__new__(cls, by_language.get(DEFAULT_LANGUAGE, ""))
        text.translations = MappingProxyType(dict(by_language))
        return text

    def in_language(self, language: str) -> str:
        """The text in that language, or the English when the bank has none for it."""
        return self.translations.get(language) or str(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Text, (dict(self.translations),))


@dataclass(frozen=True)
class Choice:
    code: str
    label: str
    exclusive: bool = False  # "None of these" or "Not sure" on a multiple choice: chosen alone
    short: str = ""  # a few words for the "tell the staff" list and the clinician's summary line

    @property
    def short_label(self) -> str:
        return self.short or self.label


# Codes that mean the patient does not know: a question that hides red flags must show them all
# when it is answered with one of these, or not answered at all.
NOT_SURE_CODES = ("unsure", "not_sure", "declined")


@dataclass(frozen=True)
class Condition:
    """A node of a rule's or show_if's condition tree.

    ``op`` is ``all``, ``any`` or ``not`` for branches (``children`` set), otherwise a
    leaf operator from ``conditions.OPERATORS`` with ``subject`` and ``value`` set.
    """

    op: str
    children: tuple[Condition, ...] = ()
    subject_kind: str = ""  # "question", "score" or "" for `always`
    subject: str = ""
    value: Any = None
    # The tree as closures, made by `conditions.holds` and `conditions.is_met` the first time they
    # evaluate it (conditions run on every request): a cache, never compared, hashed or shown.
    compiled: ConditionTest | None = field(default=None, init=False, repr=False, compare=False)
    compiled_check: ConditionCheck | None = field(default=None, init=False, repr=False, compare=False)


# A compiled condition: `conditions.holds` (whether it holds, and the answered questions that made
# it hold) and `conditions.is_met` (whether it holds) on (answers, score ranges[, scores]).
ConditionTest = Callable[[Answers, Mapping[str, ScoreRange], Mapping[str, "Score"]], tuple[bool, frozenset[str]]]
ConditionCheck = Callable[[Answers, Mapping[str, ScoreRange]], bool]


@dataclass(frozen=True)
class Question:
    id: str
    kind: Kind
    text: str
    section: str
    hint: str = ""
    choices: tuple[Choice, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    unit: str = ""
    low_label: str = ""
    high_label: str = ""
    value_labels: tuple[str, ...] = ()
    required: bool = True
    red_flag: Urgency | None = None
    show_if: Condition | None = None

    @functools.cached_property
    def codes(self) -> tuple[str, ...]:
        """The stable answer codes of a choice-like question (empty for numbers)."""
        return tuple(c.code for c in self.choices)

    @functools.cached_property
    def has_short_labels(self) -> bool:
        """Whether any choice has a few words of its own for the care team (Choice.short)."""
        return any(choice.short for choice in self.choices)

    @functools.cached_property
    def not_sure_codes(self) -> tuple[str, ...]:
        """The answers that mean "I do not know" (empty when the question has none)."""
        return tuple(code for code in self.codes if code in NOT_SURE_CODES)

    @functools.cached_property
    def exclusive_codes(self) -> frozenset[str]:
        """The multiple-choice codes that must be chosen alone ("None of these")."""
        return frozenset(c.code for c in self.choices if c.exclusive)

    @functools.cached_property
    def bounds(self) -> tuple[int, int]:
        """The inclusive range of a numeric question."""
        if self.kind in SCALE_BOUNDS:
            return SCALE_BOUNDS[self.kind]
        low = 0 if self.minimum is None else self.minimum
        high = 10_000 if self.maximum is None else self.maximum
        return (low, high)

    def reports_something(self, answer: Answer | None) -> bool:
        """Whether an answer says "yes" or "not sure" to something, rather than no or none.

        Yes/no questions: yes or not sure; a choice with a "no" or "none" answer: anything else;
        other choices (where, when, what kind): only "not sure". Numbers and scales: never.
        """
        if answer is None or self.is_numeric:
            return False
        if isinstance(answer, frozenset):
            if "none" in self.codes:
                return bool(answer - {"none"})
            return bool(answer & set(self.not_sure_codes))
        if "no" in self.codes:
            return answer != NO
        return answer in self.not_sure_codes

    @functools.cached_property
    def is_numeric(self) -> bool:
        return self.kind in NUMERIC_KINDS

    @functools.cached_property
    def scale_options(self) -> tuple[tuple[int, str], ...]:
        """A scale's (value, label) pairs, low to high: the bank's value_labels, else the numbers."""
        low, high = self.bounds
        labels = self.value_labels or tuple(str(n) for n in range(low, high + 1))
        return tuple((value, labels[value - low]) for value in range(low, high + 1))


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    intro: str
    question_ids: tuple[str, ...]
    crisis_line: bool = False
    follow_up: bool = False  # shown only after certain answers, so it has no step number


@dataclass(frozen=True)
class Band:
    minimum: float
    maximum: float
    label: str


@dataclass(frozen=True)
class Score:
    id: str
    label: str
    method: str  # "sum" or "mean"
    items: tuple[str, ...]
    item_max: int
    meaning: str
    bands: tuple[Band, ...] = ()
    sources: tuple[str, ...] = ()
    # What counts as a meaningful change between two checks (a lower score is always better):
    # a fall or rise of this percent of the earlier value (the PEG: 30), or else a move to another band.
    change_percent: float | None = None

    def band(self, value: float) -> str:
        """The label of the band the value falls in, or an empty string."""
        for band in self.bands:
            if band.minimum <= value <= band.maximum:
                return band.label
        return ""

    def band_index(self, value: float) -> int | None:
        """The position of the band the value falls in (0 is the lowest), or None."""
        for index, band in enumerate(self.bands):
            if band.minimum <= value <= band.maximum:
                return index
        return None


@dataclass(frozen=True)
class Rule:
    id: str
    when: Condition
    urgency: Urgency | None = None
    message: str = ""
    guidance: tuple[str, ...] = ()
    short: str = ""  # the clinician's name for what fired, for the one-line summary

    @property
    def short_name(self) -> str:
        return self.short or self.id.replace("_", " ")


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    summary: str
    involves: str
    benefits: str
    risks: str
    questions: tuple[str, ...]
    sources: tuple[str, ...]
    # For a patient who has had this treatment: what usually comes next and when to go back.
    # A topic is never hidden because the patient has tried it (issue 15); it says more.
    tried: str = ""
    tried_when: Condition | None = None


@dataclass(frozen=True)
class SafetySign:
    """A warning sign named on every result, so the patient knows what should bring them back."""

    text: str
    when: Condition | None = None  # shown only when this holds on the answers (None: always)


@dataclass(frozen=True)
class SafetyGroup:
    """Signs that need the same action: call the emergency number, or the team the same day."""

    urgency: Urgency
    action: str  # may hold {emergency}, {urgent_care} and {surgeon_team}, as the tier texts do
    signs: tuple[SafetySign, ...]


@dataclass(frozen=True)
class TierText:
    heading: str
    action: str


@dataclass(frozen=True)
class Case:
    name: str
    answers: Mapping[str, Any]
    urgency: Urgency
    fired: tuple[str, ...] = ()
    not_fired: tuple[str, ...] = ()
    guidance: tuple[str, ...] = ()


@dataclass(frozen=True)
class Bank:
    version: str
    review_date: date
    title: str
    sections: tuple[Section, ...]
    questions: Mapping[str, Question]
    scores: Mapping[str, Score]
    rules: tuple[Rule, ...]
    topics: Mapping[str, Topic]
    tiers: Mapping[Urgency, TierText]
    cases: tuple[Case, ...] = ()
    sources: tuple[str, ...] = ()
    languages: tuple[str, ...] = (DEFAULT_LANGUAGE,)
    unsure_note: str = ""
    safety_net: tuple[SafetyGroup, ...] = ()
    key_facts: tuple[str, ...] = ()  # questions whose answers the staff and the clinician need first
    compare_scores: tuple[str, ...] = ()  # the scores shown then and now when comparing two checks
    compare_treatments: str | None = None  # the checklist whose new ticks are "treatments started since"
    language: str = DEFAULT_LANGUAGE  # the language of the plain strings: English until `in_language`
    source_path: str = field(default="", compare=False)

    def in_language(self, language: str) -> Bank:
        """The same bank, rules and ids with every patient-facing text in one language."""
        if language not in self.languages:
            raise ValueError(f"the bank has no {language!r} text; it has {', '.join(self.languages)}")
        translated: Bank = _in_language(self, language)
        return dataclasses.replace(translated, language=language)

    @functools.cached_property
    def sections_by_id(self) -> Mapping[str, Section]:
        """Each section (page) by its id, in bank order."""
        return {section.id: section for section in self.sections}

    @functools.cached_property
    def rules_by_id(self) -> Mapping[str, Rule]:
        """Each rule by its id, in bank order."""
        return {rule.id: rule for rule in self.rules}

    @functools.cached_property
    def serious_rules(self) -> tuple[Rule, ...]:
        """The rules that raise an urgent or emergency flag: the emergencies first, then the
        urgent ones, each in bank order."""
        return tuple(
            rule for tier in (Urgency.EMERGENCY, Urgency.URGENT) for rule in self.rules if rule.urgency is tier
        )

    def section_questions(self, section_id: str) -> tuple[Question, ...]:
        """The questions of one section, in bank order."""
        return self._section_questions[section_id]

    @functools.cached_property
    def _section_questions(self) -> Mapping[str, tuple[Question, ...]]:
        # Worked out once: every request walks every section (path.patient_path).
        return MappingProxyType(
            {section.id: tuple(self.questions[q] for q in section.question_ids) for section in self.sections}
        )

    def topic_order(self, topic_id: str) -> int:
        return self._topic_positions[topic_id]

    @functools.cached_property
    def _topic_positions(self) -> dict[str, int]:
        return {topic_id: index for index, topic_id in enumerate(self.topics)}

    @functools.cached_property
    def question_positions(self) -> dict[str, int]:
        return {question_id: index for index, question_id in enumerate(self.questions)}

    @functools.cached_property
    def conditional_questions(self) -> tuple[Question, ...]:
        """The questions with a show_if, in bank order."""
        return tuple(q for q in self.questions.values() if q.show_if is not None)


def _in_language(value: Any, language: str) -> Any:
    """A copy of a record tree with each Text replaced by its words in one language."""
    if isinstance(value, Text):
        return value.in_language(language)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _in_language(getattr(value, f.name), language) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    if isinstance(value, tuple):
        return tuple(_in_language(item, language) for item in value)
    if isinstance(value, dict):
        return {key: _in_language(item, language) for key, item in value.items()}
    return value
