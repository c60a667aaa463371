# Ponte — the two commands a new user runs are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask
# Local commands run in development mode (development secret, plain http, mails to instance/mail).
LOCAL_FLASK := PONTE_DEBUG=1 $(FLASK)
# Test processes for `make test` (pytest-xdist); browser tests all run in one of them.
TEST_WORKERS ?= 2
export FLASK_APP := wsgi:app

.PHONY: help run test screenshots check-prereqs install install-test assets db demo serve lint i18n-extract i18n-update i18n-compile bench clean prod-local prod-local-stop security-scan

help:
	@echo "make run    - install everything, prepare the local database with demo data, serve on http://127.0.0.1:5000"
	@echo "             (and send e-mails from the outbox every 30 s while it runs: instance/mail/*.eml)"
	@echo "make test   - install test needs and run the whole test suite"
	@echo "make screenshots - the browser tests, saving screenshots to test-artifacts/screenshots/"
	@echo "make lint   - ruff"
	@echo "make bench  - print performance figures (see bench/)"
	@echo "make security-scan - bandit, sqlmap and wapiti against a local server (see docs/security.md)"
	@echo "make prod-local      - the production stack on 127.0.0.1: PostgreSQL, Redis, 2 gunicorn instances, mail worker,"
	@echo "                       nginx on http://127.0.0.1:8080 (settings: instance/prod-local/ponte.env)"
	@echo "make prod-local-stop - stop what make prod-local started"

check-prereqs:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || \
	  { echo "Ponte needs Python 3.11 or newer (found: $$($(PYTHON) --version 2>&1 || echo none)). On Debian/Ubuntu: sudo apt-get install python3 python3-venv"; exit 1; }
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || \
	  { echo "Python's venv module is missing. On Debian/Ubuntu: sudo apt-get install python3-venv"; exit 1; }
	@command -v node >/dev/null 2>&1 || { echo "Ponte needs Node.js 18 or newer to build its front-end assets. On Debian/Ubuntu: sudo apt-get install nodejs npm"; exit 1; }
	@node -e 'process.exit(parseInt(process.versions.node) >= 18 ? 0 : 1)' || \
	  { echo "Ponte needs Node.js 18 or newer (found: $$(node --version))."; exit 1; }
	@command -v npm >/dev/null 2>&1 || { echo "npm is missing. On Debian/Ubuntu: sudo apt-get install npm"; exit 1; }

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PIP) install --quiet -e '.[test]'
	@touch $@

install: check-prereqs $(VENV)/.installed

install-test: check-prereqs $(VENV)/.installed-test

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static/vendor/.built: node_modules/.installed static/src/build.mjs
	npm run --silent build
	@touch $@

assets: static/vendor/.built

i18n-compile: $(VENV)/.installed
	$(LOCAL_FLASK) i18n compile

db: $(VENV)/.installed
	@mkdir -p instance
	$(LOCAL_FLASK) db upgrade

demo: db
	$(LOCAL_FLASK) seed-demo

# The dev server, and next to it the e-mail sender (digests, retries) checking every 30 seconds;
# both stop together on Ctrl-C. Mails land in instance/mail/*.eml (the "file" mail backend).
run: install assets i18n-compile demo
	@$(LOCAL_FLASK) notifications send --every 30 >instance/mail-sender.log 2>&1 & sender=$$!; \
	trap 'kill $$sender 2>/dev/null; wait $$sender 2>/dev/null' EXIT INT TERM; \
	echo "E-mail sender running in the background (log: instance/mail-sender.log)."; \
	$(LOCAL_FLASK) run --host 127.0.0.1 --port 5000

# Debian packages the browser tests need (only when root and missing).
system-test-deps:
	@if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	  missing=""; \
	  [ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	  [ -x /usr/bin/chromium-headless-shell ] || missing="$$missing chromium-headless-shell"; \
	  [ -f /usr/share/fonts/truetype/noto/NotoSansGurmukhi-Regular.ttf ] || missing="$$missing fonts-noto-core"; \
	  if [ -n "$$missing" ]; then echo "Installing$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi; \
	elif [ ! -x /usr/bin/chromium-headless-shell ] && [ ! -x /usr/bin/chromium ]; then echo "Note: Chromium missing; browser tests will be skipped (sudo apt-get install chromium-headless-shell chromium)"; fi

test: install-test system-test-deps assets i18n-compile
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# The browser tests again, saving full-page screenshots of every page they check (it/ar, 390/1280 px)
# to test-artifacts/screenshots/ for review.
screenshots: install-test system-test-deps assets i18n-compile
	PONTE_SCREENSHOTS=1 $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile tests/browser $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check .

i18n-extract: $(VENV)/.installed
	$(LOCAL_FLASK) i18n extract

i18n-update: $(VENV)/.installed
	$(LOCAL_FLASK) i18n update

# Load benchmark (bench/runner.py): Ponte and a ceiling app under gunicorn (2 sync workers each), loaded
# with wrk (apt-get install wrk when root), on the tier-S SQLite database, seeded first when missing.
# Every page at 8 connections, 3 rounds of 4 s runs (19 pages × 3 rounds × 4 s keeps it under 5 minutes; the
# workers' memory is compared after round 1 and at the end); also in instance/bench/results-sqlite-S.{json,md}.
BENCH_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/ponte_bench_m
bench: install-test system-test-deps assets i18n-compile
	@test -f instance/bench/S.json || $(PY) -m bench seed --tier S --seed 42
	$(PY) -m bench run --tier S --rounds 3 --duration 4 --connections 8 --warmup 0 --memory-requests 0 $(BENCH_ARGS)

# The full benchmark: tier M on SQLite (5 rounds of 10 s at 8 and 32 connections, a 10k-request memory
# run), then on PostgreSQL (BENCH_PG_URL) the thread list, thread view, proposals and search.
bench-full: install-test system-test-deps assets i18n-compile
	@test -f instance/bench/M.json || $(PY) -m bench seed --tier M --seed 42
	@test -f instance/bench/M-pg.json || $(PY) -m bench seed --tier M --seed 42 --database-url $(BENCH_PG_URL)
	$(PY) -m bench run --tier M --rounds 5 $(BENCH_ARGS)
	$(PY) -m bench run --tier M --database-url $(BENCH_PG_URL) --rounds 5 \
	  --pages forum_list,forum_deep,thread,thread_last,proposals,search_common,search_rare $(BENCH_ARGS)

# The older in-process figures (WSGI test client, no sockets): CPU per request of many more pages.
bench-inprocess: install assets i18n-compile
	$(PY) bench/run.py

# The production stack on this machine (bench/stack.py; docs/deploy/ holds the real deployment files).
# Installs nginx (and PostgreSQL when no server answers on 5432) with apt-get when run as root.
prod-local: install assets i18n-compile
	$(PY) -m bench.stack up $(STACK_ARGS)

prod-local-stop:
	@if [ -x $(PY) ]; then $(PY) -m bench.stack down $(STACK_ARGS); else echo "Nothing to stop (no .venv)."; fi

clean:
	rm -rf $(VENV) node_modules static/vendor .pytest_cache

# External security scanners against a local server with the demo data (not part of CI): bandit,
# sqlmap --level 3 on every GET parameter found by a crawl, wapiti (xss, redirect, headers, csp,
# cookie flags). Installs sqlmap and wapiti from Debian when root. Reports in instance/security/;
# findings and what was done about each: docs/security.md. SCAN_ARGS="--minutes 10" bounds each scanner.
security-scan: install-test assets i18n-compile
	$(PIP) install --quiet -e '.[security]'
	$(PY) .ci/security-scan.py $(SCAN_ARGS)
