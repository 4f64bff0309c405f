# The two commands a newcomer needs: `make run` and `make test`.
# Both create the virtual environment on first use, so a fresh machine with
# only Python 3.11 is enough.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
EXAMPLE := resources/examples/demo.streamwright.json

.PHONY: run demo test test-deps bench schema clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/streamwright

# The bundled example's report, headless in the terminal (no display needed).
demo: $(STAMP)
	$(BIN)/streamwright run $(EXAMPLE) generate-report --format pretty

test: $(STAMP) test-deps
	$(BIN)/python -m pytest

# Clients the tests drive that nobody here wrote (tests/external): curl and a
# headless Debian chromium. Installed with apt when missing; needs root.
# Each is both the command and its Debian package.
TEST_TOOLS := curl chromium

test-deps:
	@missing=""; for tool in $(TEST_TOOLS); do \
	  command -v $$tool >/dev/null 2>&1 || missing="$$missing $$tool"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "make test: missing$$missing (used by tests/external); install as root: apt-get install -y --no-install-recommends$$missing" >&2; \
	    exit 1; \
	  fi; \
	  echo "make test: installing$$missing with apt-get"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -q && apt-get install -y -q --no-install-recommends$$missing </dev/null; \
	fi

bench: $(STAMP)
	$(BIN)/python tests/perf/bench_engine.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python tests/perf/bench_editor.py
	$(BIN)/python tests/perf/bench_serve.py

schema: $(STAMP)
	$(BIN)/streamwright schema -o resources/schema/project.schema.json

clean:
	rm -rf $(VENV) build dist *.egg-info streamwright-output
