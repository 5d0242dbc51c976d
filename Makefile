# Two commands for a newcomer: `make run` (FieldChat on its embedded default) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_DB ?=

.PHONY: run test lint check browser clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python run.py serve

# Whole suite: lint, import contracts, types, tests (SQLite unless TEST_DB is a PostgreSQL URL).
test: $(STAMP) browser
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	FIELDCHAT_TEST_DATABASE_URL="$(TEST_DB)" $(BIN)/python -m pytest

# Debian's Chromium for the browser test (Playwright cannot download its own here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium missing: sudo apt-get install chromium (the browser test will be skipped)"; fi; }

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
