# potash: every target installs what it needs first, so each works as the first command typed.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
REFRESH ?= 0

ONLY ?=
OUTPUT ?=

.PHONY: help setup data test lint report bench clean

help: ## Show this help
	@awk 'BEGIN {FS = ":.*##"; printf "potash make targets:\n"} /^[a-zA-Z_-]+:.*##/ {printf "  \033[1m%-8s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,dask]'
	@touch $(STAMP)

setup: $(STAMP) ## Create .venv and install potash (editable) with its extras; no-op when up to date

data: $(STAMP) ## Build data/processed/*.parquet from data/raw (REFRESH=1 downloads new vintages first)
	@case "$(REFRESH)" in 0|1) ;; *) echo "make data: REFRESH must be 0 or 1, not '$(REFRESH)'" >&2; exit 2;; esac
	$(PY) -m potash data $(if $(filter 1,$(REFRESH)),--refresh,)

lint: $(STAMP) ## ruff on the package, tests, notebooks and benchmarks
	$(VENV)/bin/ruff check potash tests notebooks bench

test: $(STAMP) ## Lint, then run the whole test suite (includes executing the notebooks)
	$(VENV)/bin/ruff check potash tests notebooks bench
	$(PY) -m pytest -n 2 --dist loadgroup

report: $(STAMP) ## Build data, run the notebooks, write reports/ (ONLY=04 reruns one notebook, OUTPUT=dir writes elsewhere)
	$(PY) -m potash report $(if $(ONLY),--only $(ONLY),) $(if $(OUTPUT),--output $(OUTPUT),)

bench: $(STAMP) ## Run the benchmarks in bench/ (event-study engine, trade ingest); writes bench/README.md
	$(PY) -m pip install --quiet -e '.[bench]' || echo "PyPI eventstudy not installable: its comparison is skipped"
	$(PY) bench/run_all.py

clean: ## Remove processed data, reports and caches (keeps .venv and data/raw)
	rm -rf data/processed/*.parquet reports .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
