"""Create and update articles and request renders: the write side shared by API and CLI."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from .articles import ArticleError, ArticleInput, slugify
from .db import db
from .jobs import day_job
from .jobs.queue import send_render
from .models import Article, Job, JobStatus, utcnow

SAVE_ATTEMPTS = 5


class NotFound(LookupError):
    """No article has that slug."""


class Conflict(ArticleError):
    """The article changed since the revision the editor's form was based on."""

    def __init__(self, revision: int) -> None:
        super().__init__(
            f"Der Artikel wurde inzwischen geändert (jetzt Fassung {revision}). "
            "Ihre Eingaben sind unten erhalten; bitte mit der neuen Fassung abgleichen "
            "und erneut speichern.",
            "revision",
        )
        self.revision = revision


@dataclass
class SaveResult:
    article: Article
    created: bool
    changed: bool
    job: Job | None


def find(slug: str) -> Article:
    article = db.session.scalar(select(Article).where(Article.slug == slug))
    if article is None:
        raise NotFound(slug)
    return article


def save(
    data: ArticleInput,
    *,
    slug: str | None = None,
    must_exist: bool = False,
    actor: str = "",
    expected_revision: int | None = None,
) -> SaveResult:
    """Create or update the article with `slug` (default: the input's slug or the title's).

    Unchanged content changes nothing: no new revision, no render. The render is queued only
    after the commit, so a worker never looks for a row that is not there yet. A save that
    races another one for the same article is tried again on the fresh row.
    """
    slug = slug or data.slug or slugify(data.title)
    for attempt in range(SAVE_ATTEMPTS):
        try:
            result = _save_once(data, slug, must_exist, actor, expected_revision)
            break
        except (IntegrityError, StaleDataError):
            db.session.rollback()
            if attempt == SAVE_ATTEMPTS - 1:
                raise ArticleError(
                    "Der Artikel wurde gerade gleichzeitig geändert. Bitte erneut senden.", "slug"
                ) from None
    if result.job is not None:
        send_render(result.article.id, result.article.revision, result.job.id)
    return result


def _save_once(
    data: ArticleInput, slug: str, must_exist: bool, actor: str, expected_revision: int | None
) -> SaveResult:
    digest = data.content_hash()
    # Row lock where the database has one (PostgreSQL); the version column catches the rest.
    article = db.session.scalar(select(Article).where(Article.slug == slug).with_for_update())
    if article is None and must_exist:
        raise NotFound(slug)
    if article is not None and expected_revision not in (None, article.revision):
        db.session.rollback()
        raise Conflict(article.revision)
    created = article is None
    new_revision = created
    changed = created
    if article is None:
        published = True if data.published is None else data.published
        article = Article(slug=slug, revision=1)
        article.set_published(published)
        db.session.add(article)
        _apply(article, data, digest)
    elif article.content_hash != digest:
        article.revision += 1
        _apply(article, data, digest)
        new_revision = changed = True
    if not created and data.published is not None and article.published != data.published:
        # Publishing needs no new audio: no new revision, no render.
        article.set_published(data.published)
        article.updated_at = utcnow()
        day_job.mark_article(article)
        changed = True
    if changed:
        article.updated_by = actor
    job = new_job(article) if new_revision else None
    db.session.commit()
    return SaveResult(article, created, changed, job)


def _apply(article: Article, data: ArticleInput, digest: str) -> None:
    article.title = data.title
    article.summary = data.summary
    article.body = data.body
    article.links = [{"title": link.title, "url": link.url} for link in data.links]
    article.content_hash = digest
    article.updated_at = utcnow()


def new_job(article: Article) -> Job:
    """Add a queued job for the article's current revision (the caller commits)."""
    job = Job(article=article, revision=article.revision, status=JobStatus.QUEUED)
    db.session.add(job)
    return job


def request_render(articles: list[Article]) -> list[Job]:
    """Queue a fresh render of each article's current revision."""
    jobs = [new_job(article) for article in articles]
    db.session.commit()
    for job in jobs:
        send_render(job.article_id, job.revision, job.id)
    return jobs
