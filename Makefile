# The two commands: `make run` and `make test`. Everything else is set up on the way.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Debian packages the project needs: Graphviz (flowcharts), a CJK font (charts, flowcharts),
# Chromium (browser tests), Node.js/npm (axe-core for accessibility tests, the Nu HTML Checker
# and Lighthouse), Java (runs the Nu HTML Checker), and for the
# deployment and backup tests nginx, systemd-analyze, openssl and the PostgreSQL client tools.

.PHONY: help run build bench shots test check lint typecheck security pytest system-deps install clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

run: install ## Build the site from content/, prepare the survey database, serve both on $(HOST):$(PORT)
	$(BIN)/yiti check
	$(BIN)/yiti build
	$(BIN)/yiti survey upgrade
	$(BIN)/yiti survey sample-data --if-empty
	@echo 'Staff login: .venv/bin/yiti survey user add you@example.org --role evaluator (or interviewer, supervisor), then http://$(HOST):$(PORT)/survey/staff/login/'
	$(BIN)/yiti serve --host $(HOST) --port $(PORT)

build: install ## Build site/ from content/ (atomic: a failed build keeps the old site)
	$(BIN)/yiti build

# A fresh build of content/ and the survey on a throw-away SQLite database, photographed.
shots: install ## Screenshots of every page type at 390 and 1280 px into shots/ (look before you ship)
	$(BIN)/python -m tests.site.shots --out shots

# Scripts only: the modules they import (synthetic data, load client, server) have no main.
bench: install ## Run every benchmark in quick mode
	for script in bench/*.py; do if grep -q '__main__' $$script; then $(BIN)/python $$script --quick; fi; done

# The four checks run side by side once everything is installed: pytest's workers keep both cores
# busy only part of the time (tests wait on browsers, servers and PostgreSQL), and ruff, mypy and
# bandit fill the gaps. --output-sync prints each check's output whole when it ends, so a failure
# reads as if it had run alone; make still fails if any one fails.
test: install ## Lint, type-check and run every test with coverage
	$(MAKE) --no-print-directory --jobs=4 --output-sync=target lint typecheck security pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

# bandit over the code that ships; its settings and the one skipped check are in pyproject.toml.
# No dependency audit yet, on purpose: pip-audit's PyPI service reads PyPI's per-version JSON API,
# which answers 404 for every version from this network (pip-audit then skips every package and
# reports "No known vulnerabilities found"), and its OSV service cannot be reached at all. An audit
# that cannot see a vulnerability database must fail, not pass: add
# `pip-audit --strict --vulnerability-service pypi` here once that API answers.
security: install
	$(BIN)/bandit -c pyproject.toml -r generator survey -q

# pytest-xdist: one worker per core, at most 4 (each builds its own copy of the site and starts
# its own Chromium). --dist loadfile keeps a module on one worker, so its module-scoped servers
# start once. `.venv/bin/pytest tests/<path>` alone still runs in one process.
pytest: install
	$(BIN)/pytest -n auto --maxprocesses 4 --dist loadfile --cov --cov-report=term:skip-covered

check: install ## Validate content/ and print what was checked
	$(BIN)/yiti check

install: system-deps $(STAMP) $(NODE_STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,engines]'
	touch $@

# axe-core, injected into pages by the accessibility tests (test-only, pinned in package-lock.json).
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

system-deps: ## Install missing Debian packages (as root), or print the command to run
	@missing=""; \
	command -v dot >/dev/null || missing="$$missing graphviz"; \
	fc-list :lang=zh 2>/dev/null | grep -q . || missing="$$missing fonts-noto-cjk"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	command -v systemd-analyze >/dev/null || missing="$$missing systemd"; \
	command -v openssl >/dev/null || missing="$$missing openssl"; \
	command -v pg_dump >/dev/null || missing="$$missing postgresql-client"; \
	dpkg-query -W -f '$${Status}' python3-venv 2>/dev/null | grep -q 'ok installed' || missing="$$missing python3-venv"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "Installing system packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else \
	  echo "Missing system packages:$$missing. Run:"; \
	  echo "  sudo apt-get update && sudo apt-get install -y$$missing"; \
	  exit 1; \
	fi

clean: ## Remove the virtualenv and build output
	rm -rf $(VENV) site .yiti-cache build .pytest_cache .mypy_cache .ruff_cache .coverage
