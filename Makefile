# Rassembleur. The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
STAMP := .make
VENDOR := static/vendor

.PHONY: run test test-scaled setup assets translations db lint format clean

run: setup db
	$(FLASK) demo seed --if-empty
	@$(FLASK) demo accounts
	@echo "Serving the demo community on http://127.0.0.1:5000"
	$(FLASK) run --host 127.0.0.1 --port 5000

test: setup
	$(BIN)/ruff check .
	$(BIN)/pytest -n $(PYTEST_WORKERS)

# The same suite on the scaled-out backends: PostgreSQL and Redis of this machine
# (each run makes its own database and Redis key prefix, and removes them).
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
# Two workers: the machines this runs on have two cores.
PYTEST_WORKERS ?= 2
test-scaled: setup
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest -n $(PYTEST_WORKERS)

setup: $(STAMP)/venv $(STAMP)/assets translations

$(STAMP)/venv: requirements.txt requirements-dev.txt
	@mkdir -p $(STAMP)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

$(STAMP)/node: package.json package-lock.json
	@mkdir -p $(STAMP)
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: $(STAMP)/assets
$(STAMP)/assets: $(STAMP)/node
	mkdir -p $(VENDOR)
	cp node_modules/bootstrap/dist/css/bootstrap.min.css $(VENDOR)/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp node_modules/chart.js/dist/chart.umd.min.js $(VENDOR)/
	cp node_modules/bootstrap/LICENSE $(VENDOR)/LICENSE.bootstrap
	cp node_modules/htmx.org/LICENSE $(VENDOR)/LICENSE.htmx
	cp node_modules/chart.js/LICENSE.md $(VENDOR)/LICENSE.chartjs
	touch $@

translations: $(STAMP)/venv
	$(BIN)/python scripts/translations.py build

db: setup
	$(FLASK) db upgrade

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(STAMP) $(VENDOR) node_modules translations/*/LC_MESSAGES
