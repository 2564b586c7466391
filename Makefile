# The README's two commands call `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
VENDOR := static/vendor/nhsuk-frontend
# Reports seeded for the queue, dashboard and bulk-export figures (issue 13 measures at 100,000).
QUEUE_REPORTS ?= 100000

.PHONY: run test install install-dev assets db seed lint bench load test-sqlite test-postgres browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt

# NHS.UK frontend from npm, copied into static/ (not committed).
assets:
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)
	cp node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js $(VENDOR)/
	cp -r node_modules/nhsuk-frontend/dist/nhsuk/assets $(VENDOR)/assets

db:
	$(FLASK) db upgrade

seed:
	$(FLASK) seed-demo

# Run command: install, migrate, seed demo data, serve on http://127.0.0.1:5000 (SQLite).
run: install assets db seed
	@echo "Serving on http://127.0.0.1:5000 - sign in with a demo account above."
	$(FLASK) run --host 127.0.0.1 --port 5000

# Debian's Chromium for the browser tests (never a downloaded browser).
browser:
	@if [ "$$ECT_SKIP_BROWSER" = "1" ]; then echo "ECT_SKIP_BROWSER=1: browser tests will be skipped"; \
	elif ! command -v chromium >/dev/null; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi

test-sqlite:
	$(BIN)/python -m pytest

# Against PostgreSQL when one answers at $(PG_URL); CI sets ECT_REQUIRE_POSTGRES=1 to make its absence fail.
test-postgres:
	@if $(BIN)/python scripts/pg_ready.py "$(PG_URL)"; then \
		echo "== PostgreSQL run ($(PG_URL)) =="; \
		DATABASE_URL="$(PG_URL)" $(BIN)/python -m pytest; \
	elif [ "$$ECT_REQUIRE_POSTGRES" = "1" ]; then \
		echo "PostgreSQL is required but not reachable at $(PG_URL)"; exit 1; \
	else \
		echo "== PostgreSQL not reachable at $(PG_URL): PostgreSQL run SKIPPED =="; \
	fi

# Test command: install dev requirements, assets and Chromium, lint, then run every test on SQLite and PostgreSQL.
test: install-dev assets browser
	$(BIN)/ruff check .
	@echo "== SQLite run =="
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

lint: install-dev
	$(BIN)/ruff check .

# Every bench/bench_*.py with figures(): one line per figure with its same-run baseline and ratio.
# HTTP figures use wrk (Debian package, installed here when missing) and a private PostgreSQL database
# beside $(PG_URL); BENCH_ARGS="--only api --rounds 3 --seconds 5" to change it (bench/README.md).
bench: install-dev
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python bench/run_all.py --pg-url "$(PG_URL)" $(BENCH_ARGS)
	$(BIN)/python bench/bench_queue.py --db sqlite --reports $(QUEUE_REPORTS)
	$(BIN)/python bench/bench_queue.py --db postgresql --pg-url "$(PG_URL)" --reports $(QUEUE_REPORTS)

# Load test (not part of `make test`): gunicorn workers on a private PostgreSQL database at $(PG_URL),
# concurrent clients driving the workflow; LOAD_ARGS="--seconds 20 --clients 32" to change it.
load: install-dev
	$(BIN)/python bench/load_workflow.py --pg-url "$(PG_URL)" $(LOAD_ARGS)

clean:
	rm -rf $(VENV) node_modules static/vendor instance
