# Cybermassif: the commands the README names. Each target does its own set-up.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export FLASK_APP := wsgi

.PHONY: run test lint contracts pytest bench install translations messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[dev,test,postgres,redis,xblocks]"
	touch $(STAMP)

install: $(STAMP) translations

# Catalogues are compiled here, never committed as binaries.
# Each built-in block keeps its own catalogue (domain "text") in plugins/<block>/translations.
translations: $(STAMP)
	$(BIN)/pybabel -q compile -d app/translations
	for dir in plugins/*/translations; do $(BIN)/pybabel -q compile -D text -d $$dir || exit 1; done

# Re-extract the strings and merge them into the French catalogues. Sorted by message and located by file
# only, so that running it again changes nothing unless strings changed; strings no code uses any more are
# dropped. The templates (.pot) are intermediate files, not kept.
EXTRACT := $(BIN)/pybabel -q extract -F babel.cfg --sort-output --add-location=file --no-wrap
UPDATE := $(BIN)/pybabel -q update --no-fuzzy-matching --ignore-obsolete --no-wrap --ignore-pot-creation-date
messages: $(STAMP)
	$(EXTRACT) -k _l -k lazy_gettext -o app/translations/messages.pot app
	$(UPDATE) -i app/translations/messages.pot -d app/translations
	for dir in plugins/*/translations; do \
		$(EXTRACT) -o $$dir/text.pot $$(dirname $$dir) || exit 1; \
		$(UPDATE) -D text -i $$dir/text.pot -d $$dir || exit 1; \
	done

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load
	$(BIN)/gunicorn --workers 2 --bind $(HOST):$(PORT) --access-logfile - wsgi:app

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

contracts: $(STAMP)
	# No cache: a cache left by an earlier tree can report imports that are gone.
	$(BIN)/lint-imports --no-cache

pytest: install
	$(BIN)/pytest -n 2 -q

test: install lint contracts pytest

bench: install
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) instance .pytest_cache
