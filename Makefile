# Two commands set everything up on a fresh machine: `make run` and `make test`, in either order.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
# Stamps: the project with what running needs; then the development tools (tests, lint, types) on top.
RUNTIME = $(VENV)/.installed-runtime
DEV     = $(VENV)/.installed-dev

.PHONY: run test lint format typecheck bench shell clean

# `make .venv` creates the virtual environment.
$(VENV):
	@echo "Creating the virtual environment in $(VENV) ..."
	$(PYTHON) -m venv $(VENV)

$(RUNTIME): pyproject.toml | $(VENV)
	@echo "Installing supportbot and what it needs to run into $(VENV) (the first time takes a minute or two) ..."
	$(BIN)/pip install --quiet --progress-bar off -e .
	@touch $@

$(DEV): $(RUNTIME) pyproject.toml
	@echo "Installing the development tools (pytest, ruff, mypy, hypothesis) ..."
	$(BIN)/pip install --quiet --progress-bar off -e '.[dev]'
	@touch $@

run: $(RUNTIME)
	$(BIN)/supportbot run

shell: $(RUNTIME)
	$(BIN)/supportbot shell

# The suite runs on every core (pytest-xdist, at most 4 workers); `pytest` alone runs it in one process.
test: $(DEV)
	$(BIN)/pytest --numprocesses auto --maxprocesses 4

# Sizes (modules, functions) and complexity are checked by tools/sizes.py, with its allow-list.
lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python tools/sizes.py

format: $(DEV)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(DEV)
	$(BIN)/mypy

# FAQ quality and speed, then the SLA sweep, acks under load and the case pipeline (about 5 minutes;
# the last three need PostgreSQL at $$SUPPORTBOT_BENCH_POSTGRES_URL, default postgres@127.0.0.1:5432).
bench: $(DEV)
	$(BIN)/python benchmarks/faq_quality.py
	$(BIN)/python benchmarks/faq_fit.py --profile lexical
	$(BIN)/python benchmarks/faq_headroom.py
	$(BIN)/python benchmarks/faq_baseline.py
	$(BIN)/python benchmarks/faq_bench.py
	$(BIN)/python benchmarks/sla_bench.py --repeat 5
	$(BIN)/python benchmarks/load_bench.py
	$(BIN)/python benchmarks/pipeline_bench.py --sqlite

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache .mypy_cache
