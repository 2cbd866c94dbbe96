# Two commands matter: `make demo` and `make test` (see README.md).
VENV := .venv
PY := $(VENV)/bin/python
UV_VERSION := 0.13.9
SYNCED := $(VENV)/.synced

.PHONY: venv demo test test-sqlite services lint browser-deps messages

# The virtualenv is rebuilt only when pyproject.toml or uv.lock change, so a
# second run is a no-op.
venv: $(SYNCED)

$(SYNCED): pyproject.toml uv.lock
	@test -x $(PY) || python3.11 -m venv $(VENV)
	@test -x $(VENV)/bin/uv || $(VENV)/bin/pip install --quiet uv==$(UV_VERSION)
	@UV_PROJECT_ENVIRONMENT=$(VENV) $(VENV)/bin/uv sync --frozen --quiet
	@touch $@

# The demo: SQLite, eager tasks, seeded data; DEMO_PORT picks another port.
demo: venv
	@DEMO_PORT=$(DEMO_PORT) scripts/demo.sh

DEMO_PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/bounceportal
TEST_REDIS_URL ?= redis://127.0.0.1:6379/5

# The whole suite on PostgreSQL and Redis (started if they are down).
test: venv services browser-deps
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) DJANGO_ENV=test \
		$(PY) -m pytest $(PYTEST_ARGS)

# The suite on SQLite with eager tasks and no Redis, as `make demo` runs: tests marked
# postgres or redis are skipped (tests/conftest.py); the test database is in memory.
# The classifier is pure Python (no Django, no database; tests/classifier/conftest.py), so its
# tests, the MTA lab's included, give the same results on any database: they run once, in the
# PostgreSQL leg. Of the browser tests only the demo's smoke tests (logging in, the main pages)
# run here too; every browser test runs in `make test`.
test-sqlite: venv browser-deps
	@scripts/system-deps.sh
	DATABASE_URL= REDIS_URL= CACHE_URL= DJANGO_ENV=test $(PY) -m pytest -m "not mta_lab and (not browser or demo_smoke)" \
		--ignore=tests/classifier $(PYTEST_ARGS)

# axe-core, which the accessibility browser tests inject (tests/browser/package.json, locked).
AXE := tests/browser/node_modules/axe-core/axe.min.js
browser-deps: $(AXE)

$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@command -v npm >/dev/null || { echo "browser-deps: npm is missing; the accessibility tests will skip" >&2; exit 0; }
	@npm ci --prefix tests/browser --no-audit --no-fund --silent && touch $@

services:
	@scripts/system-deps.sh
	@scripts/services.sh

# Linters that hold the lines of STYLE.md (rule 17): ruff (lint and format), mypy (strict for
# bounceportal.classifier, normal elsewhere) and the import contracts of rule 15 (import-linter),
# all configured in pyproject.toml. .pre-commit-config.yaml runs the same.
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

# The German catalogs: every marked string of the sources into the .po of its LOCALE_PATHS entry
# (templates/ and bounceportal/ into bounceportal/locale, each app's Python into its own), then the
# .mo files Django reads (committed, so a clone without GNU gettext still shows German).
# tests/test_translations.py fails when a .po is behind its sources, incomplete or not compiled.
MESSAGES_IGNORE := --ignore='.venv/*' --ignore='tests/*' --ignore='node_modules/*' --ignore='bench/*' \
	--ignore='scripts/*' --ignore='var/*' --ignore='docs/*' --ignore='static/*'
messages: venv
	$(PY) manage.py makemessages -l de --no-obsolete --add-location=file $(MESSAGES_IGNORE)
	$(PY) manage.py compilemessages -l de --ignore='.venv/*' --ignore='tests/*'
