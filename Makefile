# Kehu — the two commands of the Quick start are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export KEHU_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test lint format bench messages e2e clean

$(BIN)/kehu: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@

## run: install, migrate, load the demo company when the database is empty, serve on :$${KEHU_PORT:-8000}
run: $(BIN)/kehu
	$(BIN)/kehu migrate --no-input
	$(BIN)/kehu demo --if-empty
	$(BIN)/kehu serve

## test: ruff, then the whole pytest suite (SQLite by default, KEHU_TEST_DATABASE_URL selects PostgreSQL)
test: $(BIN)/kehu
	$(BIN)/ruff check kehu tests bench
	$(BIN)/ruff format --check kehu tests bench
	DJANGO_SETTINGS_MODULE=kehu.settings_test $(BIN)/python -m django makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=bench.settings $(BIN)/python -m django makemigrations --check --dry-run bench_memos
	$(BIN)/pytest

lint: $(BIN)/kehu
	$(BIN)/ruff check kehu tests bench

format: $(BIN)/kehu
	$(BIN)/ruff format kehu tests bench
	$(BIN)/ruff check --fix kehu tests bench

## bench: large-data benchmarks (BENCH_SCALE=0.01 for a quick run); results in var/bench/latest.json
bench: $(BIN)/kehu
	$(BIN)/python -m bench

## messages: re-extract and compile the Chinese translations
messages: $(BIN)/kehu
	cd kehu && PYTHONPATH=$(CURDIR) DJANGO_SETTINGS_MODULE=kehu.settings_test ../$(BIN)/python -m django makemessages -l zh_Hans --no-obsolete --add-location file -i "static/*"
	cd kehu && PYTHONPATH=$(CURDIR) DJANGO_SETTINGS_MODULE=kehu.settings_test ../$(BIN)/python -m django compilemessages -l zh_Hans

clean:
	rm -rf $(VENV) var/static .pytest_cache .ruff_cache
