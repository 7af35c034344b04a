"""What an article's audio looks like to the outside: status, files, durations."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for

from ..models import Article, JobStatus

# Rendition.files also names transcripts and chapters; the API's "audio" lists the MP3s only.
AUDIO_KINDS = ("summary", "body", "episode")


def media_url(name: str) -> str:
    """Return the URL of a media file: absolute when AUDIONEWS_BASE_URL is set."""
    path = url_for("media.get", name=name)
    base = current_app.config["AUDIONEWS"]["BASE_URL"]
    return base.rstrip("/") + path if base else path


def article_status(article: Article) -> dict[str, Any]:
    """Return the API view of an article: its render status and its last good audio."""
    # The job first, then the rendition, and each read once: a worker commits both together,
    # and under PostgreSQL's READ COMMITTED every query sees the newest commit, so a job seen
    # ready always comes with its rendition, and status and audio agree.
    job = article.latest_job()
    rendition = article.current_rendition()
    current = rendition is not None and rendition.revision == article.revision
    if job is not None and job.status in JobStatus.LIVE:
        status = job.status
    elif current:
        status = JobStatus.READY
    elif job is not None and job.status == JobStatus.FAILED and job.revision == article.revision:
        status = JobStatus.FAILED
    else:
        status = JobStatus.QUEUED
    return {
        "slug": article.slug,
        "guid": article.guid,
        "title": article.title,
        "revision": article.revision,
        "published": article.published,
        "status": status,
        # A failed re-render leaves the last good audio up; its reason still shows. So does
        # why a queued job waits to be tried again (a full disk).
        "error": job.error or None
        if job is not None and job.status in (JobStatus.FAILED, JobStatus.QUEUED)
        else None,
        "progress": {"done": job.done, "total": job.total, "phase": job.phase or None}
        if job is not None
        else None,
        "job": job.id if job is not None else None,
        "engine": rendition.engine if rendition else None,
        "rendered_revision": rendition.revision if rendition else None,
        "audio": {
            kind: media_url(rendition.files[kind]) if kind in rendition.files else None
            for kind in AUDIO_KINDS
        }
        if rendition
        else None,
        "duration": {kind: rendition.durations.get(kind) for kind in AUDIO_KINDS}
        if rendition
        else None,
        "updated_at": article.updated_at.isoformat() + "Z",
    }
