# Two entry points for a fresh clone: `make demo` and `make test`.
# Everything is bootstrapped into .venv from the package registries.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= newsgraph.duckdb
DATA ?= ../shared/data

.PHONY: demo test lint typecheck pytest bench fuzz clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Marker files record which install is current; they are rebuilt when pyproject.toml changes.
$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev,dask]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/newsgraph ingest examples/demo --db $(DB)
	@echo
	$(BIN)/newsgraph stats --db $(DB)
	@echo
	@echo "Look further:  $(BIN)/newsgraph articles --db $(DB)"
	@echo "               $(BIN)/newsgraph search 'Sheikh Jarrah' --db $(DB)"
	@echo "               $(BIN)/newsgraph events --actor Haniyeh --db $(DB)"
	@echo "               $(BIN)/newsgraph events --status alleged --db $(DB)"
	@echo "               $(BIN)/newsgraph analyze examples/demo/text/haniyeh_letter_khamenei.txt"

test: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	NEWSGRAPH_DATA=$(DATA) $(BIN)/pytest

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/throughput.py --data $(DATA)/news --articles 600 --repeat 3
	$(BIN)/python benchmarks/scaling.py --data $(DATA)/news --articles 300 --repeat 2
	$(BIN)/python benchmarks/store_writes.py --data $(DATA)/news --articles 2000

# Long fuzzing, not in CI: FUZZ_CASES generated hostile inputs through `newsgraph ingest`
# (crashes, hangs and unaccounted inputs must all be 0; see docs/ingest.md, Resilience).
FUZZ_CASES ?= 3000
fuzz: $(VENV)/.installed-dev
	NEWSGRAPH_FUZZ_CASES=$(FUZZ_CASES) NEWSGRAPH_FUZZ_EXAMPLES=300 \
		$(BIN)/pytest tests/test_fuzz_ingest.py -q -s

clean:
	rm -rf $(VENV) $(DB) $(DB).wal $(DB).search .pytest_cache .mypy_cache .ruff_cache
