# The two Quickstart commands (`make demo`, `make test`) need only Python 3.11+,
# pip and git: uv is bootstrapped into .tools/ when it is not on PATH.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
DB ?= sqlite:///defcoop.db

.PHONY: demo test test-slow lint bench help

help:
	@echo "make demo       install, ingest the bundled corpus into a fresh store and serve it"
	@echo "make test       install and run linters, type checks, layering contract and the test suite"
	@echo "make test-slow  the slow suites (fuzzing, crash tests, browser, large benchmarks smoke)"
	@echo "make bench      run the benchmarks under benchmarks/"

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv

.venv: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --all-extras
	@touch .venv

demo: .venv
	$(UV) run defcoop demo

lint: .venv
	$(UV) run ruff check src tests benchmarks
	$(UV) run ruff format --check src tests benchmarks
	$(UV) run mypy
	$(UV) run lint-imports

test: lint
	$(UV) run pytest -q -m "not slow"

test-slow: .venv
	$(UV) run pytest -q -m "slow"

bench: .venv
	$(UV) run python benchmarks/run_all.py
