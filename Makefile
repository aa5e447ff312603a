# The project's commands. `make run` and `make test` work from a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
PORT ?= 8000

.PHONY: install check test run bench lock clean

install: $(STAMP)

# uv installs the pinned set in seconds; pip is the fallback (scripts/venv says how).
$(STAMP): pyproject.toml constraints.txt
	PYTHON=$(PYTHON) scripts/venv install $(VENV) dev
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

# `serve` migrates first (CATALOG_AUTO_MIGRATE, on by default), once.
run: install
	$(BIN)/catalog serve --host 127.0.0.1 --port $(PORT)

bench: install
	bench/run

# Re-records the full set of pinned versions (names and versions only, no hosts or URLs).
lock:
	scripts/venv freeze $(VENV) > constraints.txt

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache catalog.db*
