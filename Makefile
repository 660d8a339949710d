# Two commands on a fresh Debian/Ubuntu machine with Python 3.11+:
#   make run   — create .venv, install requirements, start the app (production settings)
#   make test  — create .venv, install everything the tests need (incl. Chromium), lint, run all tests
# While working:
#   make dev       — the app with the file watcher on, for editing
#   make test-fast — the tests that need no browser and take under ~5 s each
#   make stress    — make test three times in a row with one core kept busy (scripts/stress_ci.sh)
#   make lint      — ruff check . (configured in pyproject.toml)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Two pytest workers per core: a browser test's worker mostly waits while its Streamlit server and
# Chromium work, so with one per core the cores stood idle about 40 % of the run. Tests that share a
# Streamlit server are one xdist group (tests/conftest.py), so --dist loadgroup keeps them on one
# worker and the server starts once.
JOBS ?= $(shell echo $$(( 2 * $$(nproc 2>/dev/null || echo 1) )))
PYTEST_PARALLEL := -n $(JOBS) --dist loadgroup

.PHONY: setup setup-dev browser run dev test test-fast lint cli stress

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(STAMP)-dev: $(STAMP) requirements-dev.txt requirements-build.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

setup: $(STAMP)

setup-dev: $(STAMP)-dev

# Browser tests drive Debian's Chromium through Playwright; Noto CJK lets its
# screenshots show Chinese labels; nginx runs the README's reverse-proxy example (tests/test_deploy.py).
browser:
	@{ command -v chromium >/dev/null 2>&1 && [ -d /usr/share/fonts/opentype/noto ] && \
	   { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; }; } || { \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk nginx-light >/dev/null; }

# Production: no file watcher scanning the tree, no re-run when a file is saved.
run: setup
	$(PY) serve.py --server.fileWatcherType none --server.runOnSave false

# Development: Streamlit's defaults (watch the sources, offer to re-run on save).
dev: setup
	$(PY) -m streamlit run app.py

# Lint and every test; both run even if the other fails, and either failing fails the target.
# --durations=10: the slowest tests, so one creeping towards a minute shows.
# Bytecode caching on even where the environment turns it off: every worker, server and CLI process
# would otherwise compile the project (and pytest rewrite the tests) again.
test: setup-dev browser
	@status=0; \
	$(PY) -m ruff check . || status=1; \
	env -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest -q $(PYTEST_PARALLEL) --durations=10 || status=1; \
	exit $$status

# Markers are registered in pyproject.toml: browser (headless Chromium), slow (> ~5 s), bench.
test-fast: setup-dev
	$(PY) -m pytest -q $(PYTEST_PARALLEL) -m "not browser and not slow and not bench"

stress:
	scripts/stress_ci.sh

lint: setup-dev
	$(PY) -m ruff check .
