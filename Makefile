# unionportal: `make run` serves the demo at http://127.0.0.1:8000, `make test` runs everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1:8000
DEBIAN_PACKAGES := chromium fonts-wqy-microhei gettext redis-server

# Tests run with DEBUG off, as in production, and plain static storage (no collectstatic).
TEST_ENV := SECRET_KEY=test-only-secret-key STATIC_MANIFEST=false DEBUG=false

.PHONY: run test install install-system redis messages migrate demo lint check clean bench

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

# Debian packages: the browser and a CJK font for the browser tests, msgfmt for the catalogue,
# Redis for the background jobs' queue (started here when it is not answering: in memory only,
# on 127.0.0.1, the jobs' state being in the database).
install-system:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	@$(MAKE) --no-print-directory redis

redis:
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || \
		redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
	@for i in $$(seq 1 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && exit 0; sleep 0.1; done; \
		echo "Redis is not answering on 127.0.0.1:6379"; exit 1

messages: install
	DEBUG=true $(PY) manage.py compilemessages --ignore=.venv -v0

migrate: messages
	mkdir -p var
	DEBUG=true $(PY) manage.py migrate -v0

demo: migrate
	DEBUG=true $(PY) manage.py load_demo

# The Celery worker runs beside the development server and stops with it (Ctrl-C).
run: install-system demo
	DEBUG=true $(PY) manage.py purge_jobs -v0
	DEBUG=true $(BIN)/celery -A unionportal worker -Q unionportal --concurrency 1 --loglevel INFO & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	DEBUG=true $(PY) manage.py runserver $(HOST)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: messages
	mkdir -p var
	$(TEST_ENV) $(PY) manage.py check
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run

test: install-system messages lint check
	$(TEST_ENV) $(BIN)/pytest

# The benchmark (README.md, Performance): TIER=county|city|province, DB_URL=postgres://... to use
# PostgreSQL (default: SQLite var/bench-$(TIER).sqlite3), REBUILD=1 to build the population anew.
TIER ?= county
bench: messages
	mkdir -p var
	$(TEST_ENV) $(PY) manage.py bench --tier $(TIER) $(if $(DB_URL),--db-url $(DB_URL)) $(if $(REBUILD),--rebuild)

clean:
	rm -rf $(VENV) var staticfiles
