# The README's commands. The virtual environment lives in .venv/.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: run manage test bench lint format vendor install install-dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/vendor/.built: node_modules/.package-lock.json scripts/copy_vendor.py
	$(PYTHON) scripts/copy_vendor.py
	touch $@

vendor: static/vendor/.built

# Local settings for manage.py, the server and the worker alike (settings.py reads .env;
# the environment wins). Never committed; a deployment sets real variables instead.
.env:
	@printf '# Local development settings, written by make; delete to start afresh.\nDEBUG=true\nSECRET_KEY=%s\n' \
		"$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(48))')" > $@
	@echo "Wrote .env (DEBUG=true and a random SECRET_KEY) for local use."

# Any manage.py command with the local settings: make manage ARGS="seed_demo --patients 3"
manage: install .env
	$(BIN)/python manage.py $(ARGS)

# A VAPID key pair for phone notifications on this machine, made once and kept (devices
# subscribed with it stop getting notifications when it changes). Never committed.
var/vapid.env: | install
	@mkdir -p var
	@DEBUG=true B12_ENV_FILE= $(BIN)/python manage.py vapid_keys > $@.tmp && mv $@.tmp $@
	@echo "Wrote var/vapid.env (a VAPID key pair for phone notifications)."

run: install vendor .env var/vapid.env
	@# Keys set in the environment win over the local pair (loaded before the checks run).
	if [ -z "$${VAPID_PRIVATE_KEY:-}" ]; then set -a; . ./var/vapid.env; set +a; fi; \
		export DEBUG=$${DEBUG:-true}; \
		$(BIN)/python manage.py collectstatic --noinput --verbosity 0 && \
		$(BIN)/python manage.py migrate --noinput --verbosity 0 && \
		BIN=$(BIN) bash scripts/run.sh

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install-dev vendor lint
	@# With DATABASE_URL set (PostgreSQL in CI) the service tests also run on SQLite first.
	@if [ -n "$${DATABASE_URL:-}" ]; then \
		echo "schedule services on SQLite:"; \
		env -u DATABASE_URL $(BIN)/python -m pytest -q tests/schedules/services; \
	fi
	$(BIN)/python -m pytest

bench: install-dev
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles var
