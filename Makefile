# The two commands a newcomer needs: `make run` and `make test`.
# Both create the virtual environment on first use, so a fresh machine with
# only Python 3.11 is enough.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
EXAMPLE := resources/examples/demo.streamwright.json

.PHONY: run demo test test-deps bench schema clean package package-deps

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

# Clients the tests drive that nobody here wrote (tests/external): curl, a
# headless Debian chromium, and Node with npm (the generated TypeScript client
# runs in Node; tsc, pinned in tests/external/node/package-lock.json, is
# installed there with npm ci). Installed with apt when missing; needs root.
# COMMAND:DEBIAN-PACKAGE.
TEST_TOOLS := curl:curl chromium:chromium node:nodejs npm:npm
TS_TOOLS := tests/external/node

test-deps:
	@missing=""; for pair in $(TEST_TOOLS); do \
	  command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; \
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
	@test -x $(TS_TOOLS)/node_modules/typescript/bin/tsc || npm ci --prefix $(TS_TOOLS) --no-audit --no-fund

bench: $(STAMP)
	$(BIN)/python tests/perf/bench_engine.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python tests/perf/bench_editor.py
	$(BIN)/python tests/perf/bench_serve.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python tests/perf/bench_preview.py
	QT_QPA_PLATFORM=offscreen $(BIN)/python tests/perf/bench_stream_inspector.py

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

# What PyInstaller runs on Linux (objdump, strip), and the system libraries Qt's
# X11 platform plugin links to, so the bundle carries them (COMMAND-or-SONAME:DEBIAN-PACKAGE).
# Installed with apt when missing; needs root, like test-deps.
PACKAGE_TOOLS := objdump:binutils strip:binutils
PACKAGE_LIBS := libEGL.so.1:libegl1 libGL.so.1:libgl1 libfontconfig.so.1:libfontconfig1 \
  libglib-2.0.so.0:libglib2.0-0 libdbus-1.so.3:libdbus-1-3 libxkbcommon.so.0:libxkbcommon0 \
  libxkbcommon-x11.so.0:libxkbcommon-x11-0 libX11-xcb.so.1:libx11-xcb1 libxcb-cursor.so.0:libxcb-cursor0 \
  libxcb-icccm.so.4:libxcb-icccm4 libxcb-keysyms.so.1:libxcb-keysyms1 libxcb-image.so.0:libxcb-image0 \
  libxcb-randr.so.0:libxcb-randr0 libxcb-render-util.so.0:libxcb-render-util0 libxcb-shape.so.0:libxcb-shape0 \
  libxcb-shm.so.0:libxcb-shm0 libxcb-sync.so.1:libxcb-sync1 libxcb-xfixes.so.0:libxcb-xfixes0 libxcb-xkb.so.1:libxcb-xkb1

package-deps:
	@missing=""; \
	for pair in $(PACKAGE_TOOLS); do \
	  command -v $${pair%%:*} >/dev/null 2>&1 || missing="$$missing $${pair#*:}"; \
	done; \
	libs=$$( (ldconfig -p || /sbin/ldconfig -p) 2>/dev/null | awk 'NR > 1 { print $$1 }' ); \
	if [ -n "$$libs" ]; then \
	  for pair in $(PACKAGE_LIBS); do \
	    printf '%s\n' "$$libs" | grep -qxF "$${pair%%:*}" || missing="$$missing $${pair#*:}"; \
	  done; \
	fi; \
	missing=$$(printf '%s\n' $$missing | sort -u | tr '\n' ' ' | sed 's/^ *//; s/ *$$//'); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "make package: missing $$missing; install as root: apt-get install -y --no-install-recommends $$missing" >&2; \
	    exit 1; \
	  fi; \
	  echo "make package: installing $$missing with apt-get"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -q && apt-get install -y -q --no-install-recommends $$missing </dev/null; \
	fi
