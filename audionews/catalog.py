"""Create and update articles and request renders: the write side shared by API and CLI."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .articles import ArticleError, ArticleInput, slugify
from .db import db
from .models import Article, Job, JobStatus, utcnow
from .queue import send_render


class NotFound(LookupError):
    """No article has that slug."""


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


def save(data: ArticleInput, *, slug: str | None = None, must_exist: bool = False) -> SaveResult:
    """Create or update the article with `slug` (default: the input's slug or the title's).

    Unchanged content changes nothing: no new revision, no render. The render is queued only
    after the commit, so a worker never looks for a row that is not there yet.
    """
    slug = slug or data.slug or slugify(data.title)
    digest = data.content_hash()
    article = db.session.scalar(select(Article).where(Article.slug == slug))
    if article is None and must_exist:
        raise NotFound(slug)
    created = article is None
    changed = created
    if article is None:
        article = Article(slug=slug, revision=1, published=data.published)
        db.session.add(article)
        _apply(article, data, digest)
    elif article.content_hash != digest:
        article.revision += 1
        _apply(article, data, digest)
        changed = True
    job = new_job(article) if changed else None
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ArticleError(
            "Ein Artikel mit dieser Kennung wurde gerade angelegt.", "slug"
        ) from None
    if job is not None:
        send_render(article.id, article.revision, job.id)
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
