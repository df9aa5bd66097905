# Developer entry points. `make run` starts a broker, the cloud simulator and the gateway;
# `make test` runs the whole suite.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The stamp is newer than pyproject.toml once its dependencies are installed: re-runs are instant.
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# Two pytest processes, one file each at a time: most tests wait on a broker, a browser or a
# serial line, so two halve `make test` on two cores (PYTEST_WORKERS=0 runs in one process).
PYTEST_WORKERS ?= 2
# apt-get needs root; use sudo only when we are not root already (CI runs as root without sudo).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: .venv install deps browser-deps test run bench reliability lint fmt clean

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

# System packages: mosquitto, the MQTT broker that `make run` and the tests start (each its own, on
# its own port), openssl, which makes the TLS tests' throw-away certificates, and systemd's
# systemd-analyze and passwd's useradd, which the installer's tests use (install.sh --root).
# Debian keeps mosquitto in /usr/sbin, off a normal user's PATH. Where systemd runs, the
# package starts a system broker on port 1883: nothing here uses it, so it is stopped and disabled.
deps:
	@export PATH="$$PATH:/usr/sbin:/usr/local/sbin"; missing=""; \
	command -v mosquitto >/dev/null || missing="$$missing mosquitto"; \
	command -v openssl >/dev/null || missing="$$missing openssl"; \
	command -v systemd-analyze >/dev/null || missing="$$missing systemd"; \
	command -v useradd >/dev/null || missing="$$missing passwd"; \
	[ -z "$$missing" ] || { \
	  echo "installing$$missing with apt-get" >&2; \
	  $(SUDO) apt-get update && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y --no-install-recommends $$missing && \
	  case "$$missing" in *mosquitto*) \
	    if [ -d /run/systemd/system ]; then $(SUDO) systemctl disable --now mosquitto.service; \
	    elif [ -x /etc/init.d/mosquitto ]; then $(SUDO) /etc/init.d/mosquitto stop; fi;; \
	  esac; }

# The browser tests drive Debian's chromium (Playwright cannot download browsers here).
browser-deps:
	@command -v chromium >/dev/null || { \
	  echo "installing chromium with apt-get" >&2; \
	  $(SUDO) apt-get update && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; }

test: install deps browser-deps
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# A broker on 127.0.0.1:18830, the cloud back-office simulator and the gateway (tools/run_dev.py).
# Ctrl-C stops all three. STOREGW_DEV_BROKER_PORT=18831 for a second copy.
run: install deps
	$(BIN)/python tools/run_dev.py

# Each benchmark prints its BENCH lines; timings are figures, never pass/fail.
bench: install deps
	@for f in bench/bench_*.py; do \
	  [ -e "$$f" ] || { echo "no bench/bench_*.py found" >&2; exit 1; }; \
	  echo "== $$f"; $(BIN)/python "$$f" || exit 1; \
	done

# The campaigns of tests/reliability (power cuts, network, bad input, security, a trading day,
# fiscal faults): one `RELIABILITY <name> <value>` line per figure, exit 1 when a promise breaks.
# RELIABILITY_SCALE=0.1 make reliability runs a short version; RELIABILITY_SEED picks the seed.
reliability: install deps
	$(BIN)/python -m tests.reliability $(CAMPAIGNS)

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
