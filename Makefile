# One command for every routine task; CI calls `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install serve test lint validate build bench clean engines assets browser

$(BIN)/carnets: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/carnets

serve: install assets
	$(BIN)/carnets serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

# The remote engines of tests/remote: Oxigraph server comes with the dev extra; Virtuoso from
# Debian, installed when missing and we may (root, or sudo without a password). nginx (Debian's
# nginx-light) is the proxy of tests/scale: the tests run their own, so the system service that
# the package starts is stopped and disabled again.
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
	@if ! command -v nginx >/dev/null 2>&1 && ! test -x /usr/sbin/nginx; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; \
	  elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	  else echo "engines: no nginx, and apt-get needs root: tests/scale skip (fail under CI)"; \
	    exit 0; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx-light >/dev/null || exit 1; \
	  { $$SUDO systemctl disable --now nginx || $$SUDO service nginx stop; } >/dev/null 2>&1 || true; \
	fi

test: lint engines assets browser
	$(BIN)/carnets validate
	$(BIN)/pytest

# Front-end packages from the npm registry (package.json, package-lock.json): YASGUI, copied
# into the package's static/ folder so that the server serves it itself; axe-core stays in
# node_modules/ for the browser tests. Node.js and npm from Debian when missing (as root).
STATIC := src/carnets/web/static
YASGUI := node_modules/@zazuko/yasgui/build

node_modules/.package-lock.json: package.json package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	  else echo "assets: npm is missing and apt-get needs root"; exit 1; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs npm >/dev/null; \
	fi
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

$(STATIC)/yasgui.min.js: node_modules/.package-lock.json
	cp $(YASGUI)/yasgui.min.js $(YASGUI)/yasgui.min.css $(STATIC)/

assets: $(STATIC)/yasgui.min.js

# Debian's Chromium for the browser tests (Playwright drives it; its own browser download
# cannot be fetched here), installed when missing and we may; under CI a missing browser
# fails the tests.
browser: install
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; \
	  elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	  else echo "browser: no chromium, and apt-get needs root: browser tests skip (fail under CI)"; \
	    exit 0; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; \
	fi

validate: install
	$(BIN)/carnets validate

build: install
	$(BIN)/carnets build

bench: install
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/run.py
	cd bench && ../$(BIN)/python engine.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
