"""Celery tasks: the worker's side of accounts/jobs.py."""

from celery import shared_task
from django import db

from accounts import jobs


@shared_task(name="accounts.run_job", ignore_result=True, bind=True)
def run_job(self, job_id):
    try:
        jobs.run(job_id)
    finally:
        # A worker may wait for hours after a job: never keep its connection open meanwhile.
        # (Run eagerly, the job is in a request, whose connection is Django's to manage.)
        if not self.request.is_eager:
            db.connections.close_all()
