# Two commands on a fresh Debian/Ubuntu machine with Python 3.11+:
#   make run   — create .venv, install requirements, start the app (production settings)
#   make dev   — the same with the file watcher on, for editing
#   make test  — create .venv, install everything the tests need (incl. Chromium), run all tests
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup setup-dev browser run dev test cli

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
# screenshots show Chinese labels.
browser:
	@{ command -v chromium >/dev/null 2>&1 && [ -d /usr/share/fonts/opentype/noto ]; } || { \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

# Production: no file watcher scanning the tree, no re-run when a file is saved.
run: setup
	$(PY) -m streamlit run app.py --server.fileWatcherType none --server.runOnSave false

# Development: Streamlit's defaults (watch the sources, offer to re-run on save).
dev: setup
	$(PY) -m streamlit run app.py

test: setup-dev browser
	$(PY) -m pytest -q
