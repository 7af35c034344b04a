"""Browser fixtures: a real server with real espeak renders; Debian's Chromium via Playwright."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from audionews import catalog, create_app
from audionews.articles import parse_json, parse_text
from audionews.days import today
from audionews.db import db
from audionews.jobs import briefing_job, day_job, render_job
from audionews.models import Article
from audionews.tts.breaker import breaker_for
from tests.conftest import base_settings
from tests.helpers import sample_text

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]

# Markup, script and event handlers in every field a page shows: all must stay inert text.
HOSTILE: dict[str, Any] = {
    "title": 'Böse <script>window.pwned=1</script><img src=x onerror="window.pwned=2"> Meldung',
    "summary": 'Ein Satz mit <b onmouseover="window.pwned=3">Markup</b> und "Zitat". '
    "Noch ein <script>window.pwned=4</script> Satz.",
    "body": "Text mit <iframe src=javascript:window.pwned=5></iframe> Rahmen. "
    "Und ein [Link](javascript:alert(1)) darin.\n\nZweiter Absatz </p><svg onload=window.pwned=6>.",
    "links": [
        {"title": '<img src=x onerror="window.pwned=7">Quelle', "url": "https://example.org/"}
    ],
}


@dataclass
class Site:
    """The running site and the slugs of its rendered articles."""

    url: str
    app: Flask
    sample: str
    hostile: str

    def article_url(self, slug: str | None = None) -> str:
        return f"{self.url}/artikel/{slug or self.sample}"

    def rendition(self, slug: str | None = None) -> dict[str, Any]:
        """Return the cues, chapters and durations of an article's current rendition."""
        with self.app.app_context():
            row = db.session.scalar(db.select(Article).where(Article.slug == (slug or self.sample)))
            assert row is not None
            rendition = row.current_rendition()
            assert rendition is not None
            return {
                "cues": list(rendition.cues),
                "chapters": dict(rendition.chapters),
                "durations": dict(rendition.durations),
            }

    def cues(self, slug: str | None = None) -> list[dict[str, Any]]:
        return list(self.rendition(slug)["cues"])


def _render(data: Any) -> str:
    result = catalog.save(data)
    assert result.job is not None
    assert (
        render_job.run_render(result.article.id, result.article.revision, result.job.id) == "ready"
    )
    return result.article.slug


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Serve the app from a real threaded server on a free port, with real espeak audio."""
    for name in ("gtts", "espeak"):
        breaker_for(name).reset()
    tmp = tmp_path_factory.mktemp("site")
    app = create_app(base_settings(tmp))
    with app.test_request_context():
        hostile = _render(parse_json(HOSTILE))
        sample = _render(parse_text(sample_text("bahnstreik.txt")))  # newest: first on the list
        # The day's briefing, as the day job builds it after the renders.
        assert day_job.build_day(today(app.config["AUDIONEWS"])) == day_job.BUILT
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.server_port}", app, sample, hostile)
    finally:
        server.shutdown()
        thread.join(10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


# Three short articles for the queue, listed newest first in this order. The titles have the
# long compounds that overflow 320 px.
QUEUE_ARTICLES: list[dict[str, Any]] = [
    {
        "title": "Bundesverkehrsministerkonferenz beschließt Nachtzugförderung",
        "summary": "Die Länder wollen mehr Nachtzüge.",
        "body": "Die Konferenz tagte in Bremen.",
    },
    {
        "title": "Lokführergewerkschaft ruft zum Warnstreik auf",
        "summary": "Am Freitag fahren weniger Züge.",
        "body": "Der Streik dauert einen Tag.",
    },
    {
        "title": "Kurzmeldung zum Wetter",
        "summary": "Morgen wird es sonnig.",
        "body": "Am Abend kommt Regen.",
    },
]


@dataclass
class QueueSite:
    """A running site whose home page lists QUEUE_ARTICLES (slugs in listed order)."""

    url: str
    app: Flask
    slugs: list[str]

    def titles(self) -> list[str]:
        return [a["title"] for a in QUEUE_ARTICLES]

    def briefing(self) -> dict[str, Any]:
        """Return the home page's briefing as the template gets it (jobs.briefing_job.view)."""
        with self.app.test_request_context():
            found = briefing_job.home()
            assert found is not None
            return found

    def files(self, slug: str) -> dict[str, Any]:
        with self.app.app_context():
            row = db.session.scalar(db.select(Article).where(Article.slug == slug))
            assert row is not None
            rendition = row.current_rendition()
            assert rendition is not None
            return {
                "files": dict(rendition.files),
                "durations": dict(rendition.durations),
                "chapters": dict(rendition.chapters),
            }


def _serve(app: Flask) -> tuple[Any, threading.Thread]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def _queue_site(tmp: Path, briefing: bool) -> Iterator[QueueSite]:
    for name in ("gtts", "espeak"):
        breaker_for(name).reset()
    app = create_app(base_settings(tmp))
    with app.test_request_context():
        # Saved oldest first: the list shows the newest first, in QUEUE_ARTICLES' order.
        slugs = [_render(parse_json(data)) for data in reversed(QUEUE_ARTICLES)][::-1]
        if briefing:
            assert day_job.build_day(today(app.config["AUDIONEWS"])) == day_job.BUILT
    server, thread = _serve(app)
    try:
        yield QueueSite(f"http://127.0.0.1:{server.server_port}", app, slugs)
    finally:
        server.shutdown()
        thread.join(10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def queue_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QueueSite]:
    """Serve three short real espeak articles: the home page's queue plays them in seconds."""
    yield from _queue_site(tmp_path_factory.mktemp("queue"), briefing=False)


@pytest.fixture(scope="session")
def briefing_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[QueueSite]:
    """The same three articles and today's briefing of them, built by the day job."""
    yield from _queue_site(tmp_path_factory.mktemp("briefing"), briefing=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(locale="de-DE")
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any) -> Iterator[Any]:
    """A page that fails the test on any uncaught script error."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(10_000)
    yield page
    assert not errors, f"script errors: {errors}"
