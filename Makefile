# Two entry points matter: `make demo` and `make test`. Everything else is a step they share.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_RUN := build/demo_duckdb

.PHONY: install demo test lint typecheck pytest bench clean lock

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# The demo runs on a scratch copy so the bundled project stays pristine and the diff shows exactly
# what one `yaml document` run adds. It ends with what `--synthesize` would ask an LLM for the gaps
# inheritance could not fill: a dry run, so no request is sent and no API key is needed.
demo: install
	rm -rf $(DEMO_RUN) && mkdir -p $(dir $(DEMO_RUN)) && cp -r demo_duckdb $(DEMO_RUN)
	rm -rf $(DEMO_RUN)/target $(DEMO_RUN)/logs $(DEMO_RUN)/*.duckdb*
	cd $(DEMO_RUN) && $(abspath $(BIN))/dbt seed --quiet --project-dir . --profiles-dir .
	cd $(DEMO_RUN) && $(abspath $(BIN))/dbt run --quiet --project-dir . --profiles-dir .
	$(BIN)/dbt-osmosis yaml document --project-dir $(DEMO_RUN) --profiles-dir $(DEMO_RUN)
	@echo "--- What changed in the demo project's YAML ---"
	@diff -ruN --exclude=target --exclude=logs --exclude='*.duckdb*' demo_duckdb $(DEMO_RUN) || true
	@echo "--- What --synthesize would ask an LLM (dry run: nothing sent, no API key needed) ---"
	$(BIN)/dbt-osmosis yaml document --project-dir $(DEMO_RUN) --profiles-dir $(DEMO_RUN) --synthesize --llm-dry-run

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install
	$(BIN)/mypy

# Two workers (pytest-xdist): most of a run is dbt parsing, which is CPU-bound and single-threaded, so a
# second core nearly halves the suite. Each worker builds its own session projects and fake server.
# `make pytest PYTEST_WORKERS=0` runs in one process.
PYTEST_WORKERS ?= 2

pytest: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal

test: lint typecheck pytest

bench: install
	$(BIN)/python benchmarks/bench_document.py

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache

# Re-resolve requirements.lock after changing dependencies in pyproject.toml.
lock: install
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -c lock-constraints.txt -o requirements.lock
