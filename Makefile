# The two commands of the README: `make run` starts the application with demo data,
# `make test` runs every check CI runs. Both set up what they need first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint setup system-deps test-deps test-pg-stop bench clean bundle bundle-check

run: setup
	$(BIN)/helpdesk --demo

# The server tests run on SQLite always and, here, on a throw-away PostgreSQL too
# (HELPDESK_REQUIRE_PG=1: an unreachable server fails them instead of skipping them).
test: setup test-deps lint
	@pg_url=$$(bash scripts/test-postgres.sh) || { \
	  echo "make test: could not start the test PostgreSQL (scripts/test-postgres.sh, messages above)" >&2; \
	  exit 1; }; \
	echo "make test: PostgreSQL for tests at $$pg_url"; \
	HELPDESK_TEST_PG="$$pg_url" HELPDESK_REQUIRE_PG=1 HELPDESK_REQUIRE_BROWSER=1 QT_QPA_PLATFORM=offscreen $(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

setup: system-deps $(STAMP)

system-deps:
	bash scripts/system-deps.sh

test-deps:
	bash scripts/system-deps.sh --test

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[server,test]'
	touch $(STAMP)

# stop the test PostgreSQL (its folder in /tmp stays; the next `make test` starts it again)
test-pg-stop:
	bash scripts/test-postgres.sh stop

# the installable client: dist/helpdesk/ and a .tar.gz (packaging/build_linux.sh);
# bundle-check builds it when a source is newer and runs its --self-test with no Python
# packages around (tests/packaging/test_bundle.py; CI runs it after `make test`)
bundle: setup
	bash packaging/build_linux.sh

bundle-check: setup
	bash packaging/build_linux.sh --if-stale
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -q -m slow tests/packaging

bench: setup
	$(BIN)/python -m bench.cache_bench

clean:
	rm -rf $(VENV) build dist *.egg-info
