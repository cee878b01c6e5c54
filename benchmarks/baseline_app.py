"""The baseline: a bare Flask page rendering a small Jinja template, served the same way."""

from flask import Flask, render_template_string

app = Flask(__name__)
PAGE = """<!doctype html><html lang="en"><head><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1>{% for item in items %}<p>{{ item }}</p>{% endfor %}</main></body></html>"""


@app.get("/")
def index() -> str:
    return render_template_string(PAGE, title="Baseline", items=["one", "two", "three"])
