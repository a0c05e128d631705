# Cybermassif: the commands the README names. Each target does its own set-up.
PYTHON ?= python3.11
# Two environments: the product with its optional runtime parts (make run), and the product with the test
# and development tools (make test, lint, bench), so that test-only XBlocks never show in the demo.
VENV := .venv
TEST_VENV := .venv-test
BIN := $(VENV)/bin
TBIN := $(TEST_VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(TEST_VENV)/.installed
# Setuptools prints a notice about editable installs on every install; nothing in it needs acting on.
PIP_QUIET := PYTHONWARNINGS=ignore::UserWarning
HOST ?= 127.0.0.1
PORT ?= 8000
export FLASK_APP := wsgi

.PHONY: run test lint contracts pytest bench install test-install translations messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(TBIN)/python:
	$(PYTHON) -m venv $(TEST_VENV)
	$(TBIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python setup.cfg pyproject.toml
	$(PIP_QUIET) $(BIN)/python -m pip install --quiet -e ".[postgres,redis,xblocks]"
	touch $(STAMP)

$(TEST_STAMP): $(TBIN)/python setup.cfg pyproject.toml
	$(PIP_QUIET) $(TBIN)/python -m pip install --quiet -e ".[dev,test,postgres,redis,xblocks]"
	touch $(TEST_STAMP)

# Catalogues are compiled here, never committed as binaries.
# Each built-in block keeps its own catalogue (domain "text") in plugins/<block>/translations.
define compile_catalogues
	$(1)/pybabel -q compile -d app/translations
	for dir in plugins/*/translations; do $(1)/pybabel -q compile -D text -d $$dir || exit 1; done
endef

install: $(STAMP)
	$(call compile_catalogues,$(BIN))

test-install: $(TEST_STAMP)
	$(call compile_catalogues,$(TBIN))

translations: install

# Re-extract the strings and merge them into the French catalogues. Sorted by message and located by file
# only, so that running it again changes nothing unless strings changed; strings no code uses any more are
# dropped. The templates (.pot) are intermediate files, not kept. A block's catalogue also holds the strings of
# the shared plugins/support modules it imports (tests/catalogue_sources.py): they are translated through the
# block's own i18n service.
EXTRACT := $(TBIN)/pybabel -q extract -F babel.cfg --sort-output --add-location=file --no-wrap
UPDATE := $(TBIN)/pybabel -q update --no-fuzzy-matching --ignore-obsolete --no-wrap --ignore-pot-creation-date
messages: test-install
	$(EXTRACT) -k _l -k lazy_gettext -o app/translations/messages.pot app
	$(UPDATE) -i app/translations/messages.pot -d app/translations
	for dir in plugins/*/translations; do \
		$(EXTRACT) -o $$dir/text.pot $$(dirname $$dir) \
			$$($(TBIN)/python -m tests.catalogue_sources $$(dirname $$dir)) || exit 1; \
		$(UPDATE) -D text -i $$dir/text.pot -d $$dir || exit 1; \
	done

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo load
	$(BIN)/gunicorn --config python:app.jobs.gunicorn_hooks --workers 2 --bind $(HOST):$(PORT) --access-logfile - wsgi:app

lint: test-install
	$(TBIN)/ruff check .
	$(TBIN)/ruff format --check .

contracts: test-install
	# No cache: a cache left by an earlier tree can report imports that are gone.
	$(TBIN)/lint-imports --no-cache

pytest: test-install
	$(TBIN)/pytest -n 2 -q

test: test-install lint contracts pytest

bench: test-install
	$(TBIN)/python -m benchmarks

clean:
	rm -rf $(VENV) $(TEST_VENV) instance .pytest_cache
