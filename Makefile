# flopcast: `make brief` builds this month's brief from the bundled snapshot; `make test` runs the tests.
# Both bootstrap everything on a fresh Debian machine with Python 3.11: WeasyPrint's system
# libraries (apt, when root), uv, the locked virtual environment and the dbt manifest.

SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .uv-bootstrap/bin/uv
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
export UV_PYTHON_DOWNLOADS := never
export DO_NOT_TRACK := 1

.PHONY: brief test test-fast ui bench kill-test clean system-deps test-system-deps venv prepare

brief: prepare
	$(BIN)/flopcast brief $(if $(MONTH),--month $(MONTH))

test: prepare test-system-deps
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup --durations=20 $(PYTEST_ARGS)

# The fast lane: every test not marked slow by tests/conftest.py (no end-to-end run, no build of the
# whole warehouse).
test-fast: prepare test-system-deps
	$(BIN)/python -m pytest -q -m "not slow" $(PYTEST_ARGS)

# `make ui PORT=3001 HOST=0.0.0.0`; defaults 127.0.0.1:3000. Only from the command line: zsh and
# tcsh export HOST (the machine's name), which must not put the UI (no login) on the network.
ui: prepare
	$(BIN)/flopcast ui$(if $(filter command line,$(origin HOST)), --host $(HOST))$(if $(filter command line,$(origin PORT)), --port $(PORT))

bench: prepare
	$(BIN)/flopcast bench $(if $(QUICK),--quick) $(if $(BASELINE),--baseline $(BASELINE))

# Runs SIGKILLed from outside at random instants (RUNS, default 20), each followed by a run that must succeed.
kill-test: prepare
	$(BIN)/python -m bench.kill_runs $(if $(RUNS),--runs $(RUNS))

# WeasyPrint needs Pango (and HarfBuzz's subsetter, for small PDFs) from the system.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing system libraries for WeasyPrint:$$missing"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "WeasyPrint needs system libraries. Run:"; \
	    echo "  sudo apt-get install --no-install-recommends$$missing"; exit 1; \
	  fi; \
	fi

# The production-config test runs a throwaway PostgreSQL server (Debian's package).
test-system-deps:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing PostgreSQL for the production-config test"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql; \
	  else \
	    echo "note: PostgreSQL not installed; its test will be skipped (sudo apt-get install postgresql)"; \
	  fi; \
	fi

$(UV):
	$(PYTHON) -m venv .uv-bootstrap
	.uv-bootstrap/bin/pip install --quiet uv==$(UV_VERSION)

# Locked dependencies, byte-compiled (imports are ~2x slower where .pyc files are not written).
$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --compile-bytecode --quiet
	touch $@

venv: system-deps $(VENV)/.synced

# dbt manifest (never built at import time) and the Dagster instance config.
prepare: venv
	@$(BIN)/flopcast prepare >/dev/null

clean:
	rm -rf var/ transforms/logs
	# dagster-dbt's per-invocation target folders (a run killed mid-build leaves its own behind)
	find transforms/target -mindepth 1 -maxdepth 1 -type d \( -name 'warehouse_dbt_assets-*' -o -name '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]' \) \
	  -exec rm -rf {} + 2>/dev/null || true
