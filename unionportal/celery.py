"""The Celery app that runs background jobs (accounts/tasks.py). Its settings are the
CELERY_* names of settings.py; the worker is started with

    celery -A unionportal worker -Q unionportal
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unionportal.settings")

app = Celery("unionportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
