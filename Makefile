# Two commands matter: `make run` (the app with demo data) and `make test` (the whole suite).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= $(shell scripts/find-python)
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers for `make test` (each has its own test database: test_suggestions_gw0, _gw1 on PostgreSQL);
# worksteal: a worker that runs out takes tests still queued for the other, as the journeys take seconds each.
TEST_WORKERS ?= 2

.PHONY: run test test-fast lint check-migrations assets venv clean bench-load bench

$(VENV)/.installed: requirements.lock
	@test -n "$(PYTHON)" || { scripts/find-python; exit 1; }
	@echo "使用 Python: $(PYTHON)"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

venv: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Front-end files come from npm packages and are copied into static/vendor (git-ignored); nothing is fetched at run time.
static/vendor/.installed: node_modules/.installed scripts/copy-assets
	scripts/copy-assets
	touch $@

assets: static/vendor/.installed

# `make run` uses Huozhou's rules (city 霍州, A/B/C), as the demo is its 2024 session; a SUGGESTION_RULES_FILE
# already set in the environment wins.
RUN_RULES := $(or $(SUGGESTION_RULES_FILE),docs/rules/huozhou.toml)

run: venv assets
	DEBUG=1 SUGGESTION_RULES_FILE=$(RUN_RULES) $(PY) manage.py migrate --no-input
	DEBUG=1 SUGGESTION_RULES_FILE=$(RUN_RULES) $(PY) manage.py seed_demo
	DEBUG=1 SUGGESTION_RULES_FILE=$(RUN_RULES) $(PY) manage.py runserver $(HOST):$(PORT)

test: venv assets
	@if [ -x "$${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then echo "浏览器测试: 使用 $${CHROMIUM_PATH:-/usr/bin/chromium}"; \
	else echo "浏览器测试将跳过: 未找到 Chromium (apt-get install chromium fonts-noto-cjk)"; fi
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# The benchmark harness (scripts/bench.py, docs/benchmarks.md): PostgreSQL only; fills BENCH_DATABASE_URL (default
# postgres://postgres@127.0.0.1:5432/suggestions_bench) with seed_bench and BENCH_SUGGESTIONS (100000) suggestions
# unless it holds them, and its `_demo` twin with seed_demo; writes var/bench.json and a Markdown table.
# BENCH_CASES=list_office_unfiltered,... for a part, BENCH_REPEAT (20) requests a case. Not part of `make test`.
bench: venv assets
	$(PY) scripts/bench.py

# The load run with faults (scripts/bench_load.py): two gunicorn instances on PostgreSQL, locust for 60 s, a worker
# killed and PostgreSQL restarted mid-run. It restarts the machine's PostgreSQL: a development machine only.
bench-load: venv assets
	$(PY) -m pip install --quiet -r requirements-bench.lock
	$(PY) scripts/bench_load.py

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

check-migrations: venv
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) node_modules static/vendor var
