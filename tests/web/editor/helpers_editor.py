"""Helpers for back-office tests: run queued renders for real (espeak), count synthesis."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from sqlalchemy import select

from audionews.db import db
from audionews.jobs import render_job
from audionews.models import Article, Job, JobStatus, Rendition
from audionews.tts.espeak_engine import EspeakEngine


def run_queued(app: Flask) -> list[str]:
    """Run every queued job in id order, as a worker would; return their end states."""
    states = []
    with app.test_request_context():
        queued = db.session.scalars(
            select(Job).where(Job.status == JobStatus.QUEUED).order_by(Job.id)
        ).all()
        for job in queued:
            states.append(render_job.run_render(job.article_id, job.revision, job.id))
    return states


def article(app: Flask, slug: str) -> Article:
    with app.app_context():
        row = db.session.scalar(select(Article).where(Article.slug == slug))
        assert row is not None
        db.session.expunge(row)
        return row


def latest_rendition(app: Flask, slug: str) -> Rendition:
    with app.app_context():
        row = db.session.scalar(
            select(Rendition)
            .join(Article)
            .where(Article.slug == slug)
            .order_by(Rendition.id.desc())
            .limit(1)
        )
        assert row is not None
        db.session.expunge(row)
        return row


@contextmanager
def counting_synthesis(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Record every text espeak really synthesizes (cache hits do not call it)."""
    spoken: list[str] = []
    original = EspeakEngine.synthesize

    def counted(self: EspeakEngine, text: str):  # type: ignore[no-untyped-def]
        spoken.append(text)
        return original(self, text)

    monkeypatch.setattr(EspeakEngine, "synthesize", counted)
    yield spoken
