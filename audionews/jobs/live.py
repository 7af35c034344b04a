"""One live (queued or rendering) job per article revision: find it, or add one safely.

The database enforces the rule with a partial unique index (`uq_job_live_revision`); the
functions here reuse the live job instead of tripping over that index, and when two processes
add one at the same moment, the loser takes the winner's.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..db import db
from ..models import Article, Job, JobStatus, utcnow

ATTEMPTS = 5


def live_job(article_id: int, revision: int) -> Job | None:
    """Return the queued or rendering job of the revision, if there is one."""
    return db.session.scalar(
        select(Job)
        .where(
            Job.article_id == article_id,
            Job.revision == revision,
            Job.status.in_(JobStatus.LIVE),
        )
        .limit(1)
    )


def ensure_job(article: Article, revision: int | None = None) -> tuple[Job, bool]:
    """Return the live job of the revision (default: the current one) or a new queued one.

    Commits. The flag says whether the job is new.
    """
    wanted = article.revision if revision is None else revision
    article_id = article.id
    for _ in range(ATTEMPTS):
        job = live_job(article_id, wanted)
        if job is not None:
            return job, False
        job = Job(article_id=article_id, revision=wanted, status=JobStatus.QUEUED)
        db.session.add(job)
        try:
            db.session.commit()
        except IntegrityError:  # another process added the live job first: take that one
            db.session.rollback()
            continue
        return job, True
    raise RuntimeError(f"no live job for article {article_id} revision {wanted}")


def request_again(job: Job) -> bool:
    """Ask a rendering job to render once more when it ends; False if it has ended already.

    A render that started before, say, a lexicon change would otherwise publish the old
    pronunciation and count as the render that was asked for.
    """
    result = db.session.execute(
        update(Job)
        .where(Job.id == job.id, Job.status == JobStatus.RENDERING)
        .values(rerun=True, updated_at=utcnow())
        .returning(Job.id)
        .execution_options(synchronize_session=False)
    ).first()
    db.session.commit()
    return result is not None


def request_render(article: Article) -> tuple[Job, bool]:
    """Make sure the article's current revision is rendered (again) after this request.

    A queued job is reused (and its message should be sent again, the flag says so: a lost
    message is then replaced), a rendering one is asked to render once more when it ends, and
    otherwise a new job is added. Commits.
    """
    for _ in range(ATTEMPTS):
        job, created = ensure_job(article)
        if created or job.status == JobStatus.QUEUED:
            return job, True
        if request_again(job):
            return job, False
        db.session.expire(job)  # it ended between the two queries: add a new one
    raise RuntimeError(f"could not queue article {article.id}")
