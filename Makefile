# One command for every routine task; CI calls `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install serve test lint validate build bench clean engines

$(BIN)/carnets: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/carnets

serve: install
	$(BIN)/carnets serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

# The remote engines of tests/remote: Oxigraph server comes with the dev extra; Virtuoso from
# Debian, installed when missing and we may (root, or sudo without a password).
engines: install
	@test -x $(BIN)/oxigraph || $(BIN)/pip install --quiet -e '.[dev]'
	@if ! command -v virtuoso-t >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; \
	  elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	  else echo "engines: no virtuoso-t, and apt-get needs root: its tests skip (fail under CI)"; \
	    exit 0; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq virtuoso-opensource >/dev/null; \
	fi

test: lint engines
	$(BIN)/carnets validate
	$(BIN)/pytest

validate: install
	$(BIN)/carnets validate

build: install
	$(BIN)/carnets build

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
