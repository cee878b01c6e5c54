"""The core imports no Flask: it can be used from the command line and other tools alone."""

from __future__ import annotations

import subprocess
import sys


def test_the_core_package_imports_no_web_framework() -> None:
    code = (
        "import sys, fbss_check, fbss_check.cli, fbss_check.analysis;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'flask_wtf', 'wtforms', 'jinja2', 'werkzeug')];"
        "print(','.join(bad)); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"core imported: {result.stdout}{result.stderr}"
