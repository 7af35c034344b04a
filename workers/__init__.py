"""Celery workers: thin tasks around `audionews.jobs`, plus the embedded worker."""
