"""The `fbss-check` command: validate and evaluate, with exit codes and clean errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from fbss_check.cli import main
from tests.conftest import BANK_PATH


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_prints_one_line_and_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "validate", str(BANK_PATH))
    assert code == 0 and err == ""
    assert len(out.strip().splitlines()) == 1 and "OK" in out and "version 2.3.0" in out


def test_validate_lists_every_problem_and_exits_one(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    raw = yaml.safe_load(BANK_PATH.read_text(encoding="utf-8"))
    raw["topics"][0]["summary"] = ""
    raw["rules"][0]["when"] = {"question": "bladder", "is": True}
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(raw), encoding="utf-8")
    code, out, err = run(capsys, "validate", str(broken))
    assert code == 1 and out == ""
    assert "2 problem(s)" in err
    assert "rules[0].when.question: unknown question 'bladder'" in err
    assert "topics[0].summary: missing text" in err


def test_evaluate_prints_the_json_contract(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"saddle_numbness": True, "pain_trend": "worse", "treatments_tried": []}))
    code, out, err = run(capsys, "evaluate", str(answers), "--bank", str(BANK_PATH))
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["urgency"] == "emergency"
    assert data["flags"][0] == {
        "id": "saddle_numbness",
        "urgency": "emergency",
        "message": data["flags"][0]["message"],
        "because": ["saddle_numbness"],
    }
    assert data["bank_version"] == "2.3.0"
    assert "questions_for_your_doctor" in data["guidance"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("{not json", "not JSON", id="not-json"),
        pytest.param("[1, 2]", "expected a JSON object", id="not-object"),
        pytest.param('{"bladder": true}', "bladder: unknown question", id="unknown-id"),
        pytest.param('{"fever": 1}', "fever: expected true, false", id="wrong-type"),
        pytest.param('{"peg_pain": 12}', "peg_pain: 12 is out of range", id="out-of-range"),
        pytest.param('{"surgery_type": "laser"}', "surgery_type: 'laser' is not a choice", id="not-a-choice"),
        pytest.param(b"\xff\xfe{}", "cannot read", id="not-utf8"),
    ],
)
def test_bad_answers_exit_two_with_one_line_on_stderr_and_nothing_on_stdout(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str | bytes, message: str
) -> None:
    answers = tmp_path / "answers.json"
    if isinstance(content, bytes):
        answers.write_bytes(content)
    else:
        answers.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "evaluate", str(answers))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err


def test_a_missing_answers_file_exits_two(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "evaluate", str(tmp_path / "none.json"))
    assert code == 2 and out == "" and "cannot read" in err


def test_the_installed_command_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "fbss_check.cli", "evaluate", "-"],
        input='{"fever": "unsure"}',
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["urgency"] == "urgent"


def test_evaluate_gives_the_flag_messages_in_the_language_asked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"fever": True}), encoding="utf-8")
    _, english, _ = run(capsys, "evaluate", str(answers))
    code, spanish, err = run(capsys, "evaluate", str(answers), "--language", "es")
    assert code == 0 and err == ""
    en, es = json.loads(english), json.loads(spanish)
    assert {k: v for k, v in es.items() if k != "flags"} == {k: v for k, v in en.items() if k != "flags"}
    assert [f["id"] for f in es["flags"]] == [f["id"] for f in en["flags"]] == ["fever"]
    assert es["flags"][0]["message"] != en["flags"][0]["message"] and "fiebre" in es["flags"][0]["message"].lower()


def test_evaluate_refuses_a_language_the_bank_lacks(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text("{}", encoding="utf-8")
    code, out, err = run(capsys, "evaluate", str(answers), "--language", "fr")
    assert code == 2 and out == "" and "'fr'" in err
