# Training Management System: `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NPM := $(shell command -v npm 2>/dev/null)

.PHONY: help run test check lint format types imports install web demo bench bench-quick openapi clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed (found $$($(PYTHON) --version))"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing the project into $(VENV) ..."
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip 2>/dev/null
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]' 2>&1 | grep -v "is ignored: it is neither a file nor a directory" || true
	@$(BIN)/python -c 'import tms_entrypoints' && touch $(STAMP)

install: $(STAMP) ## Create the virtual environment and install the project

web: ## Build the web client (needs Node.js 20+ and npm)
	@if [ -z "$(NPM)" ]; then \
		echo "Node.js/npm not found: the API runs without the web client. Install Node.js 20+ (https://nodejs.org or your package manager) and run 'make web'."; \
	elif [ -f web/package.json ]; then \
		cd web && { [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error; } && npm run build --silent; \
	fi

run: $(STAMP) ## Install what is missing, migrate the SQLite default, serve API and web client on :8002
	@$(MAKE) --no-print-directory web || echo "The web client could not be built; serving the API alone."
	@if [ -n "$$TMS_DEMO" ]; then $(BIN)/tms demo --if-empty --small; fi
	@$(BIN)/tms serve

test: $(STAMP) ## Run every test (MariaDB/Redis/browser tests skip with a reason when those are missing)
	@$(BIN)/pytest

lint: $(STAMP) ## Lint and check formatting (ruff)
	@$(BIN)/ruff check src tests bench examples
	@$(BIN)/ruff format --check src tests bench examples

format: $(STAMP) ## Format the code (ruff)
	@$(BIN)/ruff check --fix src tests bench examples
	@$(BIN)/ruff format src tests bench examples

types: $(STAMP) ## Type-check src/ (mypy --strict)
	@$(BIN)/mypy

imports: $(STAMP) ## Check the layer boundaries (import-linter)
	@$(BIN)/lint-imports

check: lint types imports test ## Lint, types, import boundaries, then every test

demo: $(STAMP) ## Fill the database with demo data (20 trainers, 1,000 trainees, 2,000 sessions)
	@$(BIN)/tms demo

bench: $(STAMP) ## Run the benchmark suite (several minutes)
	@$(BIN)/python -m bench.run

bench-quick: $(STAMP) ## Run a short benchmark (under a minute)
	@$(BIN)/python -m bench.run --quick

openapi: $(STAMP) ## Write docs/openapi.json from the app (commit it with any API change)
	@$(BIN)/python -m tms_entrypoints.http.openapi_export > docs/openapi.json.tmp && mv docs/openapi.json.tmp docs/openapi.json || { rm -f docs/openapi.json.tmp; exit 1; }
	@echo "docs/openapi.json written"

clean: ## Remove caches (keeps the virtual environment and var/)
	@rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist src/*.egg-info
