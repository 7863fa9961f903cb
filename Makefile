# Two commands for a new user: `make run` (try it out, SQLite, no services) and `make test`
# (the whole suite against PostgreSQL + Redis on localhost). See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Django 6 needs Python >= 3.12. .python-version asks pyenv for 3.12; fall back to any 3.12+.
PYTHON ?= $(shell for p in python3.12 python3.13 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; \
	then echo $$p; break; fi; done)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py

# `make run` uses an embedded SQLite database under var/ and runs Celery tasks eagerly.
RUN_ENV := DJANGO_ENV=development DATABASE_URL=sqlite:///var/db.sqlite3 CELERY_TASK_ALWAYS_EAGER=true
# `make test` talks to the services on localhost (docker-compose starts them elsewhere).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/callcenter
# The suite runs on TEST_WORKERS processes (pytest-xdist; a module stays on one process: its
# module-scoped fixtures are built once; modules go out in collection order, the longest first,
# see conftest.py). Each worker has its own test database
# (test_callcenter_gwN) and its own three Redis databases from TEST_REDIS_URL's on (settings.py).
TEST_REDIS_URL ?= redis://127.0.0.1:6379/7
TEST_WORKERS ?= 2
PYTEST_ARGS ?= -n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder
TEST_ENV := DJANGO_ENV=test DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL)

.PHONY: help venv install install-dev system-deps messages run worker beat test lint check-services \
	check-deploy compose-check migrations-check bench seed

help:
	@echo "make run     - install, migrate SQLite, load demo data, serve http://127.0.0.1:8000"
	@echo "make test    - install test tools and run the whole suite (PostgreSQL + Redis)"
	@echo "make worker  - run a Celery worker (needs REDIS_URL)"
	@echo "make beat    - run the Celery beat scheduler (needs REDIS_URL)"
	@echo "make bench   - run the benchmark commands (see docs/benchmarks.md)"

$(VENV)/bin/python:
	@test -n "$(PYTHON)" || { echo "!! Python >= 3.12 not found (Django 6 needs it). Install it, e.g. pyenv install 3.12"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

venv: $(VENV)/bin/python

$(VENV)/.installed: requirements.txt $(VENV)/bin/python
	$(PIP) install --quiet -r requirements.txt
	$(PIP) check
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-dev.txt
	$(PIP) check
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# System packages: gettext (catalogs), Pango (WeasyPrint), Noto CJK (Chinese glyphs in PDFs),
# Chromium (browser tests). Installed with apt when missing (root or sudo).
system-deps:
	@bash scripts/system_deps.sh

messages: install
	$(MANAGE) compilemessages --ignore=.venv -v 0

# The console up to the server's start: a line per step, what was seeded, the logins and where
# the e-mails go (files under var/mail/, see settings.py); Celery's per-task log lines stay out.
run: system-deps-run install
	@mkdir -p var/staticfiles
	@$(MANAGE) compilemessages --ignore=.venv -v 0
	@echo "Preparing the SQLite database var/db.sqlite3 (migrations, demo data)..."
	@$(RUN_ENV) $(MANAGE) migrate --noinput -v 0
	@$(RUN_ENV) LOG_LEVEL=ERROR $(MANAGE) seed_demo --if-empty -v 0
	@$(RUN_ENV) $(MANAGE) demo_logins
	@$(RUN_ENV) $(MANAGE) runserver 127.0.0.1:8000

system-deps-run:
	@bash scripts/system_deps.sh --runtime

# Workers need the shared services: REDIS_URL (broker) and DATABASE_URL (PostgreSQL) in the
# environment, the same values as the web processes. (`make run` needs no worker: eager tasks.)
worker: install
	@test -n "$$REDIS_URL" -a -n "$$DATABASE_URL" || { echo "!! set REDIS_URL and DATABASE_URL (see README)"; exit 1; }
	$(VENV)/bin/celery -A callcenter worker --loglevel=INFO

beat: install
	@test -n "$$REDIS_URL" -a -n "$$DATABASE_URL" || { echo "!! set REDIS_URL and DATABASE_URL (see README)"; exit 1; }
	@mkdir -p var
	$(VENV)/bin/celery -A callcenter beat --loglevel=INFO --schedule=var/celerybeat-schedule

check-services:
	@$(TEST_ENV) $(PY) scripts/check_services.py

# ruff (style, and no function-level imports: PLC0415) and import-linter (the boundaries between
# apps and layers in .importlinter; docs/modules.md explains them).
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

migrations-check: install
	DJANGO_ENV=test DATABASE_URL=sqlite:///:memory: $(MANAGE) makemigrations --check --dry-run

compose-check: install-dev
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml

check-deploy: install
	DJANGO_ENV=production DJANGO_SECRET_KEY=ci-only-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
	DJANGO_ALLOWED_HOSTS=callcenter.example.com DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
	BACKUP_ENCRYPTION_KEY=$$(head -c 32 /dev/urandom | base64 | tr '+/' '-_') \
	$(MANAGE) check --deploy --fail-level WARNING

test: system-deps install-dev messages check-services lint migrations-check compose-check check-deploy
	$(TEST_ENV) $(VENV)/bin/pytest $(PYTEST_ARGS)

# Benchmarks write audit events that can never be deleted: keep them in their own database.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/callcenter_bench
BENCH_ENV := DJANGO_ENV=development DJANGO_DEBUG=false DATABASE_URL=$(BENCH_DATABASE_URL)
# The retention suite empties the audit table of its own database first (docs/benchmarks.md).
RETENTION_BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/cc_bench_retention
RETENTION_BENCH_ENV := DJANGO_ENV=development DJANGO_DEBUG=false DATABASE_URL=$(RETENTION_BENCH_DATABASE_URL)
RETENTION_BENCH_EVENTS ?= 10000000

bench: install
	@$(PY) scripts/ensure_database.py "$(BENCH_DATABASE_URL)"
	$(BENCH_ENV) $(MANAGE) migrate --noinput -v 0
	$(BENCH_ENV) $(MANAGE) bench foundation
	$(BENCH_ENV) $(MANAGE) bench audit
	$(BENCH_ENV) $(MANAGE) bench security
	$(BENCH_ENV) $(MANAGE) bench destruct
	$(BENCH_ENV) $(MANAGE) bench twofa
	$(BENCH_ENV) $(MANAGE) bench attendance
	$(BENCH_ENV) $(MANAGE) bench leave
	$(BENCH_ENV) $(MANAGE) bench complaints
	$(BENCH_ENV) $(MANAGE) bench appraisal
	$(BENCH_ENV) $(MANAGE) bench bonus
	$(BENCH_ENV) $(MANAGE) bench directory
	$(BENCH_ENV) $(MANAGE) bench people-import
	$(BENCH_ENV) $(MANAGE) bench daily
	$(BENCH_ENV) $(MANAGE) bench backup
	$(BENCH_ENV) $(MANAGE) bench training
	$(BENCH_ENV) $(MANAGE) bench training_study  # issue 16, study part
	@$(PY) scripts/ensure_database.py "$(RETENTION_BENCH_DATABASE_URL)"
	$(RETENTION_BENCH_ENV) $(MANAGE) migrate --noinput -v 0
	$(RETENTION_BENCH_ENV) $(MANAGE) bench retention --employees 300 --audit-events $(RETENTION_BENCH_EVENTS)

# Regenerate the catalogs after adding strings; then translate the new zh-Hans entries
# (English: msgen copies the English source into msgstr; a fuzzy guess is emptied first). test_i18n fails while any is missing.
messages-update: install
	$(MANAGE) makemessages -l zh_Hans -l en --no-location --no-obsolete --ignore=.venv --ignore=var
	msgattrib --clear-fuzzy --empty --no-wrap -o locale/en/LC_MESSAGES/django.po locale/en/LC_MESSAGES/django.po
	msgen --no-wrap -o locale/en/LC_MESSAGES/django.po locale/en/LC_MESSAGES/django.po
