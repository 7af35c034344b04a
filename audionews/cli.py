"""The `audionews` command: serve, worker, import, render, editors, tokens, cache and migrations."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.security import generate_password_hash

from . import catalog, cli_messages, config, create_app
from .articles import ArticleError, ArticleInput, parse_file
from .cli_progress import wait_for_jobs
from .db import db
from .jobs.queue import is_embedded
from .models import ApiToken, Article, AuditEvent, Editor, utcnow
from .web.hygiene import parse_id

if TYPE_CHECKING:
    from workers.embedded import EmbeddedWorker

cli_messages.install()  # click's own messages in German too: „Fehler: …“, never „Error: …“


def _settings() -> dict[str, Any]:
    try:
        return config.load()
    except config.SettingsError as exc:
        raise click.ClickException(f"Ungültige Einstellung: {exc}") from None


def _app() -> Flask:
    try:
        return create_app()
    except config.SettingsError as exc:
        raise click.ClickException(f"Ungültige Einstellung: {exc}") from None
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise click.ClickException(f"Die Datenbank ist nicht erreichbar: {reason}") from None


@click.group(cls=cli_messages.Group)
def cli() -> None:
    """audionews: Nachrichten als MP3, Podcast-Feeds und barrierefreier Player."""


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Adresse, auf der er lauscht.")
@click.option(
    "--port",
    default=5000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port (1 bis 65535).",
)
@click.option(
    "--threads", default=8, show_default=True, type=click.IntRange(1), help="HTTP-Threads."
)
@click.option(
    "--dev",
    is_flag=True,
    help="Entwicklungsmodus: ohne AUDIONEWS_SECRET_KEY starten (Schlüssel in instance/).",
)
@click.option(
    "--shutdown-timeout",
    default=20.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Sekunden, die laufende Anfragen und der eingebaute Worker nach SIGTERM oder Strg+C "
    "zum Abschluss bekommen.",
)
def serve(host: str, port: int, threads: int, dev: bool, shutdown_timeout: float) -> None:
    """Die Website starten (ohne Broker auch einen eingebauten Render-Worker).

    Ohne --dev startet sie nur mit AUDIONEWS_SECRET_KEY.
    """
    import waitress

    from .web.security import MISSING_KEY

    settings = _settings()
    dev = dev or bool(settings["DEV"])
    if not settings["SECRET_KEY"] and not dev:
        raise click.ClickException(MISSING_KEY)
    if dev:
        os.environ["AUDIONEWS_DEV"] = "1"
    app = _app()
    try:
        # Bind before the worker starts: a busy port must not leave re-queued jobs behind.
        server = waitress.create_server(
            app, host=host, port=port, threads=threads, ident="audionews"
        )
    except OSError as exc:
        raise click.ClickException(
            f"Kann nicht auf {host}:{port} lauschen ({exc.strerror or exc}). "
            "Läuft audionews schon? Sonst einen anderen Port mit --port wählen."
        ) from None
    from .server import serve as serve_until_stopped

    worker = None
    if is_embedded(app):
        worker = _start_embedded(app, requeue_all=True)
        click.echo("Eingebetteter Render-Worker läuft (kein AUDIONEWS_BROKER_URL gesetzt).")
    click.echo(f"audionews läuft auf http://{host}:{port}/ (Beenden mit Strg+C)")
    # SIGTERM or Ctrl+C: requests in flight finish, then the worker stops (both bounded).
    unfinished = serve_until_stopped(server, grace=shutdown_timeout, worker=worker)
    click.echo("audionews ist beendet.")
    if unfinished:
        _end_now(0)


@cli.command(context_settings={"ignore_unknown_options": True})
@click.option("--concurrency", "-c", default=2, show_default=True, type=int)
@click.option("--loglevel", "-l", default="INFO", show_default=True)
def worker(concurrency: int, loglevel: str) -> None:
    """Einen Celery-Worker für den Broker (AUDIONEWS_BROKER_URL) starten."""
    settings = _settings()
    if not settings["BROKER_URL"]:
        raise click.ClickException(
            "AUDIONEWS_BROKER_URL ist nicht gesetzt. Ohne Broker rendert `audionews serve` selbst."
        )
    _app()  # fail here with a sentence, not in the worker with a traceback
    from workers.celery_app import celery_app

    celery_app.worker_main(["worker", f"--loglevel={loglevel}", f"--concurrency={concurrency}"])


@cli.command("import")
@click.argument(
    "files", nargs=-1, metavar="DATEI...", type=click.Path(dir_okay=False, path_type=Path)
)
@click.option("--samples", is_flag=True, help="Die mitgelieferten Beispielartikel importieren.")
@click.option("--wait", is_flag=True, help="Warten, bis die Audios fertig (oder gescheitert) sind.")
def import_(files: tuple[Path, ...], samples: bool, wait: bool) -> None:
    """Artikel importieren (Textformat oder JSON) und vertonen lassen."""
    sources = list(_read_files(files))
    if samples:
        sources.extend(_samples())
    if not sources:
        raise click.UsageError("Keine Dateien angegeben (oder --samples).")
    limit = _settings()["MAX_ARTICLE_BYTES"]
    parsed: list[tuple[str, ArticleInput]] = []
    errors: list[str] = []
    for name, data in sources:
        try:
            parsed.append((name, parse_file(data, name, max_bytes=limit)))
        except ArticleError as exc:
            field = f" [{exc.field}]" if exc.field else ""
            errors.append(f"{name}: {exc.message}{field}")
    if errors:
        # All or nothing: a batch with a bad file changes nothing.
        raise click.ClickException("Nichts importiert.\n" + "\n".join(errors))
    app = _app()
    with app.app_context():
        job_ids = []
        for name, article_input in parsed:
            try:
                result = catalog.save(article_input)
            except ArticleError as exc:
                raise click.ClickException(f"{name}: {exc.message}") from None
            verb = "neu" if result.created else ("geändert" if result.changed else "unverändert")
            click.echo(f"{result.article.slug}: {verb} (Fassung {result.article.revision})")
            if result.job is not None:
                job_ids.append(result.job.id)
        _after_queue(app, job_ids, wait)


@cli.command()
@click.argument("slugs", nargs=-1, metavar="ARTIKEL...")
@click.option("--all", "all_", is_flag=True, help="Alle Artikel neu vertonen.")
@click.option("--wait", is_flag=True, help="Warten, bis die Audios fertig (oder gescheitert) sind.")
def render(slugs: tuple[str, ...], all_: bool, wait: bool) -> None:
    """Die genannten Artikel (oder --all) neu vertonen lassen."""
    if not slugs and not all_:
        raise click.UsageError("Artikel-Kennungen angeben oder --all.")
    app = _app()
    with app.app_context():
        if all_:
            articles = list(db.session.scalars(select(Article).order_by(Article.id)))
        else:
            articles = []
            for slug in slugs:
                try:
                    articles.append(catalog.find(slug))
                except catalog.NotFound:
                    raise click.ClickException(f"Es gibt keinen Artikel „{slug}“.") from None
        jobs = catalog.request_render(articles)
        for job in jobs:
            click.echo(f"{job.article.slug}: Auftrag {job.id} eingereiht")
        _after_queue(app, [job.id for job in jobs], wait)


@cli.group()
def editor() -> None:
    """Konten der Redaktion verwalten."""


@editor.command("create")
@click.argument("name")
def editor_create(name: str) -> None:
    """Ein Redaktionskonto anlegen (fragt nach dem Passwort oder liest es von der Eingabe)."""
    if sys.stdin.isatty():
        password = click.prompt("Passwort", hide_input=True, confirmation_prompt="Wiederholen")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 10:
        raise click.ClickException("Das Passwort muss mindestens 10 Zeichen lang sein.")
    app = _app()
    with app.app_context():
        if db.session.scalar(select(Editor).where(Editor.name == name)) is not None:
            raise click.ClickException(f"Es gibt schon ein Konto „{name}“.")
        db.session.add(Editor(name=name, password_hash=generate_password_hash(password, "scrypt")))
        db.session.commit()
    click.echo(f"Konto „{name}“ angelegt.")


@cli.group()
def token() -> None:
    """API-Tokens verwalten."""


@token.command("create")
@click.argument("name")
def token_create(name: str) -> None:
    """Ein API-Token anlegen; es steht einmal, allein in der letzten Zeile."""
    app = _app()
    with app.app_context():
        row, clear = ApiToken.issue(name)
        db.session.add(row)
        db.session.commit()
    click.echo(f"API-Token „{name}“ angelegt. Es wird nur dieses eine Mal angezeigt:", err=False)
    click.echo(clear)


@token.command("revoke")
@click.argument("token_ref", metavar="NAME|ID")
def token_revoke(token_ref: str) -> None:
    """Ein API-Token nach Nummer widerrufen, oder alle gültigen dieses Namens."""
    app = _app()
    with app.app_context():
        valid = select(ApiToken).where(ApiToken.revoked_at.is_(None))
        by_name = db.session.scalars(valid.where(ApiToken.name == token_ref)).all()
        by_id: Sequence[ApiToken] = ()
        token_id = parse_id(token_ref)  # a number past the id column is a name, not an id
        if token_id is not None:
            by_id = db.session.scalars(valid.where(ApiToken.id == token_id)).all()
        if by_name and by_id and {row.id for row in by_id} != {row.id for row in by_name}:
            # A token named "1" and the token number 1: never guess which one is meant.
            raise click.ClickException(
                f"„{token_ref}“ ist Name und Nummer verschiedener Tokens; nichts widerrufen. "
                "Bitte das Token in der Redaktion unter „API-Tokens“ widerrufen."
            )
        rows = by_name or by_id
        if not rows:
            raise click.ClickException(f"Kein gültiges API-Token „{token_ref}“ gefunden.")
        now = utcnow()
        for row in rows:
            row.revoked_at = now
            db.session.add(
                AuditEvent(
                    actor="CLI", action="token-revoke", target=f"Token {row.id} „{row.name}“"
                )
            )
        db.session.commit()
        for row in rows:
            click.echo(f"API-Token {row.id} „{row.name}“ widerrufen.")


@cli.command()
def migrate() -> None:
    """Die Datenbank auf den Stand dieser Version bringen (Alembic) und ihn nennen."""
    from alembic.runtime.migration import MigrationContext

    app = _app()  # creating the app creates or upgrades the schema
    with app.app_context(), db.engine.connect() as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
    click.echo(f"Die Datenbank ist auf dem Stand dieser Version (Migration {revision}).")


@cli.group()
def cache() -> None:
    """Den Medienordner und seinen Zwischenspeicher verwalten."""


@cache.command("prune")
@click.option(
    "--older-than",
    "days",
    type=click.FloatRange(min=0),
    default=None,
    metavar="TAGE",
    help="Bausteine von Fassungen behalten, die jünger sind (Vorgabe: AUDIONEWS_CACHE_KEEP_DAYS).",
)
@click.option("--dry-run", is_flag=True, help="Nur zeigen, was entfernt würde.")
def cache_prune(days: float | None, dry_run: bool) -> None:
    """Entfernen, was keine aktuelle und keine neue Fassung mehr braucht, und sagen, wie viel.

    Bleibt: alles, was aktuelle Fassungen und Fassungen der letzten TAGE brauchen, und die
    veröffentlichten Dateien ersetzter Fassungen für AUDIONEWS_MEDIA_GRACE_DAYS.
    """
    from .cache.prune import prune

    report = prune(_app(), keep_days=days, dry_run=dry_run)
    for line in report.lines():
        click.echo(line)


def _read_files(files: Iterable[Path]) -> Iterator[tuple[str, bytes]]:
    for path in files:
        try:
            yield str(path), path.read_bytes()
        except FileNotFoundError:
            raise click.ClickException(f"{path}: Datei nicht gefunden.") from None
        except IsADirectoryError:
            raise click.ClickException(f"{path}: ist ein Ordner, keine Datei.") from None
        except PermissionError:
            raise click.ClickException(f"{path}: keine Leseberechtigung.") from None
        except OSError as exc:
            raise click.ClickException(f"{path}: nicht lesbar ({exc.strerror}).") from None


def _samples() -> Iterator[tuple[str, bytes]]:
    folder = resources.files("audionews") / "samples"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".txt"):
            yield entry.name, entry.read_bytes()


def _after_queue(app: Flask, job_ids: list[int], wait: bool) -> None:
    if not job_ids:
        return
    if not wait:
        if is_embedded(app):
            click.echo("Die Aufträge warten auf `audionews serve` (eingebetteter Worker).")
        return
    with _embedded_worker(app):
        failed = wait_for_jobs(job_ids)
    if failed:
        raise click.ClickException(f"{failed} von {len(job_ids)} Aufträgen fehlgeschlagen.")


@contextmanager
def _embedded_worker(app: Flask) -> Iterator[None]:
    if not is_embedded(app):
        yield
        return
    worker = _start_embedded(app)
    try:
        yield
    finally:
        if worker.stop():  # interrupted while rendering: the jobs are queued again
            click.echo("Abgebrochen; unfertige Aufträge sind wieder eingereiht.", err=True)
            _end_now(1)


def _end_now(code: int) -> None:
    """End the process at once: renders cut off by a stop still run in daemon threads.

    Left running into the interpreter's shutdown they would fail and mark their jobs failed,
    although their jobs are queued again.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _start_embedded(app: Flask, *, requeue_all: bool = False) -> EmbeddedWorker:
    # Only the commands that start workers reach into `workers`.
    from workers.embedded import start_embedded

    return start_embedded(app, requeue_all=requeue_all)


def main() -> None:
    cli(prog_name="audionews")
