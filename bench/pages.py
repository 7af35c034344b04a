"""pages: the home page, the dashboard, a day of the archive and a search, 100 to 10,000 articles.

One real espeak render (samples/bahnstreik.txt) is shared by N published articles with ready
renditions and finished jobs, 25 a news day (so 10,000 articles are 400 days: a newsroom's
year and a bit), inserted in bulk with the search index filled as migration 0008 does
(bench/seed.py). For N = 100, 1,000 and 10,000, on SQLite and on PostgreSQL (a database of
its own per size, created and dropped; skipped with a message when no server answers), the
server time of each page is the median of REPEAT requests through Flask's test client after
two warm-up requests, the three sizes' requests interleaved (load from elsewhere hits them
alike): `GET /`, the dashboard's first page (`/redaktion/`, logged in), `/archiv/<yesterday>`
(a full day of 25) and `/suche?q=Streiks` (every article matches: the worst case for "newest
first"); `/archiv/` as info (its work follows the days of a year, 4 at 100 articles and 365 at
10,000). Baseline: the same page at 100 articles in the same run. Goal: ratio 10,000 / 100
<= 1.5, and the home page and dashboard under 50 ms at 10,000.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from . import Row, median, say, settings

NAME = "pages"
SIZES = (100, 1000, 10_000)
REPEAT = 15
GOAL_RATIO = 1.5
GOAL_MS = 50.0
PG_ADMIN_URL = os.environ.get(
    "AUDIONEWS_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PASSWORD = "bench-passwort-123"


def _pages(day: dt.date) -> dict[str, str]:
    return {
        "GET /": "/",
        "dashboard, first page": "/redaktion/",
        "archive day (25 articles)": f"/archiv/{day.isoformat()}",
        "search „Streiks“": "/suche?q=Streiks",
        "archive index (the newest year's days)": "/archiv/",
    }


def _postgres() -> Any:
    """Return an admin engine of the local PostgreSQL, or None when none answers."""
    from sqlalchemy import create_engine, text

    try:
        engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        return engine
    except Exception as exc:
        say(f"   PostgreSQL skipped: not reachable at {PG_ADMIN_URL} ({type(exc).__name__})")
        return None


def _login(app: Any) -> Any:
    import re

    from werkzeug.security import generate_password_hash

    from audionews.db import db
    from audionews.models import Editor

    with app.app_context():
        db.session.add(Editor(name="bench", password_hash=generate_password_hash(PASSWORD)))
        db.session.commit()
    client = app.test_client()
    page = client.get("/redaktion/anmelden").get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match is not None
    response = client.post(
        "/redaktion/anmelden",
        data={"name": "bench", "password": PASSWORD, "csrf_token": match.group(1)},
    )
    assert response.status_code == 302, response.status_code
    return client


def _measure(clients: dict[int, Any], paths: dict[str, str]) -> dict[int, dict[str, float]]:
    """Return the median time of each page at each size, the sizes' requests interleaved.

    Interleaving spreads load from elsewhere on the machine over all sizes alike, so it
    moves the absolute times more than the ratios.
    """
    runs: dict[int, dict[str, list[float]]] = {n: {label: [] for label in paths} for n in clients}
    for label, path in paths.items():
        for client in clients.values():
            for _ in range(2):
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
        for _ in range(REPEAT):
            for count, client in clients.items():
                start = time.perf_counter()
                client.get(path)
                runs[count][label].append(time.perf_counter() - start)
    return {
        n: {label: median(times) for label, times in pages.items()} for n, pages in runs.items()
    }


def _app(url: str, output: Any, count: int, values: dict[str, Any]) -> Any:
    from audionews import create_app

    from .seed import rendition_fields, seed

    app = create_app(dict(values, DATABASE_URL=url))
    start = time.perf_counter()
    seed(app, rendition_fields(output), count)
    say(f"   {count} articles seeded in {time.perf_counter() - start:.1f} s")
    return app


def _close(app: Any) -> None:
    from audionews.db import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _backend(
    engine: Any, tmp: Path, output: Any, values: dict[str, Any]
) -> dict[int, dict[str, float]]:
    """Seed one database per size on SQLite (engine None) or PostgreSQL, then measure."""
    from sqlalchemy.engine import make_url

    from audionews.days import today

    apps: dict[int, Any] = {}
    databases: list[str] = []
    try:
        for count in SIZES:
            if engine is None:
                url = f"sqlite:///{tmp / f'pages-{count}.db'}"
            else:
                name = f"audionews_bench_{uuid.uuid4().hex[:10]}"
                with engine.connect() as conn:
                    conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
                databases.append(name)
                url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(False)
            apps[count] = _app(url, output, count, values)
        yesterday = today(values) - dt.timedelta(days=1)
        return _measure({n: _login(app) for n, app in apps.items()}, _pages(yesterday))
    finally:
        for app in apps.values():
            _close(app)
        for name in databases:
            with engine.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run() -> list[Row]:
    from audionews import create_app

    from .seed import render_sample

    rows: list[Row] = []
    tmp = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    admin = None
    try:
        values = settings(
            DATABASE_URL=f"sqlite:///{tmp / 'render.db'}",
            MEDIA_DIR=str(tmp / "media"),
            QUEUE_DIR=str(tmp / "queue"),
            SECRET_KEY="bench",
            TTS_ENGINE="espeak",
            TTS_FALLBACK="",
        )
        say("   rendering one sample (espeak)")
        output = render_sample(create_app(dict(values)))
        backends: dict[str, Any] = {"SQLite": None}
        admin = _postgres()
        if admin is not None:
            backends["PostgreSQL"] = admin
        for backend, engine in backends.items():
            results = _backend(engine, tmp, output, values)
            for label in results[SIZES[0]]:
                base = results[SIZES[0]][label] * 1000
                for count in SIZES[1:]:
                    value = results[count][label] * 1000
                    say(f"   {backend} {label}: {count} articles {value:.1f} ms (100: {base:.1f})")
                rows.append(
                    Row(
                        NAME,
                        f"{backend}: {label} at 1,000 articles",
                        round(results[1000][label] * 1000, 2),
                        round(base, 2),
                        "ms",
                        goal="info",
                    )
                )
                fast = label in {"GET /", "dashboard, first page"}
                if label.startswith("archive index"):
                    # Its work follows the days of a year (4 at 100 articles, 365 at 10,000),
                    # not the articles: shown, without a goal.
                    rows.append(
                        Row(
                            NAME,
                            f"{backend}: {label} at 10,000 articles",
                            round(results[SIZES[-1]][label] * 1000, 2),
                            round(base, 2),
                            "ms",
                            goal="info",
                        )
                    )
                    continue
                value = round(results[SIZES[-1]][label] * 1000, 2)
                rows.append(
                    Row(
                        NAME,
                        f"{backend}: {label} at 10,000 articles",
                        value,
                        round(base, 2),
                        "ms",
                        limit=GOAL_RATIO,
                        goal=f"ratio <= {GOAL_RATIO:g}",
                    )
                )
                if fast:
                    rows.append(
                        Row(
                            NAME,
                            f"{backend}: {label} at 10,000 articles, server time",
                            value,
                            round(base, 2),
                            "ms",
                            limit=GOAL_MS,
                            goal_on="value",
                            goal=f"<= {GOAL_MS:g} ms",
                        )
                    )
    finally:
        if admin is not None:
            admin.dispose()
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


if __name__ == "__main__":
    from . import fmt

    for row in run():
        print(row.label, fmt(row.value, row.unit), fmt(row.baseline, row.unit), row.verdict)
