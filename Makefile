# The few commands people type. Everything runs from the project's own virtualenv (.venv).
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: dev run test lint format bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

dev: $(BIN)/python  ## install ogplatform with every extra and the dev tools, editable
	$(BIN)/pip install -e '.[dev]'

run: $(BIN)/python  ## start the service on the embedded defaults (litestar.toml)
	$(BIN)/pip install -q -e .
	$(BIN)/ogplatform serve

test: dev  ## the whole test suite (PostgreSQL and Redis tests need the local servers)
	$(BIN)/python -m pytest

lint:  ## ruff check + format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench:  ## benchmark harness: figures as ratios against an in-run baseline
	$(BIN)/python -m benchmarks

clean:
	rm -rf var .pytest_cache .ruff_cache .mypy_cache
