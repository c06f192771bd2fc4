# Assortment Health: `make run` builds the demo and serves the dashboard, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SPARK_STAMP := $(VENV)/.spark-installed
DEMO_DB ?= data/demo/assortment.duckdb
# `make run PORT=8061` and `ASSORTMENT_PORT=8061 make run` (or the same line in .env) all work:
# empty HOST/PORT leave ASSORTMENT_HOST/ASSORTMENT_PORT (environment, then .env, then 127.0.0.1:8050)
# to `assortment serve`.
HOST ?=
PORT ?=
WORKERS ?=
SERVE_OPTS = $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT)) $(if $(WORKERS),--workers $(WORKERS))
BENCH_USERS_SECONDS ?= 60
BENCH_USERS_WORKERS ?= 1,2
BENCH_USERS_FLAGS ?= --alone
I18N_KEYWORDS := -k t:1 -k N_  # the catalogue's call shapes (tests/test_i18n.py reads this line)
SOAK_SECONDS ?= 120
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.DEFAULT_GOAL := help
.PHONY: help install install-spark run demo serve test test-clone test-fast test-spark e2e-deps bench bench-load bench-monthly bench-dashboard bench-users bench-spark soak lint i18n clean

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
	@set -o pipefail; $(BIN)/python -m pip install -q -e '.[dev]' 2>&1 | { grep -v '^WARNING: Location' || true; }
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install the project with its dev dependencies

$(SPARK_STAMP): $(STAMP)
	@set -o pipefail; $(BIN)/python -m pip install -q -e '.[dev,spark]' 2>&1 | { grep -v '^WARNING: Location' || true; }
	@touch $(SPARK_STAMP)

install-spark: $(SPARK_STAMP) ## add the optional Spark engine (pyspark, pandas; needs Java 17)

demo: $(STAMP) ## (re)build the demo database from sample_data/ in data/demo/, replacing it
	@bash scripts/build_demo.sh $(DEMO_DB)

run: $(STAMP) ## set up, build the demo when absent (data/demo/) and serve it (HOST=, PORT=, WORKERS=)
	@test -f $(DEMO_DB) || bash scripts/build_demo.sh $(DEMO_DB)
	@bash scripts/serve_demo.sh $(DEMO_DB) $(SERVE_OPTS)

serve: $(STAMP) ## serve the dashboard over the database in ASSORTMENT_DB (or data/) (HOST=, PORT=, WORKERS=)
	@$(BIN)/assortment serve $(SERVE_OPTS)

e2e-deps: ## install Debian's chromium, chromium-driver and a CJK font when missing
	@bash scripts/e2e_deps.sh

test: $(STAMP) e2e-deps ## run every test, browser tests included (Spark's: make test-spark; the README walk-through: make test-clone)
	@$(BIN)/python -m pytest -q -m "not spark and not clone"

test-clone: $(STAMP) e2e-deps ## this README's commands in order in a fresh clone (make run included; a few minutes)
	@$(BIN)/python -m pytest -q -m clone

test-fast: $(STAMP) ## unit tests only (no browser, no subprocess crash tests)
	@$(BIN)/python -m pytest -q -m "not e2e and not slow and not spark"

test-spark: $(SPARK_STAMP) ## install the Spark extra; both engines' exports identical (local[2], a few minutes)
	@$(BIN)/python -m pytest -q -m spark

bench-load: $(STAMP) ## load stock/sales of a whole 2,000-store month vs DuckDB read_csv (writes BENCHMARKS.md)
	@$(BIN)/python benchmarks/bench_load.py

bench: $(STAMP) ## classification benchmark vs the DuckDB floor (writes BENCHMARKS.md)
	@$(BIN)/python benchmarks/bench_classify.py

bench-monthly: $(STAMP) e2e-deps ## time the monthly batch on the 2,000-store network (writes BENCHMARKS.md)
	@$(BIN)/python benchmarks/bench_monthly.py

bench-spark: $(SPARK_STAMP) ## one network through both engines: where Spark's time goes (writes BENCHMARKS.md)
	@$(BIN)/python benchmarks/bench_spark.py

bench-dashboard: $(STAMP) ## dashboard callback latencies with 2,000 locations (writes BENCHMARKS.md)
	@$(BIN)/python benchmarks/bench_dashboard.py

bench-users: $(STAMP) e2e-deps ## 50 signed-in users, no think time, upload + monthly batch; 1 vs N workers (writes BENCHMARKS.md)
	@$(BIN)/python benchmarks/bench_users.py --seconds $(BENCH_USERS_SECONDS) --workers $(BENCH_USERS_WORKERS) $(BENCH_USERS_FLAGS)

i18n: $(STAMP) ## extract the keys from the code into the .po files (then translate the new, empty ones)
	@$(BIN)/pybabel -q extract -F babel.cfg $(I18N_KEYWORDS) --no-default-keywords --no-location \
		--sort-output -w 100 -o $(VENV)/messages.pot assortment dashboard
	@$(BIN)/pybabel -q update -i $(VENV)/messages.pot -d assortment/locale -D messages -w 100 \
		--no-fuzzy-matching --ignore-obsolete
	@$(BIN)/python -m pytest -q tests/test_i18n.py

soak: $(STAMP) e2e-deps ## a few minutes of everything at once with writers killed; checks nothing is lost (writes BENCHMARKS.md)
	@$(BIN)/python benchmarks/soak.py --seconds $(SOAK_SECONDS)

lint: $(STAMP) ## ruff and mypy
	@$(BIN)/ruff check assortment dashboard tests benchmarks
	@$(BIN)/mypy assortment dashboard

clean: ## remove the venv, data and caches
	rm -rf $(VENV) data .pytest_cache .ruff_cache .mypy_cache *.egg-info
