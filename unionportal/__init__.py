# Loaded with Django, so that tasks find their app and `celery -A unionportal` finds it too.
from unionportal.celery import app as celery_app

__all__ = ("celery_app",)
