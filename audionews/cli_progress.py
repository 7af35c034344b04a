"""`--wait` of the `audionews` command: poll render jobs until they end, with progress."""

from __future__ import annotations

import sys
import time
from typing import Any

import click
from sqlalchemy import select

from .db import db
from .models import Job, JobStatus

DONE = {JobStatus.READY, JobStatus.FAILED, JobStatus.SUPERSEDED}


def wait_for_jobs(job_ids: list[int]) -> int:
    """Poll the jobs until all ended; show progress; return how many failed."""
    show_bar = sys.stdout.isatty()
    total_jobs = len(job_ids)
    bar: Any = (
        click.progressbar(length=100, label="Vertonen", show_percent=True) if show_bar else _NoBar()
    )
    started = time.monotonic()
    hinted = False
    told: dict[int, str] = {}  # job id -> the reason it waits, once said
    with bar:
        shown = 0
        while True:
            db.session.expire_all()
            jobs = db.session.scalars(select(Job).where(Job.id.in_(job_ids))).all()
            percent = sum(_percent(job) for job in jobs) // max(total_jobs, 1)
            if percent > shown:
                bar.update(percent - shown)
                shown = percent
            if all(job.status in DONE for job in jobs):
                break
            for job in jobs:
                # A job that waits for a reason (a full disk) says why, once per reason.
                if job.status == JobStatus.QUEUED and job.error and told.get(job.id) != job.error:
                    told[job.id] = job.error
                    click.echo(f"\n{job.article.slug}: wartet – {job.error}", err=True)
            if not hinted and time.monotonic() - started > 20:
                if all(job.status == JobStatus.QUEUED and not job.error for job in jobs):
                    click.echo(
                        "\nNoch hat kein Worker einen Auftrag angenommen – läuft "
                        "`audionews worker`?",
                        err=True,
                    )
                hinted = True
            time.sleep(0.2)
    failed = 0
    for job in jobs:
        if job.status == JobStatus.FAILED:
            failed += 1
            click.echo(f"{job.article.slug}: fehlgeschlagen – {job.error}", err=True)
        elif job.status == JobStatus.READY:
            click.echo(f"{job.article.slug}: fertig ({job.engine})")
    return failed


# Where each phase of a render starts and ends on the bar (synthesis takes most of the time),
# so the bar never runs backwards when the next phase starts counting from 0.
PHASE_SPANS = {
    "synthesis": (0, 70),
    "planning": (70, 75),
    "encoding": (75, 92),
    "joining": (92, 96),
    "publishing": (96, 99),
}


def _percent(job: Job) -> int:
    if job.status in DONE:
        return 100
    if job.total:
        low, high = PHASE_SPANS.get(job.phase or "synthesis", (0, 99))
        return min(99, low + (high - low) * job.done // job.total)
    return 0


class _NoBar:
    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *_: object) -> None:
        return None

    def update(self, _n: int) -> None:
        return None
