"""The `fbss-check` command: validate a bank, evaluate a file of answers."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from . import evaluate, load_bank
from .answers import AnswerError
from .bank import DEFAULT_BANK_PATH, BankError
from .model import DEFAULT_LANGUAGE


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status (0 fine, 1 bank problems, 2 bad input)."""
    parser = argparse.ArgumentParser(prog="fbss-check", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    validate_cmd = commands.add_parser("validate", help="check a question bank; exit 1 listing every problem")
    validate_cmd.add_argument(
        "path", nargs="?", default=str(DEFAULT_BANK_PATH), help="bank file (default: %(default)s)"
    )
    evaluate_cmd = commands.add_parser("evaluate", help="evaluate a JSON file of answers ('-' for stdin)")
    evaluate_cmd.add_argument("answers", help="JSON object of answers keyed by question id")
    evaluate_cmd.add_argument("--bank", default=str(DEFAULT_BANK_PATH), help="bank file (default: %(default)s)")
    evaluate_cmd.add_argument(
        "--language", default=DEFAULT_LANGUAGE, help="language of the flag messages, e.g. es (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    if args.command == "validate":
        return _validate(args.path)
    return _evaluate(args.answers, args.bank, args.language)


def _validate(path: str) -> int:
    try:
        bank = load_bank(path)
    except BankError as error:
        print(error, file=sys.stderr)
        return 1
    print(
        f"{path}: OK: version {bank.version}, reviewed {bank.review_date.isoformat()}, "
        f"{len(bank.sections)} sections, {len(bank.questions)} questions, {len(bank.rules)} rules, "
        f"{len(bank.topics)} topics, {len(bank.cases)} clinical cases passed, languages {', '.join(bank.languages)}"
    )
    return 0


def _evaluate(answers_path: str, bank_path: str, language: str) -> int:
    try:
        bank = load_bank(bank_path)
    except BankError as error:
        print(error, file=sys.stderr)
        return 1
    if language not in bank.languages:
        return _bad_input(f"--language: the bank has no {language!r} text; it has {', '.join(bank.languages)}")
    try:
        text = sys.stdin.read() if answers_path == "-" else Path(answers_path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return _bad_input(f"{answers_path}: cannot read: {error}")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        return _bad_input(f"{answers_path}: not JSON: {error}")
    if not isinstance(raw, dict):
        return _bad_input(f"{answers_path}: expected a JSON object of answers keyed by question id")
    try:
        outcome = evaluate(raw, bank.in_language(language))
    except AnswerError as error:
        return _bad_input(str(error))
    print(json.dumps(outcome.to_dict(), indent=2))
    return 0


def _bad_input(message: str) -> int:
    print(f"fbss-check: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
