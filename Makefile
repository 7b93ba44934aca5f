# Kehu — the two commands of the Quick start are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export KEHU_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test lint format bench messages e2e clean mutation

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
	$(BIN)/ruff check kehu tests bench tools
	$(BIN)/ruff format --check kehu tests bench tools
	DJANGO_SETTINGS_MODULE=kehu.settings_test $(BIN)/python -m django makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=bench.settings $(BIN)/python -m django makemigrations --check --dry-run bench_memos
	$(BIN)/pytest

lint: $(BIN)/kehu
	$(BIN)/ruff check kehu tests bench tools

format: $(BIN)/kehu
	$(BIN)/ruff format kehu tests bench tools
	$(BIN)/ruff check --fix kehu tests bench tools

## bench: large-data benchmarks (BENCH_SCALE=0.01 for a quick run); results in var/bench/latest.json
bench: $(BIN)/kehu
	$(BIN)/python -m bench

## mutation: mutation-test one module against the tests that cover it (slow; not part of `make test`):
##   make mutation MODULE=kehu/approvals/conditions.py [TESTS="tests/approvals/test_conditions.py"] [SAMPLE=30]
##        [TIMEOUT=seconds per mutant] [BUDGET=minutes] [ONLY=function] [MUTANT=key]; report in var/mutation/
mutation: $(BIN)/kehu
	@test -n "$(MODULE)" || { echo "usage: make mutation MODULE=kehu/<app>/<module>.py [TESTS=...] [SAMPLE=N] [TIMEOUT=s]"; exit 2; }
	DJANGO_SETTINGS_MODULE=kehu.settings_test $(BIN)/python -m tools.mutation $(MODULE) \
		$(if $(TESTS),--tests $(TESTS)) $(if $(SAMPLE),--sample $(SAMPLE)) $(if $(TIMEOUT),--timeout $(TIMEOUT)) \
		$(if $(BUDGET),--budget $(BUDGET)) $(if $(ONLY),--only $(ONLY)) $(if $(MUTANT),--mutant "$(MUTANT)")

## messages: re-extract and compile the Chinese translations
messages: $(BIN)/kehu
	cd kehu && PYTHONPATH=$(CURDIR) DJANGO_SETTINGS_MODULE=kehu.settings_test ../$(BIN)/python -m django makemessages -l zh_Hans --no-obsolete --add-location file -i "static/*"
	cd kehu && PYTHONPATH=$(CURDIR) DJANGO_SETTINGS_MODULE=kehu.settings_test ../$(BIN)/python -m django compilemessages -l zh_Hans

clean:
	rm -rf $(VENV) var/static .pytest_cache .ruff_cache
