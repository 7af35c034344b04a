# audionews: `make run` serves the sample articles; `make test` runs the whole test suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 5000
HOST ?= 127.0.0.1
# `make run` installs only what running needs; the test tools come with `make test`/`lint`.
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

.PHONY: install run test lint format bench wheel clean

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "audionews needs Python >= 3.11 (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml setup.py | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	touch $(RUN_STAMP)

$(TEST_STAMP): pyproject.toml setup.py | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(TEST_STAMP) $(RUN_STAMP)

install: $(TEST_STAMP)

run: $(RUN_STAMP)
	$(VENV)/bin/audionews import --samples --wait
	$(VENV)/bin/audionews serve --dev --host $(HOST) --port $(PORT)

test: $(TEST_STAMP)
	$(PY) -m pytest

lint: $(TEST_STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

format: $(TEST_STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: $(TEST_STAMP)
	$(PY) -m bench

# The sdist and, built from it, the wheel (into dist/); `.ci/wheel-smoke` tries them out.
wheel: $(TEST_STAMP)
	$(PY) -m build --outdir dist .

clean:
	rm -rf $(VENV) instance media/* dist build .pytest_cache .mypy_cache .ruff_cache
