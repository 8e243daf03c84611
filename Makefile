# The two commands of the README:
#   make demo   set everything up on a fresh machine and run the demo
#   make test   set everything up and run the tests
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: setup demo test bench clean

$(BIN)/huaxiang: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test,spark]"
	touch $@

setup: $(BIN)/huaxiang

demo: setup
	$(BIN)/huaxiang demo huaxiang-demo --force $(if $(CUSTOMERS),--customers $(CUSTOMERS),)

test: setup
	$(BIN)/python -m pytest -n 2 --dist loadgroup tests

bench: setup
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) huaxiang-demo .pytest_cache
