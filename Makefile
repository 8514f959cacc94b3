# wijkarchief — the two commands of the README, and a few more.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export WIJKARCHIEF_DATA ?= $(CURDIR)/var

.PHONY: run test test-fast lint fmt typecheck install install-test browser nginx node bench bench-postgres clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## make run: set up, seed the embedded store when empty, serve on http://$(HOST):$(PORT)
run: install
	$(BIN)/wijkarchief seed --if-empty
	$(BIN)/wijkarchief serve --host $(HOST) --port $(PORT)

## make browser: Debian's Chromium for the browser tests, when /usr/bin/chromium is missing
## (Playwright drives it; `playwright install` is not used). Without it those tests skip,
## or fail under WIJKARCHIEF_REQUIRE_BROWSER=1.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "make browser: installing Debian's chromium"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
	      || echo "make browser: could not install chromium; the browser tests will skip" >&2; \
	  else \
	    echo "make browser: no /usr/bin/chromium (install it as root: apt-get install chromium);" \
	      "the browser tests will skip" >&2; \
	  fi; \
	fi

## make nginx: Debian's nginx for the two-host test behind a reverse proxy
## (tests/faults/test_two_hosts.py runs it as a child with docs/nginx.conf), when missing.
## Without it that test skips, or fails under WIJKARCHIEF_REQUIRE_NGINX=1.
nginx:
	@if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    echo "make nginx: installing Debian's nginx"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx) \
	      || echo "make nginx: could not install nginx; the two-host test will skip" >&2; \
	  else \
	    echo "make nginx: no nginx (install it as root: apt-get install nginx);" \
	      "the two-host test will skip" >&2; \
	  fi; \
	fi

## make node: the browser tests' third-party checkers from npm (axe-core, the Nu HTML checker
## vnu-jar, TimelineJS), pinned by package-lock.json, into node_modules/ with `npm ci`
## (install scripts off: vnu-jar runs on the machine's Java 17). Without npm those tests skip,
## or fail under WIJKARCHIEF_REQUIRE_BROWSER=1.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && touch $@; \
	else \
	  echo "make node: no npm (install nodejs and npm); the axe-core, Nu checker and" \
	    "TimelineJS tests will skip" >&2; \
	fi

node: node_modules/.installed

PACKAGES := events archive api search_index stories bootstrap entrypoints
POSTGRES_URL := $${WIJKARCHIEF_TEST_POSTGRES_URL-postgresql://postgres@127.0.0.1:5432/test}

## make test: set up and run lint (ruff, the import contract), type checks and the whole suite
test: install-test browser nginx node lint typecheck
	WIJKARCHIEF_TEST_POSTGRES_URL=$(POSTGRES_URL) $(BIN)/python -m pytest $(PYTEST_ARGS)

## make test-fast: lint, type checks and the tests that start no process and no browser
test-fast: lint typecheck
	WIJKARCHIEF_TEST_POSTGRES_URL=$(POSTGRES_URL) \
	  $(BIN)/python -m pytest -m "not slow and not browser" $(PYTEST_ARGS)

## make lint: ruff (rules and format) and the layers contract (lint-imports, pyproject.toml)
lint: install-test
	$(BIN)/ruff check $(PACKAGES) tests benchmarks
	$(BIN)/ruff format --check $(PACKAGES) tests benchmarks
	$(BIN)/lint-imports

## make fmt: format the code and apply ruff's safe fixes
fmt: install-test
	$(BIN)/ruff format $(PACKAGES) tests benchmarks
	$(BIN)/ruff check --fix $(PACKAGES) tests benchmarks

## make typecheck: mypy over the packages (strict on events, archive, search_index, bootstrap)
## and over the tests
typecheck: install-test
	$(BIN)/mypy
	$(BIN)/mypy --explicit-package-bases tests

## make bench: the performance issue's sizes in about 11 minutes here: Whoosh (the default
## backend) at 10,000 items, then tantivy at 10,000 and 100,000; tables on stdout, JSON in
## var/bench-whoosh.json and var/bench-tantivy.json. BENCH_ARGS="..." runs
## benchmarks/run.py once with those arguments instead (e.g. --sizes 1000000, --store postgres).
bench: install
ifdef BENCH_ARGS
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)
else
	$(BIN)/python benchmarks/files_bench.py --json $(WIJKARCHIEF_DATA)/bench-files.json
	$(BIN)/python benchmarks/run.py --sizes 10000 --search-backend whoosh \
	  --json $(WIJKARCHIEF_DATA)/bench-whoosh.json
	$(BIN)/python benchmarks/run.py --sizes 10000,100000 --search-backend tantivy \
	  --json $(WIJKARCHIEF_DATA)/bench-tantivy.json
endif

## make bench-postgres: on a PostgreSQL store (BENCH_POSTGRES_URL), the postgres search backend
## and tantivy at 10,000 and 100,000 items, one after the other; JSON in
## var/bench-pg-postgres.json and var/bench-pg-tantivy.json (docs/search-at-scale.md).
BENCH_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test
bench-postgres: install
	for backend in postgres tantivy; do \
	  $(BIN)/python benchmarks/run.py --sizes 10000,100000 --store postgres \
	    --postgres-url $(BENCH_POSTGRES_URL) --search-backend $$backend \
	    --json $(WIJKARCHIEF_DATA)/bench-pg-$$backend.json || exit 1; \
	done

clean:
	rm -rf $(VENV) var node_modules .pytest_cache .mypy_cache .ruff_cache
