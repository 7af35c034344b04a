"""cache: the media folder after 100 edits of one article, with and without the prune.

The seed article is edited 100 times, one edit a day (each changes one sentence of the body, so
every render makes new segments, a new chunk or two and three new MP3s), rendered by the real
job body with espeak. File times and rendition times are set to the day of their edit, so the
prune's policy (keep 30 days, superseded files 30 days more: the defaults) sees a hundred days
go by. Without prune: nothing is removed. With prune: the workers' daily prune runs after each
day's edit.

Goal: the pruned folder after 100 days is no bigger than the unpruned one after the 31 days
(30 kept + today) the policy keeps: the size is bounded by the policy, not by the number of
edits (ratio <= 1.1). Informational: both against one render, and what `--older-than 0` with no
grace would leave.
"""

from __future__ import annotations

import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import update

from audionews import catalog, create_app
from audionews.articles import ArticleInput
from audionews.cache.prune import human, prune
from audionews.cache.usage import measure
from audionews.db import db
from audionews.jobs import render_job
from audionews.models import Rendition, utcnow

from . import Row, say, settings
from .article import sample

NAME = "cache"
EDITS = 100
DAY = 86400.0
KEEP_DAYS = 30  # the defaults: CACHE_KEEP_DAYS, MEDIA_GRACE_DAYS
GOAL = 1.1


def edited(number: int) -> ArticleInput:
    """Return the seed article with its body's second sentence changed for edit `number`."""
    seed = sample()
    first, dot, rest = seed.body.partition(". ")
    body = f"{first}{dot}Dies ist Fassung {number} der Meldung. {rest}"
    return ArticleInput(title=seed.title, summary=seed.summary, body=body, links=())


def backdate(media: Path, app: Flask, rendition_id: int, days_ago: float, since: float) -> None:
    """Give the files written since `since` and the rendition the time of `days_ago`."""
    then = time.time() - days_ago * DAY
    for path in media.rglob("*"):
        if path.is_file() and not path.name.startswith(".") and path.stat().st_mtime >= since:
            os.utime(path, (then, then))
    with app.app_context():
        db.session.execute(
            update(Rendition)
            .where(Rendition.id == rendition_id)
            .values(created_at=utcnow() - timedelta(days=days_ago))
        )
        db.session.commit()


def hundred_edits(folder: Path, pruned: bool) -> tuple[list[int], float]:
    """Return the folder's bytes after each edit, and what the prunes freed in total."""
    app = create_app(
        settings(
            DATABASE_URL=f"sqlite:///{folder / 'bench.db'}",
            MEDIA_DIR=str(folder / "media"),
            QUEUE_DIR=str(folder / "queue"),
            SECRET_KEY="bench",
            TTS_ENGINE="espeak",
            TTS_FALLBACK="",
        )
    )
    media = folder / "media"
    sizes: list[int] = []
    freed = 0.0
    for number in range(EDITS):
        since = time.time() - 1
        with app.app_context():
            result = catalog.save(edited(number))
            assert result.job is not None
            article = result.article
            render_job.run_render(article.id, article.revision, result.job.id)
            rendition = article.current_rendition()
            assert rendition is not None
            rendition_id = rendition.id
        backdate(media, app, rendition_id, EDITS - number, since)
        if pruned:
            freed += prune(app, min_age=0).freed  # the day's prune, default policy
        sizes.append(measure(app.extensions["storage"]).total_bytes)
    if pruned:
        floor = prune(app, keep_days=0, grace_days=0, min_age=0, dry_run=True)
        say(f"    with --older-than 0 and no grace it would be {human(sizes[-1] - floor.freed)}")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return sizes, freed


def run() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as tmp:
        results = {}
        for pruned in (False, True):
            folder = Path(tmp) / ("pruned" if pruned else "kept")
            folder.mkdir()
            started = time.perf_counter()
            results[pruned] = hundred_edits(folder, pruned)
            sizes, freed = results[pruned]
            say(
                f"  {'daily prune' if pruned else 'no prune'}: one render {human(sizes[0])}, "
                f"after {KEEP_DAYS + 1} edits {human(sizes[KEEP_DAYS])}, after {EDITS} edits "
                f"{human(sizes[-1])} (freed {human(freed)}; "
                f"{time.perf_counter() - started:.0f} s)"
            )
    kept, _ = results[False]
    pruned, freed = results[True]
    notes = {"no_prune_bytes": kept, "pruned_bytes": pruned, "freed_bytes": freed}
    return [
        Row(
            NAME,
            f"after {EDITS} daily edits, daily prune vs no prune after {KEEP_DAYS + 1} edits",
            pruned[-1] / 1e6,
            kept[KEEP_DAYS] / 1e6,
            "MB",
            limit=GOAL,
            goal=f"ratio <= {GOAL:g} (bounded by the kept days, not by the edits)",
            notes=notes,
        ),
        Row(
            NAME,
            f"  after {EDITS} daily edits, daily prune vs no prune",
            pruned[-1] / 1e6,
            kept[-1] / 1e6,
            "MB",
            goal="info",
        ),
        Row(
            NAME,
            f"  after {EDITS} daily edits, no prune vs one render",
            kept[-1] / 1e6,
            kept[0] / 1e6,
            "MB",
            goal="info",
        ),
    ]
