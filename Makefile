# The two commands: `make run` and `make test`. Each sets itself up on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup browser js run test lint format bench soak clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

.env:
	cp .env.example .env

setup: $(STAMP) .env

# The web page's tests drive Debian's chromium headless (never a downloaded browser). Best
# effort: without it (or without root) those tests are skipped with a visible reason.
browser:
	@if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } \
	    || echo "could not install chromium: the web page tests will be skipped"; \
	fi

# The JS client's test drives `@langchain/langgraph-sdk` from npm, pinned by its package-lock.json
# (npm writes node_modules/.package-lock.json last, so it marks a finished install). Best effort:
# without npm (or the registry) that test is skipped with a visible reason.
JS_CLIENT := tests/api/langgraph_api/js
js:
	@if command -v npm >/dev/null && { [ ! -f $(JS_CLIENT)/node_modules/.package-lock.json ] \
	    || [ $(JS_CLIENT)/package-lock.json -nt $(JS_CLIENT)/node_modules/.package-lock.json ]; }; then \
	  npm ci --prefix $(JS_CLIENT) --no-audit --no-fund --loglevel=error >/dev/null \
	    || echo "could not install the JS client with npm: its test will be skipped"; \
	fi

run: setup
	$(BIN)/pausepoint serve

test: setup browser js
	LANGGRAPH_STRICT_MSGPACK=true $(BIN)/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict src

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: setup
	LANGGRAPH_STRICT_MSGPACK=true $(BIN)/python bench/run.py

soak: setup
	LANGGRAPH_STRICT_MSGPACK=true $(BIN)/python bench/crash_trials.py --trials 50
	LANGGRAPH_STRICT_MSGPACK=true $(BIN)/python bench/background_trials.py --trials 40

clean:
	rm -rf $(VENV) .pausepoint .pytest_cache .mypy_cache .ruff_cache .langgraph_api $(JS_CLIENT)/node_modules
