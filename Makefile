# The two commands a newcomer needs: `make run` and `make test`.
# Both create the virtual environment on first use, so a fresh machine with
# only Python 3.11 is enough.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
EXAMPLE := resources/examples/demo.streamwright.json

.PHONY: run demo check test test-deps qt-deps bench schema clean package package-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP) qt-deps
	$(BIN)/streamwright

# The bundled example's report, headless in the terminal (no display needed).
demo: $(STAMP)
	$(BIN)/streamwright run $(EXAMPLE) generate-report --format pretty

# Static checks, zero findings: ruff's lint and format over app/, then mypy on the
# packages pyproject.toml's [tool.mypy] names (core, engine, runner, client, cli).
check: $(STAMP)
	$(BIN)/ruff check app
	$(BIN)/ruff format --check app
	$(BIN)/mypy

test: $(STAMP) check test-deps qt-deps
	$(BIN)/python -m pytest

# Installs the Debian packages in $$missing with apt-get: as root, or through sudo
# when a terminal can answer its password prompt; otherwise names the command and fails.
# $(1) is the target's name, $(2) what the packages are for.
define APT_INSTALL
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; \
	  elif command -v sudo >/dev/null 2>&1 && [ -t 0 ]; then sudo="sudo"; \
	  else \
	    echo "make $(1): missing $$missing ($(2)); install them as root: apt-get install -y --no-install-recommends $$missing" >&2; \
	    exit 1; \
	  fi; \
	  echo "make $(1): installing $$missing ($(2)) with apt-get"; \
	  $$sudo apt-get update -q && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi
endef

# Clients the tests drive that nobody here wrote (tests/external): curl, a
# headless Debian chromium, and Node with npm (the generated TypeScript client
# runs in Node; tsc, pinned in tests/external/node/package-lock.json, is
# installed there with npm ci); Xvfb, the X server the first-run test opens
# the editor on; nginx, the reverse proxy the deployment tests put in front
# of serve; and redis-server, the shared run store of several workers
# (COMMAND:DEBIAN-PACKAGE; /usr/sbin is searched too, where nginx lives).
TEST_TOOLS := curl:curl chromium:chromium node:nodejs npm:npm Xvfb:xvfb xauth:xauth nginx:nginx redis-server:redis-server
TS_TOOLS := tests/external/node

test-deps:
	@missing=""; for pair in $(TEST_TOOLS); do \
	  PATH="$$PATH:/usr/sbin:/sbin" command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; \
	done; \
	missing=$$(echo $$missing); \
	$(call APT_INSTALL,test,used by the tests)
	@test -x $(TS_TOOLS)/node_modules/typescript/bin/tsc -a -f $(TS_TOOLS)/node_modules/ai/package.json || npm ci --prefix $(TS_TOOLS) --no-audit --no-fund

# The system libraries Qt's X11 platform plugin links to. app/ui/qt_system_libs.py
# holds the list with each library's Debian package; ldd on the venv's plugin says
# which are missing, so a fresh machine gets exactly those.
qt-deps: $(STAMP)
	@missing=$$($(BIN)/python -m app.ui.qt_system_libs --missing-packages); \
	$(call APT_INSTALL,qt-deps,needed by Qt's X11 platform plugin)

bench: $(STAMP)
	$(BIN)/python tests/perf/bench_engine.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python tests/perf/bench_editor.py
	$(BIN)/python tests/perf/bench_serve.py
	$(BIN)/python tests/perf/bench_cpu_per_message.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python tests/perf/bench_preview.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python tests/perf/bench_stream_inspector.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python tests/perf/bench_page_designer.py

schema: $(STAMP)
	$(BIN)/streamwright schema -o resources/schema/project.schema.json

clean:
	rm -rf $(VENV) build dist *.egg-info streamwright-output

# The desktop build: a PyInstaller onedir bundle in dist/streamwright, its
# size, then packaging/smoke_test.py against it (see packaging/README.md).
BUNDLE := dist/streamwright
PACKAGE_STAMP := $(VENV)/.package-installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

package: package-deps $(PACKAGE_STAMP)
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller packaging/streamwright.spec
	@du -sh $(BUNDLE)
	@du -sb $(BUNDLE) | awk '{ printf "package: %s is %.1f MB (%.1f MiB); goal under 150 MB\n", $$2, $$1 / 1e6, $$1 / 1048576 }'
	$(BIN)/python packaging/smoke_test.py $(BUNDLE)

$(PACKAGE_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[package]"
	rm -f $(VENV)/.package-installed-*
	touch $(PACKAGE_STAMP)

# What PyInstaller runs on Linux (COMMAND:DEBIAN-PACKAGE); the system libraries Qt's
# X11 platform plugin links to come from qt-deps, so the bundle carries them.
PACKAGE_TOOLS := objdump:binutils strip:binutils

package-deps: qt-deps
	@missing=""; for pair in $(PACKAGE_TOOLS); do \
	  command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; \
	done; \
	missing=$$(printf '%s\n' $$missing | sort -u | tr '\n' ' ' | sed 's/^ *//; s/ *$$//'); \
	$(call APT_INSTALL,package,used to build the bundle)
