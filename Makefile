# unionportal: `make run` serves the demo at http://127.0.0.1:8000, `make test` runs everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1:8000
DEBIAN_PACKAGES := chromium fonts-wqy-microhei gettext

# Tests run with DEBUG off, as in production, and plain static storage (no collectstatic).
TEST_ENV := SECRET_KEY=test-only-secret-key STATIC_MANIFEST=false DEBUG=false

.PHONY: run test install install-system messages migrate demo lint check clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

# Debian packages: the browser and a CJK font for the browser tests, msgfmt for the catalogue.
install-system:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

messages: install
	DEBUG=true $(PY) manage.py compilemessages --ignore=.venv -v0

migrate: messages
	mkdir -p var
	DEBUG=true $(PY) manage.py migrate -v0

demo: migrate
	DEBUG=true $(PY) manage.py load_demo

run: install-system demo
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

clean:
	rm -rf $(VENV) var staticfiles
