"""Loading and validating the question bank: every problem is collected, with its place."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, TypeGuard, TypeVar

import yaml

from . import analysis
from .answers import AnswerError, coerce_all
from .conditions import parse_condition, questions_in, walk
from .engine import answers_meet, evaluate_answers
from .model import (
    DEFAULT_LANGUAGE,
    NO,
    SCALE_BOUNDS,
    SCALE_KINDS,
    UNSURE,
    YES,
    YES_NO_KINDS,
    Answer,
    Band,
    Bank,
    Case,
    Choice,
    Condition,
    Kind,
    ProblemsError,
    Question,
    Rule,
    SafetyGroup,
    SafetySign,
    Score,
    Section,
    Text,
    TierText,
    Topic,
    Urgency,
    english_name,
)

DEFAULT_BANK_PATH = Path(__file__).resolve().parent.parent / "questions.yaml"
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
T = TypeVar("T")


class BankError(ProblemsError):
    """A question bank that cannot be used; ``problems`` lists every one found."""

    what = "the question bank"


def load_bank(path: str | Path | None = None) -> Bank:
    """Read, parse and validate a bank file; raise BankError listing every problem."""
    bank_path = Path(path) if path is not None else DEFAULT_BANK_PATH
    try:
        raw = yaml.safe_load(bank_path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BankError([f"cannot read the bank: {error.strerror or error}"], str(bank_path)) from error
    except UnicodeDecodeError as error:
        raise BankError([f"the bank is not UTF-8 text: {error.reason}"], str(bank_path)) from error
    except yaml.YAMLError as error:
        raise BankError([f"not valid YAML: {error}"], str(bank_path)) from error
    return parse_bank(raw, source=str(bank_path))


def parse_bank(raw: Any, source: str = "") -> Bank:
    """Build a validated Bank from already-loaded YAML data."""
    reader = _Reader()
    bank = reader.bank(raw, source)
    if reader.errors or bank is None:
        raise BankError(reader.errors, source)
    problems = check_bank(bank)
    if problems:
        raise BankError(problems, source)
    return bank


class _Reader:
    """Structural parsing; problems go to ``errors`` and parsing carries on."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.section_raws: list[tuple[str, Mapping[str, Any]]] = []
        # Every well-formed rule id, even of a rule whose condition is broken, so that a
        # case naming it does not report a second, knock-on problem.
        self.rule_ids: set[str] = set()
        self.languages: tuple[str, ...] = (DEFAULT_LANGUAGE,)

    def fail(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}")

    def text(self, raw: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> Text:
        return self.localized(raw.get(key), f"{path}.{key}", required=required)

    def localized(self, value: Any, path: str, *, required: bool = True) -> Text:
        """Patient-facing text: a plain string in an English-only bank, else `{en: ..., es: ...}`."""
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(path, "missing text")
            return Text({})
        if isinstance(value, str):
            for language in self.languages[1:]:
                self.fail(path, f"missing {english_name(language)} text ({language})")
            return Text({DEFAULT_LANGUAGE: " ".join(value.split())})
        if not isinstance(value, Mapping):
            self.fail(path, f"expected text, got {type(value).__name__}")
            return Text({})
        by_language: dict[str, str] = {}
        for language in self.languages:
            words = value.get(language)
            if not isinstance(words, str) or not words.strip():
                self.fail(f"{path}.{language}", f"missing {english_name(language)} text")
            else:
                by_language[language] = " ".join(words.split())
        for language in sorted(set(value) - set(self.languages)):
            self.fail(f"{path}.{language}", f"language {language!r} is not in the bank's languages")
        if DEFAULT_LANGUAGE in by_language:
            expected = _must_match(by_language[DEFAULT_LANGUAGE])
            for language, words in by_language.items():
                # A number or a {placeholder} lost in translation could tell a patient the wrong
                # temperature, the wrong wait, or drop the emergency number itself.
                if (found := _must_match(words)) != expected:
                    self.fail(
                        f"{path}.{language}",
                        f"numbers and {{placeholders}} differ from the English: {found} vs {expected}",
                    )
        return Text(by_language)

    def texts(self, raw: Mapping[str, Any], key: str, path: str, *, translated: bool = True) -> tuple[str, ...]:
        value = raw.get(key)
        if not isinstance(value, list) or not value:
            self.fail(f"{path}.{key}", "expected a non-empty list of text")
            return ()
        if translated:
            return tuple(self.localized(item, f"{path}.{key}[{i}]") for i, item in enumerate(value))
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.fail(f"{path}.{key}[{i}]", "missing text")
            else:
                out.append(" ".join(item.split()))
        return tuple(out)

    def items(self, raw: Any, key: str, path: str) -> list[tuple[str, Mapping[str, Any]]]:
        value = raw.get(key) if isinstance(raw, Mapping) else None
        if not isinstance(value, list) or not value:
            self.fail(f"{path}{key}", "expected a non-empty list")
            return []
        out = []
        for i, item in enumerate(value):
            item_path = f"{path}{key}[{i}]"
            if isinstance(item, Mapping):
                out.append((item_path, item))
            else:
                self.fail(item_path, "expected a mapping")
        return out

    def ident(self, raw: Mapping[str, Any], path: str, seen: set[str], what: str) -> str:
        value = raw.get("id")
        if not isinstance(value, str) or not ID_PATTERN.match(value):
            self.fail(f"{path}.id", f"malformed id {value!r}: use lower-case letters, digits and _")
            return ""
        if value in seen:
            self.fail(f"{path}.id", f"duplicate {what} id {value!r}")
            return ""
        seen.add(value)
        return value

    def enum(self, value: Any, path: str, parse: Callable[[Any], T], allowed: str) -> T | None:
        try:
            return parse(value)
        except ValueError:
            self.fail(path, f"unknown value {value!r}; expected one of {allowed}")
            return None

    def bank(self, raw: Any, source: str) -> Bank | None:
        if not isinstance(raw, Mapping):
            self.fail("(top)", "the bank must be a YAML mapping")
            return None
        version = raw.get("version")
        if not isinstance(version, str | int | float) or not str(version).strip():
            self.fail("version", "missing version")
        review_date = raw.get("review_date")
        if not isinstance(review_date, date):
            self.fail("review_date", "expected a date such as 2026-11-21")
            review_date = date.min
        languages = raw.get("languages", [DEFAULT_LANGUAGE])
        if (
            not isinstance(languages, list)
            or not languages
            or languages[0] != DEFAULT_LANGUAGE
            or not all(isinstance(code, str) and re.fullmatch(r"[a-z]{2}", code) for code in languages)
        ):
            self.fail("languages", f"expected a list of two-letter codes starting with {DEFAULT_LANGUAGE}")
        else:
            self.languages = tuple(languages)
        raw_labels = raw.get("answer_labels")
        if not isinstance(raw_labels, Mapping):
            self.fail("answer_labels", "needs text for yes, no and unsure")
            raw_labels = {}
        labels = {code: self.localized(raw_labels.get(code), f"answer_labels.{code}") for code in (YES, NO, UNSURE)}
        questions: dict[str, Question] = {}
        sections = self.sections(raw, labels, questions)
        scores = self.scores(raw, questions)
        # show_if is parsed once every question is known, so it may name any of them.
        questions = self.show_ifs(sections, questions, scores)
        topics = self.topics(raw, questions, scores)
        rules = self.rules(raw, questions, scores, topics)
        tiers = self.tiers(raw)
        safety_net = self.safety_net(raw, questions, scores)
        key_facts = self.key_facts(raw, questions)
        compare_scores, compare_treatments = self.compare(raw, questions, scores)
        cases = self.cases(raw, questions)
        return Bank(
            version=str(version),
            review_date=review_date,
            title=self.text(raw, "title", "(top)"),
            sections=tuple(sections),
            questions=questions,
            scores=scores,
            rules=tuple(rules),
            topics=topics,
            tiers=tiers,
            cases=tuple(cases),
            sources=self.texts(raw, "sources", "(top)", translated=False),
            unsure_note=self.text(raw, "unsure_note", "(top)"),
            safety_net=safety_net,
            key_facts=key_facts,
            compare_scores=compare_scores,
            compare_treatments=compare_treatments,
            languages=self.languages,
            source_path=source,
        )

    def sections(
        self, raw: Mapping[str, Any], labels: Mapping[str, Text], questions: dict[str, Question]
    ) -> list[Section]:
        sections = []
        section_ids: set[str] = set()
        self.section_raws = self.items(raw, "sections", "")
        for path, item in self.section_raws:
            section_id = self.ident(item, path, section_ids, "section")
            question_ids = []
            for q_path, q_raw in self.items(item, "questions", f"{path}."):
                question = self.question(q_raw, q_path, section_id, labels, questions)
                if question is not None:
                    questions[question.id] = question
                    question_ids.append(question.id)
            flags = {}
            for flag in ("crisis_line", "follow_up"):
                flags[flag] = item.get(flag, False)
                if not isinstance(flags[flag], bool):
                    self.fail(f"{path}.{flag}", "expected true or false")
            sections.append(
                Section(
                    id=section_id,
                    title=self.text(item, "title", path),
                    intro=self.text(item, "intro", path, required=False),
                    question_ids=tuple(question_ids),
                    crisis_line=flags["crisis_line"] is True,
                    follow_up=flags["follow_up"] is True,
                )
            )
        return sections

    def question(
        self,
        raw: Mapping[str, Any],
        path: str,
        section_id: str,
        labels: Mapping[str, Text],
        questions: Mapping[str, Question],
    ) -> Question | None:
        question_id = self.ident(raw, path, set(questions), "question")
        kind = self.enum(raw.get("kind"), f"{path}.kind", Kind, ", ".join(k.value for k in Kind))
        text = self.text(raw, "text", path)
        if not question_id or kind is None:
            return None
        choices: tuple[Choice, ...] = ()
        if kind in YES_NO_KINDS:
            codes = (YES, NO, UNSURE) if kind is Kind.YES_NO_UNSURE else (YES, NO)
            choices = tuple(Choice(code, labels[code]) for code in codes)
        elif kind in (Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE):
            choices = self.choices(raw, path)
        minimum = maximum = None
        if kind is Kind.WHOLE_NUMBER:
            minimum, maximum = raw.get("min", 0), raw.get("max")
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in (minimum, maximum)):
                self.fail(path, "a whole_number question needs whole-number min and max")
                minimum, maximum = 0, 0
            elif minimum > maximum:
                self.fail(path, f"min {minimum} is above max {maximum}")
        red_flag = None
        if raw.get("red_flag") is not None:
            red_flag = self.enum(raw.get("red_flag"), f"{path}.red_flag", Urgency, "emergency, urgent, soon")
        required = raw.get("required", True)
        if not isinstance(required, bool):
            self.fail(f"{path}.required", "expected true or false")
        return Question(
            id=question_id,
            kind=kind,
            text=text,
            section=section_id,
            hint=self.text(raw, "hint", path, required=False),
            choices=choices,
            minimum=minimum,
            maximum=maximum,
            unit=self.text(raw, "unit", path, required=False),
            low_label=self.text(raw, "low_label", path, required=kind is Kind.SCALE_0_10),
            high_label=self.text(raw, "high_label", path, required=kind is Kind.SCALE_0_10),
            value_labels=self.value_labels(raw, path, kind),
            required=required is not False,
            red_flag=red_flag,
        )

    def value_labels(self, raw: Mapping[str, Any], path: str, kind: Kind) -> tuple[str, ...]:
        if kind is Kind.SCALE_0_3 or "value_labels" in raw:
            labels = self.texts(raw, "value_labels", path)
            if kind not in SCALE_BOUNDS:
                self.fail(f"{path}.value_labels", "only scales take value_labels")
                return labels
            low, high = SCALE_BOUNDS[kind]
            if labels and len(labels) != high - low + 1:
                self.fail(f"{path}.value_labels", f"expected {high - low + 1} labels, one per value, got {len(labels)}")
            return labels
        return ()

    def choices(self, raw: Mapping[str, Any], path: str) -> tuple[Choice, ...]:
        choices = []
        codes: set[str] = set()
        for c_path, c_raw in self.items(raw, "choices", f"{path}."):
            code = c_raw.get("code")
            if not isinstance(code, str) or not ID_PATTERN.match(code):
                self.fail(f"{c_path}.code", f"malformed code {code!r}")
                continue
            if code in codes:
                self.fail(f"{c_path}.code", f"duplicate code {code!r}")
                continue
            codes.add(code)
            exclusive = c_raw.get("exclusive", False)
            if not isinstance(exclusive, bool):
                self.fail(f"{c_path}.exclusive", "expected true or false")
            elif exclusive and raw.get("kind") != Kind.MULTIPLE_CHOICE.value:
                self.fail(f"{c_path}.exclusive", "only a multiple-choice answer can be exclusive")
            short = self.text(c_raw, "short", c_path, required=False)
            choices.append(Choice(code, self.text(c_raw, "label", c_path), exclusive is True, short))
        return tuple(choices)

    def show_ifs(
        self,
        sections: list[Section],
        questions: dict[str, Question],
        scores: Mapping[str, Score],
    ) -> dict[str, Question]:
        updated = dict(questions)
        for section, (s_path, s_raw) in zip(sections, self.section_raws, strict=True):
            section_show_if = None
            if s_raw.get("show_if") is not None:
                section_show_if = parse_condition(
                    s_raw["show_if"], f"{s_path}.show_if", questions, scores, self.errors, allow_scores=False
                )
            q_raws = {q.get("id"): (i, q) for i, q in enumerate(s_raw.get("questions") or []) if isinstance(q, Mapping)}
            for question_id in section.question_ids:
                q_index, q_raw = q_raws[question_id]
                own = None
                if q_raw.get("show_if") is not None:
                    own = parse_condition(
                        q_raw["show_if"],
                        f"{s_path}.questions[{q_index}].show_if",
                        questions,
                        scores,
                        self.errors,
                        allow_scores=False,
                    )
                parts = tuple(c for c in (section_show_if, own) if c is not None)
                if parts:
                    show_if = parts[0] if len(parts) == 1 else Condition(op="all", children=parts)
                    updated[question_id] = replace(questions[question_id], show_if=show_if)
        return updated

    def scores(self, raw: Mapping[str, Any], questions: Mapping[str, Question]) -> dict[str, Score]:
        scores: dict[str, Score] = {}
        for path, item in self.items(raw, "scores", ""):
            score_id = self.ident(item, path, set(scores), "score")
            method = item.get("method")
            if method not in ("sum", "mean"):
                self.fail(f"{path}.method", f"unknown method {method!r}; expected sum or mean")
            items = item.get("items")
            if not isinstance(items, list) or not items:
                self.fail(f"{path}.items", "expected a list of question ids")
                continue
            maxima = set()
            for i, question_id in enumerate(items):
                question = questions.get(question_id)
                if question is None:
                    self.fail(f"{path}.items[{i}]", f"unknown question {question_id!r}")
                elif question.kind not in SCALE_KINDS:
                    self.fail(f"{path}.items[{i}]", f"question {question_id!r} is not a scale")
                else:
                    maxima.add(question.bounds[1])
            if len(maxima) > 1:
                self.fail(f"{path}.items", "all items of a score must share one scale")
            bands = []
            for b_path, b_raw in self.items(item, "bands", f"{path}.") if "bands" in item else []:
                low, high = b_raw.get("min"), b_raw.get("max")
                if not (_is_number(low) and _is_number(high)):
                    self.fail(b_path, "a band needs numeric min and max")
                    continue
                bands.append(Band(float(low), float(high), self.text(b_raw, "label", b_path)))
            change_percent = None
            change = item.get("change")
            if change is not None:
                percent = change.get("percent") if isinstance(change, Mapping) else None
                if not _is_number(percent) or not 0 < float(percent) <= 100 or set(change) != {"percent"}:
                    self.fail(f"{path}.change", "expected `{percent: N}`, N from 1 to 100 (a meaningful change)")
                else:
                    change_percent = float(percent)
            if score_id:
                scores[score_id] = Score(
                    id=score_id,
                    label=self.text(item, "label", path),
                    method=str(method),
                    items=tuple(items),
                    item_max=max(maxima, default=0),
                    meaning=self.text(item, "meaning", path),
                    bands=tuple(bands),
                    sources=self.texts(item, "sources", path, translated=False),
                    change_percent=change_percent,
                )
        return scores

    def topics(
        self, raw: Mapping[str, Any], questions: Mapping[str, Question], scores: Mapping[str, Score]
    ) -> dict[str, Topic]:
        topics: dict[str, Topic] = {}
        for path, item in self.items(raw, "topics", ""):
            topic_id = self.ident(item, path, set(topics), "topic")
            tried_when = None
            if item.get("tried_when") is not None:
                tried_when = parse_condition(
                    item["tried_when"], f"{path}.tried_when", questions, scores, self.errors, allow_scores=False
                )
            topic = Topic(
                id=topic_id,
                title=self.text(item, "title", path),
                summary=self.text(item, "summary", path),
                involves=self.text(item, "involves", path),
                benefits=self.text(item, "benefits", path),
                risks=self.text(item, "risks", path),
                questions=self.texts(item, "questions", path),
                sources=self.texts(item, "sources", path, translated=False),
                tried=self.text(item, "tried", path, required="tried_when" in item),
                tried_when=tried_when,
            )
            if "tried" in item and "tried_when" not in item:
                self.fail(f"{path}.tried", "a topic's tried text needs tried_when: the answers that say it was tried")
            if topic_id:
                topics[topic_id] = topic
        return topics

    def rules(
        self,
        raw: Mapping[str, Any],
        questions: Mapping[str, Question],
        scores: Mapping[str, Score],
        topics: Mapping[str, Topic],
    ) -> list[Rule]:
        rules = []
        for path, item in self.items(raw, "rules", ""):
            rule_id = self.ident(item, path, self.rule_ids, "rule")
            when = parse_condition(item.get("when"), f"{path}.when", questions, scores, self.errors)
            urgency = None
            if item.get("urgency") is not None:
                urgency = self.enum(item["urgency"], f"{path}.urgency", Urgency, ", ".join(u.value for u in Urgency))
            guidance = item.get("guidance") or []
            if not isinstance(guidance, list):
                self.fail(f"{path}.guidance", "expected a list of topic ids")
                guidance = []
            for i, topic_id in enumerate(guidance):
                if topic_id not in topics:
                    self.fail(f"{path}.guidance[{i}]", f"unknown topic {topic_id!r}")
            if urgency is None and not guidance:
                self.fail(path, "a rule needs an urgency, guidance, or both")
            message = self.text(item, "message", path, required=urgency is not None)
            short = self.text(item, "short", path, required=False)
            if rule_id and when is not None:
                rules.append(Rule(rule_id, when, urgency, message, tuple(guidance), short))
        return rules

    def safety_net(
        self, raw: Mapping[str, Any], questions: Mapping[str, Question], scores: Mapping[str, Score]
    ) -> tuple[SafetyGroup, ...]:
        groups = []
        for path, item in self.items(raw, "safety_net", ""):
            urgency = self.enum(item.get("urgency"), f"{path}.urgency", Urgency, "emergency, urgent")
            if urgency is not None and urgency < Urgency.URGENT:
                self.fail(f"{path}.urgency", "a safety-net group is for emergency or urgent signs")
            signs = []
            for s_path, s_raw in self.items(item, "signs", f"{path}."):
                when = None
                if s_raw.get("when") is not None:
                    when = parse_condition(
                        s_raw["when"], f"{s_path}.when", questions, scores, self.errors, allow_scores=False
                    )
                signs.append(SafetySign(self.text(s_raw, "text", s_path), when))
            if urgency is not None:
                groups.append(SafetyGroup(urgency, self.text(item, "action", path), tuple(signs)))
        return tuple(groups)

    def key_facts(self, raw: Mapping[str, Any], questions: Mapping[str, Question]) -> tuple[str, ...]:
        value = raw.get("key_facts")
        if not isinstance(value, list) or not value:
            self.fail("key_facts", "expected a list of question ids (the facts the staff need first)")
            return ()
        for i, question_id in enumerate(value):
            question = questions.get(question_id) if isinstance(question_id, str) else None
            if question is None:
                self.fail(f"key_facts[{i}]", f"unknown question {question_id!r}")
            elif not question.choices:
                self.fail(f"key_facts[{i}]", f"question {question_id!r} has no choices to name")
        return tuple(str(q) for q in value)

    def compare(
        self, raw: Mapping[str, Any], questions: Mapping[str, Question], scores: Mapping[str, Score]
    ) -> tuple[tuple[str, ...], str | None]:
        """`compare`: the scores shown then and now, and the checklist of treatments (both optional)."""
        value = raw.get("compare", {})
        if not isinstance(value, Mapping) or set(value) - {"scores", "treatments"}:
            self.fail("compare", "expected a mapping with `scores` (a list of score ids) and `treatments`")
            return (), None
        shown = value.get("scores", [])
        if not isinstance(shown, list):
            self.fail("compare.scores", "expected a list of score ids")
            shown = []
        for i, score_id in enumerate(shown):
            score = scores.get(score_id) if isinstance(score_id, str) else None
            if score is None:
                self.fail(f"compare.scores[{i}]", f"unknown score {score_id!r}")
            elif score.change_percent is None and not score.bands:
                self.fail(f"compare.scores[{i}]", f"score {score_id!r} needs `change.percent` or bands to compare")
        treatments = value.get("treatments")
        if treatments is not None:
            question = questions.get(treatments) if isinstance(treatments, str) else None
            if question is None or question.kind is not Kind.MULTIPLE_CHOICE:
                self.fail("compare.treatments", f"expected the id of a multiple_choice question, got {treatments!r}")
                treatments = None
        return tuple(str(s) for s in shown), treatments

    def tiers(self, raw: Mapping[str, Any]) -> dict[Urgency, TierText]:
        tiers_raw = raw.get("tiers")
        if not isinstance(tiers_raw, Mapping):
            self.fail("tiers", "expected a mapping with emergency, urgent, soon and routine")
            return {}
        tiers = {}
        for urgency in Urgency:
            item = tiers_raw.get(urgency.value)
            if not isinstance(item, Mapping):
                self.fail(f"tiers.{urgency.value}", "missing")
                continue
            path = f"tiers.{urgency.value}"
            tiers[urgency] = TierText(self.text(item, "heading", path), self.text(item, "action", path))
        return tiers

    def cases(self, raw: Mapping[str, Any], questions: Mapping[str, Question]) -> list[Case]:
        cases: list[Case] = []
        for path, item in self.items(raw, "cases", ""):
            answers = item.get("answers") or {}
            if not isinstance(answers, Mapping):
                self.fail(f"{path}.answers", "expected a mapping of question id to answer")
                continue
            try:
                coerce_all(questions, answers, "lenient")
            except AnswerError as error:
                self.fail(f"{path}.answers.{error.question_id}", error.problem)
                continue
            urgency = self.enum(item.get("urgency"), f"{path}.urgency", Urgency, "emergency, urgent, soon, routine")
            lists = {}
            for key in ("fired", "not_fired", "guidance"):
                values = item.get(key) or []
                if not isinstance(values, list):
                    self.fail(f"{path}.{key}", "expected a list of ids")
                    values = []
                if key != "guidance":
                    for i, rule_id in enumerate(values):
                        if rule_id not in self.rule_ids:
                            self.fail(f"{path}.{key}[{i}]", f"unknown rule {rule_id!r}")
                lists[key] = tuple(values)
            if urgency is not None:
                cases.append(
                    Case(
                        name=" ".join(str(item.get("name") or f"case {len(cases) + 1}").split()),
                        answers=dict(answers),
                        urgency=urgency,
                        fired=lists["fired"],
                        not_fired=lists["not_fired"],
                        guidance=lists["guidance"],
                    )
                )
        return cases


def _must_match(text: str) -> list[str]:
    """The numbers and {placeholders} of a text, which every translation must keep."""
    return sorted(re.findall(r"\{\w+\}|\d+", text))


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_bank(bank: Bank) -> list[str]:
    """Semantic checks on a structurally sound bank; returns every problem found."""
    problems: list[str] = []
    places = _question_places(bank)
    problems += _check_show_if(bank, places)
    if problems:  # the searches below assume acyclic, backward-looking show_if
        return problems
    problems += _check_red_flags(bank, places)
    problems += _check_steps(bank)
    problems += _check_reachable(bank)
    problems += _check_cases(bank)
    problems += _check_safety_net(bank)
    return problems


MIN_SAFETY_SIGNS = 3  # every result names at least this many warning signs, whatever was answered


def _check_safety_net(bank: Bank) -> list[str]:
    """Every result must name warning signs that need the emergency number and signs that need
    the team the same day, and at least MIN_SAFETY_SIGNS of them for every patient."""
    problems = []
    urgencies = {group.urgency for group in bank.safety_net}
    for urgency in (Urgency.EMERGENCY, Urgency.URGENT):
        if urgency not in urgencies:
            problems.append(f"safety_net: needs a group of {urgency.value} signs")
    always = sum(1 for group in bank.safety_net for sign in group.signs if sign.when is None)
    if always < MIN_SAFETY_SIGNS:
        problems.append(
            f"safety_net: needs at least {MIN_SAFETY_SIGNS} signs shown to everyone (no when), has {always}"
        )
    return problems


def _question_places(bank: Bank) -> dict[str, str]:
    places = {}
    for s_index, section in enumerate(bank.sections):
        for q_index, question_id in enumerate(section.question_ids):
            places[question_id] = f"sections[{s_index}].questions[{q_index}]"
    return places


def _check_show_if(bank: Bank, places: Mapping[str, str]) -> list[str]:
    problems = []
    deps = {q.id: questions_in(q.show_if, bank.scores) if q.show_if else frozenset() for q in bank.questions.values()}
    for cycle in _cycles(deps):
        problems.append(f"{places[cycle[0]]}.show_if: show_if cycle: {' -> '.join(cycle)}")
    section_index = {s.id: i for i, s in enumerate(bank.sections)}
    for question in bank.questions.values():
        for dep in sorted(deps[question.id]):
            if section_index[bank.questions[dep].section] >= section_index[question.section]:
                problems.append(
                    f"{places[question.id]}.show_if: {question.id!r} depends on {dep!r}, "
                    "which must be asked in an earlier section"
                )
    return problems


def _cycles(deps: Mapping[str, frozenset[str]]) -> list[list[str]]:
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for dep in sorted(deps.get(node, ())):
            if state.get(dep) == 1:
                cycles.append([*path[path.index(dep) :], node, dep] if dep in path else [node, dep])
            elif dep not in state:
                visit(dep, [*path, node])
        state[node] = 2

    for node in deps:
        if node not in state:
            visit(node, [])
    return cycles


def _check_red_flags(bank: Bank, places: Mapping[str, str]) -> list[str]:
    problems = []
    serious = {q.id for q in bank.questions.values() if q.red_flag in (Urgency.URGENT, Urgency.EMERGENCY)}
    for rule in bank.rules:
        if rule.urgency in (Urgency.URGENT, Urgency.EMERGENCY):
            serious |= questions_in(rule.when, bank.scores)
    for question_id in sorted(serious):
        problems += _check_gated(bank, bank.questions[question_id], places)
    for question in bank.questions.values():
        if question.red_flag is None:
            continue
        if question.kind not in YES_NO_KINDS:
            problems.append(f"{places[question.id]}.red_flag: only a yes/no question can be a red flag")
            continue
        got = evaluate_answers(bank, {question.id: YES}).urgency
        if got < question.red_flag:
            problems.append(
                f"{places[question.id]}.red_flag: answering yes to {question.id!r} alone gives "
                f"{got.value}, below its declared {question.red_flag.value}"
            )
        if question.kind is Kind.YES_NO_UNSURE and question.red_flag is Urgency.EMERGENCY:
            got = evaluate_answers(bank, {question.id: UNSURE}).urgency
            if got < Urgency.URGENT:
                problems.append(
                    f"{places[question.id]}.red_flag: 'not sure' on emergency sign {question.id!r} "
                    f"gives {got.value}; it must give at least urgent"
                )
    return problems


def _check_gated(bank: Bank, question: Question, places: Mapping[str, str]) -> list[str]:
    """A red-flag question may be hidden only by a gate the patient cannot get wrongly.

    Every question its show_if reads must have a "not sure" answer, and the question must be
    shown when those gates are unanswered or answered "not sure"; the condition may not use
    `not`, so that saying more (a region, a device, a medicine) can only show more questions.
    """
    if question.show_if is None:
        return []
    where = f"{places[question.id]}.show_if"
    if any(node.op == "not" for node in walk(question.show_if)):
        return [f"{where}: red-flag question {question.id!r} may not be hidden by a `not` condition"]
    problems = []
    gates = sorted(questions_in(question.show_if, bank.scores))
    trials: list[dict[str, Answer]] = [{}]
    for gate_id in gates:
        gate = bank.questions[gate_id]
        if not gate.not_sure_codes or gate.show_if is not None:
            problems.append(
                f"{where}: red-flag question {question.id!r} depends on {gate_id!r}, which must always be asked "
                "and have a 'not sure' answer"
            )
        for code in gate.not_sure_codes:
            trials.append({gate_id: frozenset({code}) if gate.kind is Kind.MULTIPLE_CHOICE else code})
    for trial in trials:
        if not answers_meet(bank, question.show_if, trial):
            said = ", ".join(f"{k} = {sorted(v) if isinstance(v, frozenset) else v}" for k, v in trial.items())
            problems.append(
                f"{where}: red-flag question {question.id!r} is hidden when {said or 'nothing is answered'}; "
                "it must be shown whenever the patient is not sure"
            )
    return problems


def _check_steps(bank: Bank) -> list[str]:
    """Once the first page is answered, the pages still to come are known (the step total holds).

    Every page but a follow-up one must be shown whatever is answered after the first page:
    it has a question that is always shown, or its questions depend only on first-page answers.
    """
    if not bank.sections:
        return []
    first = bank.sections[0]
    problems = []
    if first.follow_up:
        problems.append("sections[0].follow_up: the first page cannot be a follow-up page")
    for index, section in enumerate(bank.sections[1:], start=1):
        if section.follow_up:
            continue
        gates = [bank.questions[q].show_if for q in section.question_ids]
        if any(gate is None for gate in gates):
            continue
        read = frozenset().union(*(questions_in(gate, bank.scores) for gate in gates if gate is not None))
        later = sorted(read - set(first.question_ids))
        if later:
            problems.append(
                f"sections[{index}]: whether page {section.id!r} is shown depends on {', '.join(map(repr, later))}, "
                "asked after the first page, so the step total could change; give it a question that is always "
                "shown, gate it on first-page answers only, or mark it `follow_up: true`"
            )
    return problems


def _check_reachable(bank: Bank) -> list[str]:
    problems = []
    places = _question_places(bank)
    for question in bank.questions.values():
        if question.show_if is not None:
            problems += _search(bank, question.show_if, f"{places[question.id]}.show_if", "can never be shown")
    fired_topics: set[str] = set()
    for index, rule in enumerate(bank.rules):
        found = _search(bank, rule.when, f"rules[{index}]", f"rule {rule.id!r} can never fire")
        problems += found
        if not found:
            fired_topics.update(rule.guidance)
    for index, topic_id in enumerate(bank.topics):
        if topic_id not in fired_topics:
            problems.append(f"topics[{index}]: topic {topic_id!r} is not used by any rule that can fire")
    return problems


def _search(bank: Bank, condition: Condition, path: str, failure: str) -> list[str]:
    try:
        found = analysis.find_answers(bank, condition)
    except analysis.TooComplex as error:
        return [f"{path}: too complex to check ({error}); split the condition"]
    return [f"{path}: {failure}"] if found is None else []


def _check_cases(bank: Bank) -> list[str]:
    problems = []
    for index, case in enumerate(bank.cases):
        path = f"cases[{index}] ({case.name})"
        outcome = evaluate_answers(bank, coerce_all(bank.questions, case.answers, "lenient"))
        if outcome.urgency is not case.urgency:
            problems.append(f"{path}: expected {case.urgency.value}, got {outcome.urgency.value}")
        for rule_id in case.fired:
            if rule_id not in outcome.fired_rules:
                problems.append(f"{path}: expected rule {rule_id!r} to fire")
        for rule_id in case.not_fired:
            if rule_id in outcome.fired_rules:
                problems.append(f"{path}: expected rule {rule_id!r} not to fire")
        for topic_id in case.guidance:
            if topic_id not in outcome.guidance:
                problems.append(f"{path}: expected guidance {topic_id!r}")
    return problems
