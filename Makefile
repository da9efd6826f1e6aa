# Two commands on a fresh machine: `make run` and `make test`. Everything else is detail.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
export PYTHONWARNINGS := ignore::UserWarning:platformdirs.api

.PHONY: run test install system-deps translations lint check-deploy clean

## run: install everything and start web, worker and beat with demo data
run: install
	$(PY) -m devtools.devstack run

## test: install everything, run the linters and the whole suite (unit, worker, browser)
test: install system-deps lint
	$(PY) -m pytest $(ARGS)

## benchmark: the search page at 100,000 suppliers (seeded once into .data/benchmark); ARGS="--duration 60"
.PHONY: benchmark
benchmark: install
	$(PY) manage.py benchmark_search --data-dir .data/benchmark $(ARGS)

## load: mixed journeys of every role against gunicorn on the demo data (kept in .data/loadtest); ARGS="--users 50 --duration 60"
.PHONY: load
load: install
	$(PY) manage.py loadtest --data-dir .data/loadtest $(ARGS)

## mutation: mutation score of the rule modules ([tool.mutmut] in pyproject.toml; slow, not in make test; docs/testing.md)
.PHONY: mutation
mutation: install
	$(PY) -m devtools.mutation run $(ARGS)
	$(PY) -m devtools.mutation report

install: $(VENV)/.installed translations

$(VENV)/.installed: pyproject.toml uv.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@test -x $(UV) || $(VENV)/bin/pip install --quiet "uv>=0.9"
	$(UV) sync --frozen --inexact --python $(PY)
	@touch $@

# The Dutch and English interface texts, compiled from locale/*.po.
translations: $(VENV)/.installed
	@command -v msgfmt >/dev/null || scripts/ensure-system-packages gettext
	@DJANGO_SETTINGS_MODULE=impactportal.settings.test $(PY) manage.py compilemessages -v 0 --ignore=.venv

# Chromium for the browser tests (Debian's package; Playwright cannot download its own here).
system-deps:
	@scripts/ensure-system-packages chromium

## lint: ruff and the import contracts (the floors of the house, pyproject.toml); fails on findings
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

check-deploy: install
	DJANGO_SETTINGS_MODULE=impactportal.settings.production DJANGO_SECRET_KEY=$$(head -c 48 /dev/urandom | base64) \
	DJANGO_ALLOWED_HOSTS=impactportaal.example EMAIL_URL=smtp://mail.example:587 \
	$(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
