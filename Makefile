# Developer entry points. `make run` starts the gateway, `make test` runs the whole suite.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The stamp is newer than pyproject.toml once its dependencies are installed: re-runs are instant.
STAMP := $(VENV)/.installed
DEV_CONFIG := firmware-config/gateway.dev.toml
PYTEST_ARGS ?=
# apt-get needs root; use sudo only when we are not root already (CI runs as root without sudo).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: .venv install test run bench lint fmt clean

.venv install: $(STAMP)

# Debian and Raspberry Pi OS ship `venv` without ensurepip until python3-venv is installed.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { \
	  echo "python3 -m venv failed; installing python3-venv" >&2; rm -rf $(VENV); \
	  $(SUDO) apt-get update && $(SUDO) apt-get install -y python3-venv && \
	  $(PYTHON) -m venv $(VENV); }

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -e '.[dev]'
	touch $@

test: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest $(PYTEST_ARGS)

run: install
	mkdir -p var
	@echo "Store gateway UI: http://127.0.0.1:8080/"
	$(BIN)/storegw run --config $(DEV_CONFIG)

# Each benchmark prints its BENCH lines; timings are figures, never pass/fail.
bench: install
	@for f in bench/bench_*.py; do \
	  [ -e "$$f" ] || { echo "no bench/bench_*.py found" >&2; exit 1; }; \
	  echo "== $$f"; $(BIN)/python "$$f" || exit 1; \
	done

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Keeps var/: it holds the development database.
clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis build dist *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
