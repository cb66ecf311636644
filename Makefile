# Two commands do everything on a fresh machine with Python 3.11 and pip: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask
HOST ?= 127.0.0.1
PORT ?= 5000
# Password of the demo accounts that `make run` creates on an empty database (demo only; see README).
DEMO_PASSWORD ?= Shannan-Demo-2020
# the demo campaign's monthly reporting ends here (README: MONTHLY_REPORT_END)
export MONTHLY_REPORT_END ?= 2021-06
export FLASK_APP := app:create_app

.PHONY: run test install install-dev translations migrate seed serve bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Compiled catalogs are build output, never committed.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d translations 2>/dev/null || $(BIN)/pybabel compile -d translations

migrate: install translations
	$(FLASK) db upgrade
	$(FLASK) sync-roles

seed: migrate
	DEMO_PASSWORD='$(DEMO_PASSWORD)' $(FLASK) seed-demo --if-empty

serve:
	$(FLASK) run --host $(HOST) --port $(PORT)

run: seed serve

test: install-dev translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install-dev translations
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) instance .pytest_cache
