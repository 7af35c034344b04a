"""Database rows: the truth about articles, their renders and who may change them."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import db
from .speech.lexicon import Lexicon
from .speech.lexicon import LexiconEntry as LexiconRule


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class JobStatus:
    QUEUED = "queued"
    RENDERING = "rendering"
    READY = "ready"
    FAILED = "failed"
    SUPERSEDED = "superseded"
    LIVE = (QUEUED, RENDERING)


# The rows at most one of which may exist per article revision (a partial unique index).
LIVE_JOB = text("status IN ('queued', 'rendering')")


class Article(db.Model):  # type: ignore[name-defined]
    __tablename__ = "article"
    __table_args__ = (
        # An integrator's own id names one article per owner (the API token's name).
        UniqueConstraint("source_owner", "source_id", name="uq_article_source"),
        Index("ix_article_title", "title"),
        # The back office lists the latest changes first, a page at a time.
        Index("ix_article_updated_at", "updated_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    guid: Mapped[str] = mapped_column(String(36), unique=True, default=lambda: str(uuid.uuid4()))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    revision: Mapped[int] = mapped_column(default=1)
    content_hash: Mapped[str] = mapped_column(String(64))
    published: Mapped[bool] = mapped_column(default=True)
    # When the article first went public; its news day (days.py) follows from it and stays,
    # even if it is withdrawn and published again later.
    published_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Who made the last change: an editor's name, "API: <token name>" or "CLI".
    updated_by: Mapped[str] = mapped_column(String(120), default="", server_default="")
    # The integrator's id for this article (`source_id` on API writes) and whose id it is:
    # the API token's name, or "" for the command line and the back office.
    source_owner: Mapped[str | None] = mapped_column(String(80), default=None)
    source_id: Mapped[str | None] = mapped_column(String(200), default=None)
    # Optimistic locking: an UPDATE whose row changed since it was read fails instead of
    # silently overwriting, so two saves at once can never share a revision number.
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}

    renditions: Mapped[list[Rendition]] = relationship(
        back_populates="article", cascade="all, delete-orphan", order_by="Rendition.id"
    )
    jobs: Mapped[list[Job]] = relationship(
        back_populates="article", cascade="all, delete-orphan", order_by="Job.id"
    )

    def set_published(self, published: bool) -> None:
        """Publish or withdraw; the first publication fixes `published_at`."""
        self.published = published
        if published and self.published_at is None:
            self.published_at = utcnow()

    def current_rendition(self) -> Rendition | None:
        """Return the ready rendition of the highest revision: what listeners get."""
        return db.session.scalar(
            select(Rendition)
            .where(Rendition.article_id == self.id)
            .order_by(Rendition.revision.desc(), Rendition.id.desc())
            .limit(1)
        )

    def ready_for(self, revision: int) -> Rendition | None:
        return db.session.scalar(
            select(Rendition)
            .where(Rendition.article_id == self.id, Rendition.revision == revision)
            .order_by(Rendition.id.desc())
            .limit(1)
        )

    def latest_job(self) -> Job | None:
        return db.session.scalar(
            select(Job).where(Job.article_id == self.id).order_by(Job.id.desc()).limit(1)
        )


class Rendition(db.Model):  # type: ignore[name-defined]
    """A finished, published set of files for one revision. Only ready renders get a row."""

    __tablename__ = "rendition"
    __table_args__ = (
        Index("ix_rendition_article_revision", "article_id", "revision"),
        # One job publishes at most one rendition, however often its message is delivered.
        Index("uq_rendition_job", "job_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("job.id", ondelete="SET NULL"))
    revision: Mapped[int]
    engine: Mapped[str] = mapped_column(String(40))
    voice: Mapped[str] = mapped_column(String(40), default="")
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    files: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # kind -> media name
    sizes: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    durations: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    chapters: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    cues: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    synthesized: Mapped[int] = mapped_column(default=0)
    cached: Mapped[int] = mapped_column(default=0)
    # The cache entries this rendition was made of: {"segments": [key, …], "chunks": [key, …]}.
    # `audionews cache prune` keeps what current and recent renditions list here; anything else
    # built from cached entries (a briefing) records its keys the same way (see cache.needs).
    # Empty for renditions made before the field existed: then nothing cached is pruned.
    cache_keys: Mapped[dict[str, list[str]]] = mapped_column(
        JSON, default=dict, server_default="{}"
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    article: Mapped[Article] = relationship(back_populates="renditions")


class Job(db.Model):  # type: ignore[name-defined]
    """One request to render an article revision, and how it went."""

    __tablename__ = "job"
    __table_args__ = (
        Index("ix_job_article_status", "article_id", "status"),
        # At most one queued or rendering job per article revision, on SQLite and PostgreSQL.
        Index(
            "uq_job_live_revision",
            "article_id",
            "revision",
            unique=True,
            sqlite_where=LIVE_JOB,
            postgresql_where=LIVE_JOB,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id", ondelete="CASCADE"))
    revision: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    engine: Mapped[str] = mapped_column(String(40), default="")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The render's phase: synthesis, planning, encoding, joining or publishing.
    phase: Mapped[str] = mapped_column(String(16), default="", server_default="")
    # The lease of a rendering job: who holds it (host:pid:nonce) and until when. The holder
    # renews it while it renders; the sweeper re-queues a job whose lease ran out.
    worker: Mapped[str] = mapped_column(String(120), default="", server_default="")
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)
    # A render was asked for again while this one was running (say, after a lexicon change):
    # the job that ends this one queues the next.
    rerun: Mapped[bool] = mapped_column(default=False, server_default=false())

    article: Mapped[Article] = relationship(back_populates="jobs")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "article": self.article.slug,
            "revision": self.revision,
            "status": self.status,
            "done": self.done,
            "total": self.total,
            "phase": self.phase or None,
            "error": self.error or None,
            "engine": self.engine or None,
            "created_at": self.created_at.isoformat() + "Z",
            "updated_at": self.updated_at.isoformat() + "Z",
        }


class Editor(db.Model):  # type: ignore[name-defined]
    __tablename__ = "editor"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EditorSession(db.Model):  # type: ignore[name-defined]
    """One login: the cookie carries a random nonce, the database only its SHA-256.

    A login makes a new row (so the session id changes at every login); logout deletes it,
    so a copied cookie is worthless afterwards.
    """

    __tablename__ = "editor_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("editor.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    editor: Mapped[Editor] = relationship()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):  # type: ignore[name-defined]
    """A bearer token for the write API; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)

    @classmethod
    def issue(cls, name: str) -> tuple[ApiToken, str]:
        """Create a token row and return it with the clear token (shown once)."""
        token = "an_" + secrets.token_urlsafe(32)
        return cls(name=name, token_hash=hash_token(token)), token

    @classmethod
    def find(cls, token: str) -> ApiToken | None:
        row = db.session.scalar(select(cls).where(cls.token_hash == hash_token(token)))
        if row is None or row.revoked_at is not None:
            return None
        return row


class LexiconEntry(db.Model):  # type: ignore[name-defined]
    """A pronunciation rule an editor saved: say `spoken` where `written` stands."""

    __tablename__ = "lexicon_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    written: Mapped[str] = mapped_column(String(200))
    spoken: Mapped[str] = mapped_column(String(400))
    whole_word: Mapped[bool] = mapped_column(default=True)
    case_sensitive: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(120), default="")

    def rule(self) -> LexiconRule:
        return LexiconRule(
            written=self.written,
            spoken=self.spoken,
            whole_word=self.whole_word,
            case_sensitive=self.case_sensitive,
        )

    @classmethod
    def current(cls) -> Lexicon:
        """Return the lexicon every render and script uses now."""
        rows = db.session.scalars(select(cls).order_by(cls.id)).all()
        return Lexicon(row.rule() for row in rows)


class AuditEvent(db.Model):  # type: ignore[name-defined]
    """Who did what to which article, entry, token or account, and when."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(300), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


class NewsDay(db.Model):  # type: ignore[name-defined]
    """A news day whose products (the daily briefing, …) are kept current by `jobs.day_job`.

    `changed` counts the changes that touched the day (a render finished, an article was
    published, withdrawn or deleted, editors set an order); `built` is the count the last
    finished build covered, so the day is dirty while `changed > built`. `building_since` is
    the lease of a running build.
    """

    __tablename__ = "news_day"

    day: Mapped[date] = mapped_column(primary_key=True)
    changed: Mapped[int] = mapped_column(default=0)
    built: Mapped[int] = mapped_column(default=0)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    building_since: Mapped[datetime | None] = mapped_column(default=None)
    attempted_at: Mapped[datetime | None] = mapped_column(default=None)  # last build started
    built_at: Mapped[datetime | None] = mapped_column(default=None)
    error: Mapped[str] = mapped_column(Text, default="")
    # Article ids in the order editors set for the briefing; None: newest first.
    article_order: Mapped[list[int] | None] = mapped_column(JSON, default=None)


class Briefing(db.Model):  # type: ignore[name-defined]
    """One build of a day's briefing; the newest row of a day is the one listeners get."""

    __tablename__ = "briefing"
    __table_args__ = (Index("ix_briefing_day", "day", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date]
    key: Mapped[str] = mapped_column(String(64))  # what it was built from (render.briefing)
    title: Mapped[str] = mapped_column(String(300))
    files: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # kind -> media name
    size: Mapped[int] = mapped_column(default=0)
    duration: Mapped[float] = mapped_column(default=0.0)
    # {"article": id or None, "slug", "title", "start", "end"}: opening, articles, closing.
    chapters: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    engine: Mapped[str] = mapped_column(String(40), default="")
    synthesized: Mapped[int] = mapped_column(default=0)
    encoded: Mapped[int] = mapped_column(default=0)
    # Its cached entries (opening, closing, silences, converted articles), as in Rendition.
    cache_keys: Mapped[dict[str, list[str]]] = mapped_column(
        JSON, default=dict, server_default="{}"
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When a newer build of the day replaced it; its files go a while later (day_job).
    superseded_at: Mapped[datetime | None] = mapped_column(default=None)


class DaisyBook(db.Model):  # type: ignore[name-defined]
    """One build of a DAISY talking book: a day's edition (`day`) or an article's (`article_id`).

    The newest row of a day or an article that is not superseded is the book listeners get;
    `key` says what it was made of (`jobs.daisy_job`), `file` is its zip in the media folder.
    """

    __tablename__ = "daisy_book"
    __table_args__ = (
        Index("ix_daisy_book_day", "day", "id"),
        Index("ix_daisy_book_article", "article_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date | None] = mapped_column(default=None)
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("article.id", ondelete="CASCADE"), default=None
    )
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    file: Mapped[str] = mapped_column(String(255))  # media name of the zip
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    duration: Mapped[float] = mapped_column(default=0.0)  # seconds of audio
    files: Mapped[int] = mapped_column(default=0)  # ncc:files
    toc_items: Mapped[int] = mapped_column(default=0)  # ncc:tocItems
    depth: Mapped[int] = mapped_column(default=1)  # ncc:depth
    articles: Mapped[list[int]] = mapped_column(JSON, default=list)  # the article ids it holds
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    superseded_at: Mapped[datetime | None] = mapped_column(default=None)


# The search index's rows belong to the schema like every table (search/entry.py).
from .search.entry import SearchEntry  # noqa: E402, F401
