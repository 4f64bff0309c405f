# The two commands a newcomer needs: `make run` and `make test`.
# Both create the virtual environment on first use, so a fresh machine with
# only Python 3.11 is enough.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
EXAMPLE := resources/examples/demo.streamwright.json

.PHONY: run test bench schema clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/streamwright run $(EXAMPLE) generate-report --format pretty

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python tests/perf/bench_engine.py

schema: $(STAMP)
	$(BIN)/streamwright schema -o resources/schema/project.schema.json

clean:
	rm -rf $(VENV) build dist *.egg-info streamwright-output
