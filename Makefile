# Orchestrall: the whole set-up is `make run` and `make test` on a fresh clone.
#
# Both targets create .venv (Python 3.11) and install the pinned package set
# when pyproject.toml or constraints.txt changed, and install bun from the npm
# registry into .bun/ (Reflex 0.10 needs bun >= 1.4.4 or Node >= 22.22).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
INSTALL_STAMP := $(VENV)/.orchestrall-installed
BUN_VERSION := 1.4.4
BUN_DIR := .bun
BUN := $(BUN_DIR)/node_modules/.bin/bun
BUN_STAMP := $(BUN_DIR)/.bun-$(BUN_VERSION)

# Reflex uses the project-local bun and never phones home.
export PATH := $(CURDIR)/$(BUN_DIR)/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)
export REFLEX_USE_SYSTEM_BUN := 1
export REFLEX_TELEMETRY_ENABLED := false
export NPM_CONFIG_REGISTRY ?= https://registry.npmjs.org

.PHONY: help run test install lint

help:
	@echo "make run   - start Orchestrall at http://localhost:3000 (backend on :8000)"
	@echo "make test  - ruff, import contracts and the whole pytest suite (incl. Chromium e2e)"

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# Embeddings run on CPU torch: constraints.txt pins torch==2.13.0+cpu, a wheel PyPI does
# not serve (PyPI's torch is a multi-GB CUDA build). uv takes it from TORCH_WHEELS, a
# folder (or page of links) holding it: /opt/wheels on this project's machines.
TORCH_WHEELS ?= $(wildcard /opt/wheels)
FIND_LINKS := $(if $(TORCH_WHEELS),--find-links $(TORCH_WHEELS))

$(INSTALL_STAMP): pyproject.toml constraints.txt | $(VENV)/bin/python
	@test -n "$(TORCH_WHEELS)" || { echo "No CPU torch wheel: set TORCH_WHEELS to a folder or" \
		"page of links holding torch-2.13.0+cpu for Python 3.11 (see constraints.txt)." >&2; exit 1; }
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv
	$(VENV)/bin/uv pip install --python $(VENV)/bin/python -c constraints.txt $(FIND_LINKS) -e '.[dev]'
	@# Refuse a CUDA build that slipped in (nvidia-* wheels are gigabytes and useless here).
	@! $(VENV)/bin/uv pip list --python $(VENV)/bin/python | grep -iE '^(nvidia-|triton )' \
		|| { echo "CUDA packages were installed (above); torch must be the CPU build." >&2; exit 1; }
	touch $@

$(BUN_STAMP):
	npm install --prefix $(BUN_DIR) --no-save --no-audit --no-fund --loglevel=error bun@$(BUN_VERSION)
	@# The package's postinstall puts the native binary in place; run it if npm skipped it.
	$(BUN) --version >/dev/null 2>&1 || (cd $(BUN_DIR)/node_modules/bun && node install.js)
	test "$$($(BUN) --version)" = "$(BUN_VERSION)"
	touch $@

install: $(INSTALL_STAMP) $(BUN_STAMP)

# `orchestrall run` execs scripts/run_app.sh, which prints where the data lives.
run: install
	$(VENV)/bin/orchestrall run

lint: $(INSTALL_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

test: install lint
	scripts/ensure_chromium.sh
	$(VENV)/bin/pytest tests
