"""The two references the app is measured against, served the same way (gunicorn.conf.py).

`app`, the fair baseline: a bare Flask page rendering a small Jinja template from a file, which
Jinja compiles once and keeps (as the real app's templates are). `limit`: a WSGI app that
answers b"ok" and does nothing else, the most this machine and gunicorn can serve.
"""

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask import Flask, render_template

app = Flask(__name__, template_folder=str(Path(__file__).resolve().parent / "templates"))


@app.get("/")
def index() -> str:
    return render_template("baseline.html", title="Baseline", items=["one", "two", "three"])


def limit(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]
