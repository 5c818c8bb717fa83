# Chorus: the two set-up commands are `make run` and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
FAST_MARKERS := not browser and not faults
PYTEST_FAST := -m "$(FAST_MARKERS)"

# Deeper property, fuzz and differencing runs than CI's: `make test DEEP=1`.
ifdef DEEP
export FUZZ_EXAMPLES ?= 200
export DIFF_RESPONDENTS ?= 20
export DIFF_FULL ?= 1
endif

.PHONY: run test e2e bench lint lock clean messages translations

# Interface catalogs: .po under version control, .mo compiled from them (never committed).
PO_FILES := $(wildcard app/translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Locked installs: every package at the exact version and hash in the lock, then the project itself
# without resolving anything (`make lock` is the only way versions change).
$(VENV)/.installed-app: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@
	$(MAKE) --no-print-directory translations

$(VENV)/.installed-dev: requirements-dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@ $(VENV)/.installed-app
	$(MAKE) --no-print-directory translations

## translations: compile each catalog (.po) to the .mo gettext reads; only stale ones are redone
translations: $(MO_FILES)

app/translations/%/LC_MESSAGES/messages.mo: app/translations/%/LC_MESSAGES/messages.po | $(BIN)/python
	$(BIN)/pybabel compile --statistics -i $< -o $@

## messages: extract every marked string (app/ Python and templates) and update each catalog
messages: $(VENV)/.installed-dev
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-wrap --sort-by-file --add-location file \
		--project Chorus --copyright-holder "Chorus contributors" -o app/translations/messages.pot .
	$(BIN)/pybabel update --no-wrap --no-fuzzy-matching -i app/translations/messages.pot -d app/translations

# The OpenID Connect provider the single sign-on tests start on loopback (tests/oidc), exactly as
# its committed package-lock.json says.
OIDC_PROVIDER := tests/oidc/node_modules/.package-lock.json
$(OIDC_PROVIDER): tests/oidc/package-lock.json tests/oidc/package.json
	npm ci --prefix tests/oidc --no-audit --no-fund --loglevel=error
	touch $@

## run: install, migrate, seed the demo on an empty database, serve on http://127.0.0.1:5000
run: $(VENV)/.installed-app translations
	FLASK_DEBUG=1 $(FLASK) db upgrade
	FLASK_DEBUG=1 $(FLASK) demo
	FLASK_DEBUG=1 DEMO_LINKS=1 $(FLASK) run --host 127.0.0.1 --port 5000 --no-debugger

## test: ruff, mypy, then the suite on SQLite and, side by side, on PostgreSQL if TEST_DATABASE_URL is set
test: $(VENV)/.installed-dev $(OIDC_PROVIDER) translations
	$(BIN)/python .ci/lockfile.py check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		.ci/test_backends.sh $(BIN)/pytest "$(FAST_MARKERS)"; \
	elif [ "$$CI" = true ]; then echo "CI=true: TEST_DATABASE_URL must be set (.ci/run sets it)"; exit 1; \
	else $(BIN)/pytest $(PYTEST_FAST) && echo "TEST_DATABASE_URL not set: PostgreSQL run skipped"; fi

## e2e: browser journeys (Debian's Chromium) and fault tests
e2e: $(VENV)/.installed-dev $(OIDC_PROVIDER) translations
	$(BIN)/pytest -m "browser or faults" tests

## bench: every benchmark, each ending with one JSON line
bench: $(VENV)/.installed-dev
	@for b in bench/[a-z]*.py; do $(BIN)/python -m bench.$$(basename $$b .py) || exit 1; done

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## lock: resolve pyproject.toml into both lock files, keeping existing pins (UPGRADE=1: newest allowed)
lock: $(VENV)/.installed-dev
	$(BIN)/python .ci/lockfile.py write

clean:
	rm -rf $(VENV) tests/oidc/node_modules .pytest_cache .ruff_cache .mypy_cache .hypothesis
