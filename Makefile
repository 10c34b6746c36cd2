# The commands CI runs are the commands a developer runs: `make run`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DOS := $(BIN)/dos
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run install dev test lint typecheck migrations-check pytest lock docs clean

run: install ## install, migrate, load the demo region, serve on http://127.0.0.1:8000 with live sensors
	$(DOS) migrate
	$(DOS) demo
	$(DOS) simulate & sim=$$!; trap 'kill $$sim 2>/dev/null' EXIT INT TERM; $(DOS) serve

install: $(STAMP)

$(STAMP): requirements/base.txt pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/base.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m dos.portal.web.i18n
	touch $@

dev: $(DEV_STAMP)

$(DEV_STAMP): $(STAMP) requirements/dev.txt
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	touch $@

test: dev lint typecheck migrations-check pytest ## lint, type-check and run every test

lint: dev
	$(BIN)/ruff format --check src tests $(wildcard bench)
	$(BIN)/ruff check src tests $(wildcard bench)

typecheck: dev
	$(BIN)/mypy src/dos/broker src/dos/config.py

migrations-check: dev
	DOS_DATA_DIR=$$(mktemp -d) $(BIN)/python -m django makemigrations --check --dry-run \
		--settings dos.portal.settings

pytest: dev
	$(BIN)/python -m dos.portal.web.i18n
	$(BIN)/python tests/run_legs.py

lock: ## re-pin requirements/*.txt from requirements/*.in
	$(BIN)/python -m pip install --quiet uv
	cd requirements && ../$(BIN)/uv pip compile -q --python-version 3.11 base.in -o base.txt \
		&& ../$(BIN)/uv pip compile -q --python-version 3.11 dev.in -o dev.txt

docs: install ## regenerate the generated documentation
	$(DOS) config --markdown > docs/settings.md

clean:
	rm -rf $(VENV) var
