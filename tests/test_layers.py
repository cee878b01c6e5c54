"""The core imports no Flask: it can be used from the command line and other tools alone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_the_core_package_imports_no_web_framework() -> None:
    code = (
        "import sys, fbss_check, fbss_check.cli, fbss_check.analysis;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'flask_wtf', 'wtforms', 'jinja2', 'werkzeug')];"
        "print(','.join(bad)); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"core imported: {result.stdout}{result.stderr}"


WEB = Path(__file__).resolve().parent.parent / "fbss_check" / "web"


def test_only_the_request_context_reads_the_apps_extensions() -> None:
    readers = sorted(path.name for path in WEB.glob("*.py") if "extensions" in path.read_text(encoding="utf-8"))
    assert readers == ["context.py"]


def test_the_clinicians_pages_sit_beside_the_questionnaire_not_on_it() -> None:
    source = (WEB / "clinicians.py").read_text(encoding="utf-8")
    assert "from .views" not in source and "import views" not in source
