# The two commands: `make run` (set up, load the example, serve) and `make test` (the suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install install-dev assets browser bench clean
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "error: '$(PYTHON) -m venv' failed; on Debian/Ubuntu: apt-get install python3-venv" >&2; \
	  exit 1; }
	$(BIN)/pip install --quiet --upgrade pip

# setup.py builds the optional C pre-hash writer (skipped, with a warning, without a compiler).
BUILD_FILES := pyproject.toml setup.py zhizao/events/_prehash_c.c

NATIVE_CHECK := $(BIN)/python -c "from zhizao.events.hashing import native_pre_hash as n; \
  n() or print('note: the C hash writer was not built (no C compiler or Python headers; Debian: \
  apt-get install gcc python3-dev); the Python writer is used: same hashes, slower capture')"

$(VENV)/.installed: $(BIN)/python $(BUILD_FILES)
	$(BIN)/pip install --quiet -e .
	@$(NATIVE_CHECK)
	touch $@

$(VENV)/.installed-dev: $(BIN)/python $(BUILD_FILES)
	$(BIN)/pip install --quiet -e '.[dev]'
	@$(NATIVE_CHECK)
	touch $@ $(VENV)/.installed

# The dashboard's ECharts, from the npm registry, checked against package-lock.json.
zhizao/web/static/vendor/echarts/.integrity: package-lock.json | $(BIN)/python
	$(BIN)/python -m zhizao.web.assets $(if $(NPM_REGISTRY),--registry $(NPM_REGISTRY))

# Debian's Chromium, which the browser tests drive (Playwright never downloads a browser),
# and a CJK font so the Chinese pages' screenshots show their text.
/usr/bin/chromium:
	$(SUDO) apt-get install -y --no-install-recommends chromium fonts-wqy-zenhei || \
	  { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium fonts-wqy-zenhei; }

# The load generator and the static-file reference the benchmarks compare against.
/usr/bin/wrk:
	$(SUDO) apt-get install -y --no-install-recommends wrk nginx-light || \
	  { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends wrk nginx-light; }

assets: zhizao/web/static/vendor/echarts/.integrity
browser: /usr/bin/chromium
install: $(VENV)/.installed assets
install-dev: $(VENV)/.installed-dev assets browser

run: install
	$(BIN)/zhizao init
	$(BIN)/zhizao demo
	$(BIN)/zhizao serve --host $(HOST) --port $(PORT)

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install-dev /usr/bin/wrk
	$(BIN)/python bench/resolve.py
	$(BIN)/python bench/federation.py
	$(BIN)/python bench/events.py
	$(BIN)/python bench/dashboard.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
	find zhizao -name '*.so' -delete
