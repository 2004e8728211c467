# The two commands that matter: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format venv browsers bench migrate seed reset-demo worker clean help

help:
	@echo "make run    - the console on http://$(HOST):$(PORT)/ with demo data (SQLite, filesystem broker); another port: make run PORT=8100"
	@echo "make reset-demo - wipe the database and load the demo data again (DEBUG only)"
	@echo "make test   - the test suite in two processes (PostgreSQL/Redis when DATABASE_URL/CELERY_BROKER_URL point at them, a Redis db per process in TEST_REDIS_DBS); one process: PYTEST_WORKERS=0"
	@echo "make lint   - ruff, import-linter (the dependency rules), the migrations check"
	@echo "make bench  - benchmarks at an operator's scale (PostgreSQL and Redis required)"

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The dev path runs with DEBUG on (and so the development key): settings default to DEBUG off and
# refuse to start without a real SECRET_KEY, so nothing but these targets gets the dev mode.
migrate seed run worker lint: export DEBUG ?= true

migrate: venv
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

reset-demo: migrate
	$(BIN)/python manage.py seed_demo --reset

run: seed
	@echo
	@echo "  Outage console: http://$(HOST):$(PORT)/"
	@echo "  Logins (password outage-demo): agent, agent2 (Agent), lead (Team lead), supervisor (Supervisor)"
	@echo "  Stop with Ctrl-C."
	@echo
	PORT=$(PORT) $(BIN)/honcho start

worker: venv
	$(BIN)/celery -A console worker --beat --loglevel=INFO

# Two test processes (pytest-xdist) by default; PYTEST_WORKERS=0 runs in this one process.
# With a Redis broker, TEST_REDIS_DBS names one Redis database per process (tests/settings.py).
PYTEST_WORKERS ?= 2
XDIST_ARGS := $(if $(filter-out 0,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS) --dist worksteal)

test: venv
	$(BIN)/python -m pytest $(XDIST_ARGS) $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo
	$(BIN)/python manage.py makemigrations --check --dry-run

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

browsers:
	bash scripts/ensure-chromium.sh

bench: venv
	$(BIN)/python -m benchmarks all
	$(BIN)/python -m benchmarks.notifications

clean:
	rm -rf var staticfiles .pytest_cache
