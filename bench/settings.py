"""Settings of the benchmark's processes: the portal's own, with the baseline views mounted.

Used only by the subprocesses and the gunicorn that `manage.py bench` starts (with the bench
database in DATABASE_URL), so the portal's URLs never include the baselines."""

from unionportal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
