"""The lease of a rendering job: taken atomically, renewed by a heartbeat thread.

A job is rendered only by the holder of its lease. Taking it is one conditional UPDATE (a
queued job, or a rendering one whose lease ran out), so two workers given the same job never
both win. While the render runs, a thread renews the lease every quarter of its length and
writes the progress the renderer reports, through every phase, on a connection of its own:
a long encoding or joining step that reports nothing for a minute still keeps the lease. A
holder that finds its lease gone (the sweeper gave the job to another worker) stops at the
next progress report and publishes nothing.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from datetime import datetime, timedelta
from types import TracebackType

from sqlalchemy import Engine, and_, or_, update
from sqlalchemy.sql.elements import ColumnElement

from ..db import db
from ..models import Job, JobStatus, utcnow

log = logging.getLogger(__name__)

# Progress goes to the database at most this often; the lease is renewed at least every
# quarter of its length.
PROGRESS_SECONDS = 0.5
PHASES = ("synthesis", "planning", "encoding", "joining", "publishing")


class LeaseLost(RuntimeError):
    """The job's lease went to someone else while this render ran."""


def holder_name() -> str:
    """Return a name for one claim: host and process (for people) and a nonce (for the check)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def lapsed(now: datetime, lease_seconds: float) -> ColumnElement[bool]:
    """SQL: the job's lease has run out (rows from before leases count by their last write)."""
    return or_(
        Job.lease_until < now,
        and_(Job.lease_until.is_(None), Job.updated_at < now - timedelta(seconds=lease_seconds)),
    )


def claimable(now: datetime, lease_seconds: float) -> ColumnElement[bool]:
    """SQL: a worker may take this job now."""
    return or_(
        Job.status == JobStatus.QUEUED,
        and_(Job.status == JobStatus.RENDERING, lapsed(now, lease_seconds)),
    )


class Lease:
    """The right to render one job, and the heartbeat that keeps it.

    Use as a context manager around the render; `progress` is the renderer's callback.
    """

    def __init__(self, engine: Engine, job_id: int, holder: str, seconds: float) -> None:
        self.engine = engine
        self.job_id = job_id
        self.holder = holder
        self.seconds = seconds
        self.interval = max(seconds / 4, 0.05)
        self._lock = threading.Lock()
        self._state: tuple[int, int, str] | None = None
        self._written: tuple[int, int, str] | None = None
        self._last_progress_write = 0.0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self.lost = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"audionews-lease-{job_id}", daemon=True
        )

    @classmethod
    def claim(cls, job: Job, seconds: float) -> Lease | None:
        """Take the job's lease, or return None if someone else holds it or it has ended."""
        holder = holder_name()
        now = utcnow()
        result = db.session.execute(
            update(Job)
            .where(Job.id == job.id, claimable(now, seconds))
            .values(
                status=JobStatus.RENDERING,
                worker=holder,
                lease_until=now + timedelta(seconds=seconds),
                started_at=now,
                heartbeat_at=now,
                updated_at=now,
                attempts=Job.attempts + 1,
                error="",
                phase="",
                done=0,
                total=0,
            )
            .returning(Job.id)
            .execution_options(synchronize_session=False)
        ).first()
        db.session.commit()
        db.session.refresh(job)
        if result is None:
            return None
        return cls(db.engine, job.id, holder, seconds)

    def holds(self) -> ColumnElement[bool]:
        """SQL: this lease still owns the job."""
        return and_(
            Job.id == self.job_id, Job.worker == self.holder, Job.status == JobStatus.RENDERING
        )

    # The renderer's callback ------------------------------------------------------------

    def progress(self, done: int, total: int, phase: str = "synthesis") -> None:
        """Note the render's progress; raise LeaseLost once the job belongs to someone else."""
        if self.lost.is_set():
            raise LeaseLost(f"job {self.job_id}: lease lost")
        with self._lock:
            self._state = (int(done), int(total), str(phase)[:16])
            due = time.monotonic() - self._last_progress_write >= PROGRESS_SECONDS
        if due or done == total:
            self._wake.set()

    # The heartbeat thread ---------------------------------------------------------------

    def __enter__(self) -> Lease:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(max(self.interval * 2, 10.0))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            self._beat()
            if self.lost.is_set():
                return
            self._stop.wait(PROGRESS_SECONDS)  # at most two progress writes a second

    def _beat(self) -> None:
        now = utcnow()
        values: dict[str, object] = {
            "lease_until": now + timedelta(seconds=self.seconds),
            "heartbeat_at": now,
            "updated_at": now,
        }
        with self._lock:
            state = self._state
            self._last_progress_write = time.monotonic()
        if state is not None and state != self._written:
            values.update(done=state[0], total=state[1], phase=state[2])
        try:
            with self.engine.begin() as connection:
                result = connection.execute(update(Job).where(self.holds()).values(**values))
        except Exception as exc:  # a database away for a moment: try again at the next beat
            log.warning("job %s: could not renew the lease: %s", self.job_id, exc)
            return
        if result.rowcount != 1:
            log.warning("job %s: lease lost (re-queued or ended elsewhere)", self.job_id)
            self.lost.set()
            return
        self._written = state
