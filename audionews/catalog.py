"""Create and update articles and request renders: the write side shared by API and CLI."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from .articles import ArticleError, ArticleInput, slug_candidates
from .db import db
from .jobs import day_job, live
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
    owner: str = "",
) -> SaveResult:
    """Create or update the article the request names; see `identity` for how it is named.

    Unchanged content changes nothing: no new revision, no render. The render is queued only
    after the commit, so a worker never looks for a row that is not there yet. A save that
    races another one for the same article (or the same new slug) is tried again on the
    fresh rows. `owner` scopes `source_id`s: the API token's name; "" for CLI and back office.
    """
    for attempt in range(SAVE_ATTEMPTS):
        try:
            result = _save_once(data, slug, must_exist, actor, expected_revision, owner)
            break
        except (ArticleError, NotFound):
            db.session.rollback()  # no row lock may outlive a refused request
            raise
        except (IntegrityError, StaleDataError, _Raced):
            db.session.rollback()
            if attempt == SAVE_ATTEMPTS - 1:
                raise ArticleError(
                    "Der Artikel wurde gerade gleichzeitig geändert. Bitte erneut senden.", "slug"
                ) from None
    if result.job is not None:
        send_render(result.article.id, result.article.revision, result.job.id)
    return result


def identify(data: ArticleInput, slug: str | None = None, owner: str = "") -> Article | None:
    """Return the existing article the request names, or None for a new one.

    A request names an article by its slug (the URL of a PUT, or an explicit `slug`), by the
    integrator's `source_id` (per owner), or by the identical title. Nothing else makes two
    requests one article: different titles that slugify alike are different articles. With
    a row lock where the database has one (PostgreSQL); the version column catches the rest.
    """
    slug = slug or data.slug
    if slug:
        article = _locked(Article.slug == slug)
        if article is not None and data.source_id is not None:
            _check_source(article, data.source_id, owner)
        elif article is None and data.source_id is not None:
            _source_free(data.source_id, owner)
        return article
    if data.source_id is not None:
        return _locked(Article.source_owner == owner, Article.source_id == data.source_id)
    same_title = db.session.scalars(
        select(Article.slug).where(Article.title == data.title).order_by(Article.id).limit(3)
    ).all()
    if len(same_title) > 1:
        raise ArticleError(
            f"Mehrere Artikel tragen genau diesen Titel ({', '.join(same_title)}). Bitte den "
            "gemeinten mit „slug“ (oder PUT /api/v1/articles/<slug>) angeben.",
            "title",
        )
    return _locked(Article.slug == same_title[0]) if same_title else None


def _locked(*where: ColumnElement[bool]) -> Article | None:
    return db.session.scalar(select(Article).where(*where).with_for_update())


def _check_source(article: Article, source_id: str, owner: str) -> None:
    """Give `article` the source_id, unless it has another one or another article has this."""
    if article.source_id is None:
        _source_free(source_id, owner)
    elif (article.source_owner, article.source_id) != (owner, source_id):
        raise ArticleError(
            f"Der Artikel „{article.slug}“ hat eine andere „source_id“.", "source_id"
        )


def _source_free(source_id: str, owner: str) -> None:
    other = db.session.scalar(
        select(Article.slug).where(Article.source_owner == owner, Article.source_id == source_id)
    )
    if other is not None:
        raise ArticleError(
            f"Die „source_id“ „{source_id}“ gehört schon zum Artikel „{other}“.", "source_id"
        )


class _Raced(Exception):
    """Another save created the article this one was about to create: identify it again."""


def new_slug(title: str, *, named_by_title: bool = True) -> str:
    """Return a free slug for a new article titled `title` (see `slug_candidates`).

    When the title is what names the article, a candidate taken by an article of this very
    title means another request created it since `identify` looked: the save starts over
    and updates that one, instead of making a second article of one title.
    """
    for candidate in slug_candidates(title):
        taken = db.session.scalar(select(Article.title).where(Article.slug == candidate))
        if taken is None:
            return candidate
        if named_by_title and taken == title:
            raise _Raced(candidate)
    raise AssertionError("slug_candidates never ends")  # pragma: no cover


def _save_once(
    data: ArticleInput,
    slug: str | None,
    must_exist: bool,
    actor: str,
    expected_revision: int | None,
    owner: str,
) -> SaveResult:
    digest = data.content_hash()
    article = identify(data, slug, owner)
    if article is None and must_exist:
        raise NotFound(slug or data.slug or data.title)
    if article is not None and expected_revision not in (None, article.revision):
        db.session.rollback()
        raise Conflict(article.revision)
    created = article is None
    new_revision = created
    changed = created
    if article is None:
        published = True if data.published is None else data.published
        article = Article(
            slug=slug or data.slug or new_slug(data.title, named_by_title=data.source_id is None),
            revision=1,
        )
        article.set_published(published)
        db.session.add(article)
        _apply(article, data, digest)
    elif article.content_hash != digest:
        article.revision += 1
        _apply(article, data, digest)
        new_revision = changed = True
    if data.source_id is not None and article.source_id is None:
        article.source_owner, article.source_id = owner, data.source_id
        changed = True
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
    """Add a queued job for the article's new revision (the caller commits).

    A new revision has no live job yet; should one appear all the same, the unique index
    refuses the commit and the save is tried again.
    """
    job = Job(article=article, revision=article.revision, status=JobStatus.QUEUED)
    db.session.add(job)
    return job


def request_render(articles: list[Article]) -> list[Job]:
    """Make sure each article's current revision is rendered again; return the jobs.

    A revision that is queued already keeps its job (its message is sent again), one that is
    rendering renders once more when it ends: never two live jobs for one revision.
    """
    db.session.commit()
    jobs: list[Job] = []
    to_send: list[Job] = []
    for article in articles:
        job, send = live.request_render(article)
        jobs.append(job)
        if send:
            to_send.append(job)
    for job in to_send:
        send_render(job.article_id, job.revision, job.id)
    return jobs
