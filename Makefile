# The two commands of the README: `make run` and `make test`. Each sets up what it needs.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Interface translations: the .po files are the source, compiled to .mo (never committed).
CATALOGS := $(patsubst %.po,%.mo,$(wildcard fbss_check/web/translations/*/LC_MESSAGES/messages.po))

.PHONY: run test bench clean translations

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile -i $< -o $@

translations: $(CATALOGS)

# A fresh random SECRET_KEY each run unless one is set: fine on one machine, for trying it out.
run: $(STAMP) $(CATALOGS)
	SECRET_KEY="$${SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_hex(32))')}" \
		$(BIN)/flask --app app run

test: $(STAMP) $(CATALOGS)
	scripts/ensure-chromium
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/fbss-check validate questions.yaml
	$(BIN)/python -m pytest

# Load test on 127.0.0.1 against a bare Flask baseline; about a minute.
bench: $(STAMP) $(CATALOGS)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/run.py --json benchmarks/results.json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
