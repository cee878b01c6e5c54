"""The handoff code: the answers themselves, compact, versioned and signed; nothing stored on the server."""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, Signer

from fbss_check.answers import AnswerError, coerce, to_json
from fbss_check.compare import EarlierCheck
from fbss_check.legacy import upgrade_answers
from fbss_check.model import Answer, Bank

from .forms import clean_visit_question

SALT = "fbss-check handoff"
FORMAT = 1
# A preset zlib dictionary of the contract's question ids and answer words: the codes compress
# to a third of their size, so the QR code stays small. Never change it for FORMAT 1; a new
# dictionary needs a new FORMAT (older codes must still open).
DICTIONARY_1 = " ".join(
    [
        '{"f":1,"v":"1.0.0","d":"2026-',
        '"c":null,"a":{',
        "true",
        "false",
        '"unsure"',
        "weeks_since_surgery surgery_type fusion discectomy decompression disc_replacement other not_sure",
        "operations_count bladder_control_change bowel_control_change saddle_numbness sexual_function_change",
        "both_legs_symptoms chest_pain_or_breathless very_unwell serious_injury new_leg_weakness fever",
        "wound_problem calf_swelling headache_upright pain_uncontrolled recent_fall_or_injury cancer_history",
        "weight_loss_or_night_pain pain_persisting pain_where lower_back buttocks_hips left_leg right_leg",
        "upper_back_neck arms pain_trend better same worse new_level_pain original_symptoms_returned",
        "numbness_tingling hardware_concern mobility_limited peg_pain peg_enjoyment peg_activity",
        "phq4_interest phq4_down phq4_nervous phq4_worry sleep_poor smoker treatments_tried physical_therapy",
        "medication injections nerve_ablation spinal_cord_stimulation intrathecal_pump psychological_therapy",
        "revision_surgery regenerative_therapy",
    ]
).encode()


class InvalidCode(ValueError):
    """A share code that was altered, cut short, or never made by this app."""


@dataclass(frozen=True)
class Handoff:
    """What a share code carries, read back against the current bank."""

    answers: dict[str, Answer]
    bank_version: str
    made_on: date
    clinic: str | None
    dropped: tuple[str, ...]  # answers the current bank no longer understands
    language: str | None = None  # the language the patient answered in (codes before it have none)
    visit_question: str = ""  # the patient's own question for the visit, in their words (may be empty)
    # Today's questions whose answers came from a question an older bank asked another way.
    mapped: tuple[str, ...] = ()

    def as_earlier(self) -> EarlierCheck:
        """This check as the earlier one of a comparison."""
        retired = tuple(note.split(":", 1)[0] for note in self.dropped)
        return EarlierCheck(self.answers, self.made_on, self.bank_version, self.mapped, retired)


def _signer(secret: str | bytes) -> Signer:
    return Signer(secret, salt=SALT)


def make_code(
    secret: str | bytes,
    bank: Bank,
    answers: Mapping[str, Answer],
    clinic: str | None,
    made_on: date,
    language: str | None = None,
    visit_question: str = "",
) -> str:
    """A URL-safe code: the answers as compact JSON, compressed, base64url, then an HMAC signature."""
    payload: dict[str, Any] = {
        "f": FORMAT,
        "v": bank.version,
        "d": made_on.isoformat(),
        "c": clinic,
        "a": to_json(answers, bank.questions),
    }
    if language is not None:
        payload["l"] = language  # optional, so FORMAT 1 codes made before it still read
    if visit_question:
        # The patient's question travels with the answers it belongs to: the same signature covers
        # it, the reader cuts it to its size limit, and every page escapes it (README, "Sharing").
        payload["q"] = visit_question
    text = json.dumps(payload, separators=(",", ":")).encode()
    packer = zlib.compressobj(level=9, zdict=DICTIONARY_1)
    packed = base64.urlsafe_b64encode(packer.compress(text) + packer.flush()).rstrip(b"=")
    return _signer(secret).sign(packed).decode()


def read_code(secret: str | bytes, bank: Bank, code: str) -> Handoff:
    """Check the signature and read the answers; raise InvalidCode for anything else."""
    try:
        signer = _signer(secret)
        packed = signer.unsign(code.encode("ascii"))
        if signer.sign(packed).decode() != code:
            # The last base64 character of a signature carries spare bits: a code that differs
            # only there would still verify. Only the one canonical spelling is accepted.
            raise InvalidCode(_l("this code was changed"))
        unpacker = zlib.decompressobj(zdict=DICTIONARY_1)
        raw = base64.urlsafe_b64decode(packed + b"=" * (-len(packed) % 4))
        text = unpacker.decompress(raw, 64 * 1024)
        payload: Any = json.loads(text)
    except (BadData, UnicodeError, ValueError, RecursionError, zlib.error) as error:
        raise InvalidCode(_l("this code was changed, cut short, or not made here")) from error
    if not isinstance(payload, dict) or payload.get("f") != FORMAT or not isinstance(payload.get("a"), dict):
        raise InvalidCode(_l("this code is in a format this app does not read"))
    try:
        made_on = date.fromisoformat(str(payload.get("d")))
    except ValueError as error:
        raise InvalidCode(_l("this code has no valid date")) from error
    try:
        upgraded = upgrade_answers(payload["a"])
    except (TypeError, ValueError, AttributeError, RecursionError, OverflowError) as error:
        raise InvalidCode(_l("this code is in a format this app does not read")) from error
    answers, dropped = _answers(bank, upgraded)
    mapped = tuple(sorted(set(answers) - set(payload["a"])))
    clinic, language, question = payload.get("c"), payload.get("l"), payload.get("q")
    return Handoff(
        answers,
        str(payload.get("v")),
        made_on,
        clinic if isinstance(clinic, str) else None,
        tuple(dropped),
        language if isinstance(language, str) else None,
        clean_visit_question(question) if isinstance(question, str) else "",
        mapped,
    )


def _answers(bank: Bank, raw: Mapping[str, Any]) -> tuple[dict[str, Answer], list[str]]:
    """The answers the current bank understands, and the others as `question: value` notes."""
    answers: dict[str, Answer] = {}
    dropped = []
    for question_id, value in raw.items():
        question = bank.questions.get(question_id)
        try:
            if question is None:
                raise AnswerError(question_id, "no longer asked")
            answers[question_id] = coerce(question, value, "json")
        except (AnswerError, TypeError, RecursionError, OverflowError):
            dropped.append(f"{question_id}: {str(value)[:40]}")
    return answers, dropped
