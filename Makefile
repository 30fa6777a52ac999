# commonpot — the two commands of the README:
#   make run    serve the platform on SQLite with the demo communities loaded
#   make test   run the whole test suite (quality gates, SQLite and PostgreSQL, browser)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run setup native translations help-pages extract test lint unit bench clean

run: setup
	$(BIN)/commonpot db upgrade
	$(BIN)/commonpot demo load
	$(BIN)/commonpot serve --host $(HOST) --port $(PORT)

setup: $(VENV)/.installed src/commonpot/static/vendor/.installed translations native help-pages

# every command's --help page in every language, rendered once (commonpot/cli_help.py):
# `commonpot X --help` then answers without loading Typer, and from Typer while any file the
# pages came from has changed since
help-pages: translations
	$(BIN)/python -m commonpot.cli_help

# our C code, loaded with ctypes: the allocation engine's network simplex and the ledger
# verifier's scanner; without a compiler both run slower paths (scripts/build-native.sh says so)
native: src/commonpot/network/simplex.c src/commonpot/governance/ledgerscan.c scripts/build-native.sh
	scripts/build-native.sh

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d src/commonpot/locale -D messages

# every user-facing string: _()/gettext/ngettext/N_ in Python and templates, the domains'
# `_t(request, text)` / `gettext(request, text)` helpers, the message of
# `redirect(request, url, message)` (a flash, translated when the next page renders) and the
# detail of a refusal (`Invalid("...")` etc., translated where an HTML page shows it);
# tests/unit/test_translations_complete.py extracts with the same keywords
BABEL_KEYWORDS := -k _ -k gettext:1,1t -k gettext:2,2t -k ngettext:1,2 -k N_ -k _t:2 -k redirect:3 -k Invalid -k Forbidden -k NotFound -k Conflict -k Unauthenticated -k RateLimited -k PayloadTooLarge -k said -k said_n:1,2 -k Worded -k cli_text
extract: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --no-location -o /tmp/commonpot-messages.pot src/commonpot

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e . || $(BIN)/python -m pip install -q --no-deps -e .
	touch $@

src/commonpot/static/vendor/.installed: package.json package-lock.json scripts/vendor.sh scripts/build-scene.sh $(wildcard src/commonpot/experiences/scene/*.js)
	npm ci --no-audit --no-fund --loglevel=error
	scripts/vendor.sh
	touch $@

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy src
	$(BIN)/lint-imports

test: setup lint
	scripts/services.sh
	$(BIN)/pytest -n auto -p no:cacheprovider

unit: setup
	$(BIN)/pytest -n auto tests/unit

bench: setup
	for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f --quick || exit 1; done

clean:
	rm -rf $(VENV) node_modules src/commonpot/static/vendor src/commonpot/cli-help.json commonpot.db commonpot.db-wal commonpot.db-shm var
