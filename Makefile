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
# Links and QR codes point at the local address unless FBSS_PUBLIC_URL says otherwise.
run: $(STAMP) $(CATALOGS)
	SECRET_KEY="$${SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_hex(32))')}" \
		FBSS_PUBLIC_URL="$${FBSS_PUBLIC_URL:-http://127.0.0.1:5000}" \
		$(BIN)/flask --app app run --host 127.0.0.1 --port 5000

test: $(STAMP) $(CATALOGS)
	scripts/ensure-test-packages
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
