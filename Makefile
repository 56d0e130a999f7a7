# The two commands: `make demo` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB := .demo/demo.db
# The suite runs on TEST_WORKERS processes (pytest-xdist; each starts its own throwaway
# PostgreSQL); tests marked with one xdist_group run on one worker, one after another.
# `make test TEST_WORKERS=0` runs it in a single process. The slowest tests are listed at the end.
TEST_WORKERS ?= 3
PYTEST_ARGS ?= -n $(TEST_WORKERS) --dist loadgroup --durations=15

.PHONY: demo test lint bench venv clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("deskui needs Python >= 3.11") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps re-run the install whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@ $(VENV)/.installed $(VENV)/.installed-test

venv: $(VENV)/.installed

## Build a fresh demo database from the bundled sample data (deskui/sample_data, also reached as
## sample_data/) with tickets spread around now, and open the app.
demo: $(VENV)/.installed
	$(BIN)/deskui --db sqlite:///$(DEMO_DB) demo

## Lint, import contracts, types, then the whole test suite (SQLite and a real PostgreSQL).
test: lint
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

## Speed and memory benchmarks; figures are printed, not asserted.
bench: $(VENV)/.installed-bench
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .demo .pytest_cache .ruff_cache .hypothesis
