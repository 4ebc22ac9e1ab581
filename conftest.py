"""Test-run configuration shared by every test."""

import os

# Playwright runs an event loop in the test thread; Django's ORM calls from the same thread
# are synchronous and safe here (STACK.md).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config):
    from django.conf import settings

    # Hashing is deliberately slow; tests log in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The SQLite test database is a file under var/ (see settings.py).
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: cached figures (unionportal/cache.py) of one test's
    data must never answer another's."""
    from django.core.cache import cache

    cache.clear()
    yield
