# The two commands of the README: `make run` starts the application with demo data,
# `make test` runs every check CI runs. Both set up what they need first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint setup system-deps bench clean

run: setup
	$(BIN)/helpdesk --demo

test: setup lint
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

setup: system-deps $(STAMP)

system-deps:
	bash scripts/system-deps.sh

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[server,test]'
	touch $(STAMP)

bench: setup
	$(BIN)/python -m bench.cache_bench

clean:
	rm -rf $(VENV) build *.egg-info
