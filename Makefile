# Agora: `make run` serves a demo on SQLite, `make test` runs the suite. Only Python 3.11+ needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
INSTALLED_DEV := $(VENV)/.installed-dev
PYTEST_ARGS ?=

.PHONY: install install-dev run test test-browser fuzz bench bench-exam lint format migration messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(INSTALLED_DEV): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(INSTALLED)

install: $(INSTALLED)
install-dev: $(INSTALLED_DEV)

## Create the venv, migrate, load courses_seed/ and demo accounts, serve on :8000
run: install
	$(BIN)/agora db upgrade
	$(BIN)/agora seed --demo
	$(BIN)/agora serve

## The whole suite except the browser journeys (SQLite, or TEST_DATABASE_URL)
test: install-dev
	$(BIN)/pytest -m "not browser and not fuzz" $(PYTEST_ARGS)

## Schemathesis against the whole API, all checks, fixed seed (SQLite, or TEST_DATABASE_URL)
fuzz: install-dev
	$(BIN)/pytest -m fuzz -p no:cacheprovider -s tests/test_api_fuzz.py $(PYTEST_ARGS)

## Browser journeys in Debian's Chromium (/usr/bin/chromium)
test-browser: install-dev tests/browser/node_modules
	$(BIN)/pytest -m browser $(PYTEST_ARGS)

tests/browser/node_modules: tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund
	touch $@

## Load benchmark (wrk; SQLite and PostgreSQL): make bench SIZE=S|L DB="sqlite postgres" (XL: PostgreSQL only)
SIZE ?= S
DB ?= sqlite postgres
DURATION ?= 5
bench: install-dev
	@command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 1; }
	$(BIN)/python -m bench.run --size $(SIZE) --db $(DB) --duration $(DURATION)

## The exam rush (bench/exam.py): make bench-exam DB="postgres sqlite" WINDOW=60
WINDOW ?= 60
bench-exam: install-dev
	@command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 1; }
	$(BIN)/python -m bench.run --scenario exam --size $(SIZE) --db $(DB) --window $(WINDOW) \
		--duration $(DURATION)

lint: install-dev
	$(BIN)/ruff check app tests bench migrations/env.py
	$(BIN)/ruff format --check app tests bench migrations/env.py
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install-dev
	$(BIN)/ruff format app tests bench migrations/env.py
	$(BIN)/ruff check --fix app tests bench migrations/env.py

## make migration m="add ects to courses"
migration: install-dev
	$(BIN)/alembic revision --autogenerate -m "$(m)"

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

## Extract translatable strings and merge them into every catalogue
messages: install-dev
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext -k ngettext:1,2 -k N_ --no-location --omit-header -o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --ignore-obsolete
