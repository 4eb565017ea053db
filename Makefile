# Training Management System: `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NPM := $(shell command -v npm 2>/dev/null)

# uv installs exactly what uv.lock pins. This version is fetched from PyPI into .uv/ with the
# machine's pip, so a machine needs only Python and pip; one uv for everyone keeps uv.lock stable.
UV_VERSION := 0.13.8
UV_HOME := .uv
UV := $(UV_HOME)/bin/uv --no-python-downloads
UV_STAMP := $(UV_HOME)/.version-$(UV_VERSION)

# Tests marked `serial` time CPU-bound work: they run first, alone (pytest exits 5 when none
# is selected); the rest in parallel, listing the 15 slowest so that a slow test shows.
PYTEST := $(BIN)/pytest
SERIAL_TESTS := $(PYTEST) -m serial -n 0 -q -rs
PARALLEL_TESTS := $(PYTEST) -m "not serial" -n auto --dist loadgroup --durations=15 -rs
# web/node_modules as web/package-lock.json pins it (again when the lock file changes).
WEB_DEPS := { [ web/node_modules/.package-lock.json -nt web/package-lock.json ] || (cd web && npm ci --no-audit --no-fund --loglevel=error); }

.PHONY: help run test coverage check lint format types imports audit web web-check install lock demo bench bench-quick openapi clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(UV_STAMP):
	@echo "Installing uv $(UV_VERSION) into $(UV_HOME)/ ..."
	@rm -rf $(UV_HOME)
	@out=$$(PIP_ROOT_USER_ACTION=ignore $(PYTHON) -m pip install --disable-pip-version-check --quiet --target $(UV_HOME) "uv==$(UV_VERSION)" 2>&1) \
		|| { echo "$$out"; echo "Could not install uv with '$(PYTHON) -m pip': Python 3.11+ with pip and access to PyPI are needed."; exit 1; }
	@touch $@

$(STAMP): pyproject.toml uv.lock $(UV_STAMP)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed (found $$($(PYTHON) --version))"; exit 1; }
	@echo "Installing the project into $(VENV) as uv.lock pins it ..."
	@$(UV) sync --locked --extra dev --python $(PYTHON) --quiet \
		|| { echo "(When pyproject.toml's dependencies changed, 'make lock' updates uv.lock.)"; exit 1; }
	@$(BIN)/python -c 'import tms_entrypoints' && touch $(STAMP)

install: $(STAMP) ## Create the virtual environment and install the project as uv.lock pins it

lock: $(UV_STAMP) ## Update uv.lock after a change to the dependencies in pyproject.toml
	@$(UV) lock

web: ## Build the web client (needs Node.js 20+ and npm)
	@if [ -z "$(NPM)" ]; then \
		echo "Node.js/npm not found: the API runs without the web client. Install Node.js 20+ (https://nodejs.org or your package manager) and run 'make web'."; \
	elif [ -f web/package.json ]; then \
		$(WEB_DEPS) && cd web && npm run build --silent; \
	fi

run: $(STAMP) ## Install what is missing, migrate the SQLite default, serve API and web client on :8002
	@$(MAKE) --no-print-directory web || echo "The web client could not be built; serving the API alone."
	@if [ -n "$$TMS_DEMO" ]; then $(BIN)/tms demo --if-empty --small; fi
	@$(BIN)/tms serve

test: $(STAMP) ## Run every test, in parallel (MariaDB/Redis/browser tests skip with a reason when those are missing)
	@$(SERIAL_TESTS) || [ $$? -eq 5 ]
	@$(PARALLEL_TESTS)

coverage: $(STAMP) ## Run every test with branch coverage (src/, `tms serve` processes too); fails under 85 %
	@rm -f .coverage .coverage.*
	@$(SERIAL_TESTS) --cov --cov-report= --cov-fail-under=0 || [ $$? -eq 5 ]
	@$(PARALLEL_TESTS) --cov --cov-append

lint: $(STAMP) ## Lint and check formatting (ruff)
	@$(BIN)/ruff check src tests bench examples tools
	@$(BIN)/ruff format --check src tests bench examples tools

format: $(STAMP) ## Format the code (ruff)
	@$(BIN)/ruff check --fix src tests bench examples tools
	@$(BIN)/ruff format src tests bench examples tools

types: $(STAMP) ## Type-check src/ (mypy --strict)
	@$(BIN)/mypy

imports: $(STAMP) ## Check the layer boundaries (import-linter)
	@$(BIN)/lint-imports

audit: $(STAMP) ## Known vulnerabilities in the locked Python packages (pip-audit) and web/ (npm audit); see audit-ignore.toml
	@$(UV) export --locked --extra dev --no-emit-project --format requirements-txt --quiet -o $(VENV)/audit-requirements.txt
	@$(BIN)/python tools/audit.py $(VENV)/audit-requirements.txt

web-check: ## The web client's static checks: generated API types current, Biome lint, types
	@if [ -z "$(NPM)" ]; then \
		echo "Node.js/npm not found: the web client's checks are skipped (install Node.js 20+)."; \
	else \
		$(WEB_DEPS) && cd web && npm run --silent check:static; \
	fi

check: lint types imports audit web-check coverage ## Everything CI runs: lint, types, layers, audit, web client lint and types, every test with coverage

demo: $(STAMP) ## Fill the database with demo data (20 trainers, 1,000 trainees, 2,000 sessions)
	@$(BIN)/tms demo

bench: $(STAMP) ## Run the benchmark suite (about 25 minutes): the core lists and sign-in, then part two's lists
	@$(BIN)/python -m bench.run
	@$(BIN)/python -m bench.bench_feature_lists --databases sqlite,mariadb --write

bench-quick: $(STAMP) ## Run a short benchmark (under a minute)
	@$(BIN)/python -m bench.run --quick

openapi: $(STAMP) ## Write docs/openapi.json from the app (commit it with any API change)
	@$(BIN)/python -m tms_entrypoints.http.openapi_export > docs/openapi.json.tmp && mv docs/openapi.json.tmp docs/openapi.json || { rm -f docs/openapi.json.tmp; exit 1; }
	@echo "docs/openapi.json written"

clean: ## Remove caches and coverage data (keeps the virtual environment and var/)
	@rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis .coverage .coverage.* htmlcov build dist src/*.egg-info
