# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= kg-out

.PHONY: demo test install lint typecheck unit bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"

demo: install
	$(BIN)/kg build --out $(OUT)
	$(BIN)/kg validate --store $(OUT)
	$(BIN)/kg query papers-by-topic --param topic=topic:rag --store $(OUT)

lint: install
	$(BIN)/ruff check kg tests bench
	$(BIN)/ruff format --check kg tests bench

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/python -m pytest -q

test: lint typecheck unit

bench: install
	$(BIN)/python bench/build_bench.py
	$(BIN)/python bench/query_bench.py
	$(BIN)/python bench/view_bench.py
	$(BIN)/python bench/endpoint_bench.py

clean:
	rm -rf $(OUT) .pytest_cache .mypy_cache .ruff_cache
