"""audionews: accessible German audio news."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from . import config
from .db import db
from .jobs.queue import celery_init_app
from .metrics import Metrics
from .render.storage import Storage
from .schema import ensure_schema
from .web.security import init_security, secret_key

ROOT = config.ROOT


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app.

    Settings come from AUDIONEWS_* variables and `.env`; with `test_config` the environment
    is ignored and its keys (without the prefix) override the defaults.
    """
    app = Flask(
        __name__,
        instance_path=str(Path.cwd() / "instance"),
        template_folder=str(config.templates_folder()),
        static_folder=str(Path(__file__).parent / "static"),
    )
    settings = config.load() if test_config is None else config.load({})
    settings.update(test_config or {})
    if not settings["DATABASE_URL"]:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        settings["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'audionews.db'}"
    if not settings["QUEUE_DIR"]:
        settings["QUEUE_DIR"] = str(Path(app.instance_path) / "queue")
    if not settings["MEDIA_DIR"]:
        settings["MEDIA_DIR"] = str(Path.cwd() / "media")
    app.config["AUDIONEWS"] = settings
    app.config["SECRET_KEY"] = secret_key(settings, app.instance_path)
    app.config["SQLALCHEMY_DATABASE_URI"] = settings["DATABASE_URL"]
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(settings["DATABASE_URL"])
    app.config["MAX_CONTENT_LENGTH"] = settings["MAX_ARTICLE_BYTES"] + 64 * 1024
    app.config["JSON_SORT_KEYS"] = False
    app.extensions["storage"] = Storage(Path(settings["MEDIA_DIR"]))
    app.extensions["metrics"] = Metrics.for_settings(settings)

    db.init_app(app)
    with app.app_context():
        from . import models  # noqa: F401  (register tables)
        from .search import index  # noqa: F401  (keeps the search index in step)

        ensure_schema(db.engine)
    celery_init_app(app)

    from .web import api, archive, daisy, errors, feeds, health, media, openapi, pages, search_page
    from .web.editor import init_editor
    from .web.hygiene import init_hygiene
    from .web.security import security_headers

    # Before any route: it bounds `int` in URLs and checks every request first.
    init_hygiene(app, lambda: security_headers(settings))
    app.register_blueprint(pages.bp)
    app.register_blueprint(archive.bp)
    app.register_blueprint(search_page.bp)
    app.register_blueprint(media.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(daisy.bp)
    app.register_blueprint(health.bp)
    init_editor(app)
    errors.register(app)
    init_security(app)
    return app


def _engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    # A database that does not answer must not hang a request: connecting gives up after
    # a few seconds and the request gets its 503 (web/errors.py).
    return {"pool_pre_ping": True, "connect_args": {"connect_timeout": 5}}


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the embedded worker write while pages read.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
