# The project's commands. `make run` and `make test` work from a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
PORT ?= 8000

.PHONY: install check test run bench lock clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: install
	scripts/ensure-chromium
	scripts/ensure-pgbouncer
	$(BIN)/pytest

run: install
	$(BIN)/catalog migrate
	$(BIN)/catalog serve --host 127.0.0.1 --port $(PORT)

bench: install
	bench/run

# Re-records the full set of pinned versions (names and versions only, no hosts or URLs).
lock:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > constraints.txt

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache catalog.db*
