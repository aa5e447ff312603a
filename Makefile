# The project's commands. `make run` and `make test` work from a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PINS := $(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
STAMP := $(VENV)/.installed-dev-$(PINS)
RUNTIME_STAMP := $(VENV)/.installed-runtime-$(PINS)
PORT ?= 8000

.PHONY: install install-runtime check test run bench lock clean

# uv installs the pinned set in seconds; pip is the fallback (scripts/venv says how).
install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	PYTHON=$(PYTHON) scripts/venv install $(VENV) dev
	rm -f $(VENV)/.installed-* && touch $@ $(RUNTIME_STAMP)

# What `make run` needs: the service without the development tools (a dev install has it).
install-runtime: $(RUNTIME_STAMP)

$(RUNTIME_STAMP): pyproject.toml constraints.txt
	PYTHON=$(PYTHON) scripts/venv install $(VENV)
	rm -f $(VENV)/.installed-runtime-* && touch $@

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: install
	scripts/ensure-chromium
	scripts/ensure-redis
	scripts/ensure-pgbouncer
	scripts/ensure-prometheus
	scripts/ensure-haproxy
	$(BIN)/pytest

# `serve` migrates first (CATALOG_AUTO_MIGRATE, on by default), once.
run: install-runtime
	$(BIN)/catalog serve --host 127.0.0.1 --port $(PORT)

bench: install
	bench/run

# Re-records the full set of pinned versions (names and versions only, no hosts or URLs).
lock:
	scripts/venv freeze $(VENV) > constraints.txt

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache catalog.db*
