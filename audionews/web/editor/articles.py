"""Articles in the back office: create (form, paste, upload), edit, preview, publish, delete."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select

from ... import catalog
from ...articles import ArticleError, ArticleInput, parse_file, parse_json, parse_text
from ...db import db
from ...jobs import day_job
from ...jobs.render_job import renderer
from ...jobs.status import article_status
from ...models import Article, LexiconEntry, Rendition, utcnow
from ...render.renderer import RenderError
from ...render.voice import script_for
from ...speech import Segment
from ..hygiene import allow_body
from .audit import record
from .blueprint import bp
from .dashboard import describe
from .session import actor

FORM_FIELDS = ("title", "summary", "body", "links")
MAX_FILES = 50


def text_form_limit(settings: dict[str, Any]) -> int:
    """Accept article forms up to four times the article limit, to keep a too-long text."""
    return 4 * int(settings["MAX_ARTICLE_BYTES"]) + 64 * 1024


def upload_limit(settings: dict[str, Any]) -> int:
    return MAX_FILES * (int(settings["MAX_ARTICLE_BYTES"]) + 4 * 1024)


def too_long(size: int) -> str | None:
    """Return the German refusal of a text of `size` bytes over the article limit, or None."""
    limit = int(current_app.config["AUDIONEWS"]["MAX_ARTICLE_BYTES"])
    if size <= limit:
        return None
    return (
        f"Der Text ist {_kilobytes(size)} groß; ein Artikel darf höchstens "
        f"{_kilobytes(limit)} haben. Bitte kürzen und erneut senden – der Text steht noch hier."
    )


def _kilobytes(size: int) -> str:
    return f"{-(-size // 1000)} kB" if size % 1000 else f"{size // 1000} kB"


# Form <-> article ---------------------------------------------------------------------------


def links_text(links: list[dict[str, str]]) -> str:
    """Show links one per line as "Titel | URL"."""
    return "\n".join(f"{link['title']} | {link['url']}" for link in links)


def _parse_links(text: str) -> list[dict[str, str]]:
    links = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        title, sep, url = line.rpartition("|")
        if not sep:
            title, url = "", line
        links.append({"title": title.strip() or url.strip(), "url": url.strip()})
    return links


def _field_of(error: ArticleError, fields: tuple[str, ...]) -> str:
    """Map a parser's field name ("links[2].url", "size", "file") to a form field."""
    name = (error.field or "").split("[", 1)[0].split(".", 1)[0]
    return name if name in fields else "body"


class FormErrors(Exception):
    """Every problem of a submitted article form, by field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def _from_form(form: dict[str, str]) -> ArticleInput:
    """Parse the article form, or raise FormErrors naming each bad field."""
    errors: dict[str, str] = {}
    refusal = too_long(
        sum(len(form.get(name, "").encode("utf-8", "replace")) for name in FORM_FIELDS)
    )
    if refusal:
        raise FormErrors({"body": refusal})
    if not form.get("title", "").strip():
        errors["title"] = "Der Titel fehlt."
    if not form.get("summary", "").strip() and not form.get("body", "").strip():
        errors["body"] = "Der Artikel hat keinen Text: „In Kürze“ oder „Hauptartikel“ ausfüllen."
    links = _parse_links(form.get("links", ""))
    for number, link in enumerate(links, start=1):
        if not link["url"].lower().startswith(("http://", "https://")):
            errors["links"] = (
                f"Link {number}: „{link['url']}“ ist keine http(s)-Adresse. "
                "Eine Zeile pro Link: Titel | https://…"
            )
            break
    if errors:
        raise FormErrors(errors)
    try:
        return parse_json(
            {
                "title": form.get("title", ""),
                "summary": form.get("summary", ""),
                "body": form.get("body", ""),
                "links": links,
            }
        )
    except ArticleError as exc:
        raise FormErrors({_field_of(exc, FORM_FIELDS): exc.message}) from None


def _form_values(article: Article | None = None) -> dict[str, str]:
    if article is None:
        return dict.fromkeys(FORM_FIELDS, "")
    return {
        "title": article.title,
        "summary": article.summary,
        "body": article.body,
        "links": links_text(article.links),
    }


def _exists(data: ArticleInput) -> Article | None:
    """Return the article this input would update (see `catalog.identify`), if any."""
    if data.slug:
        return db.session.scalar(select(Article).where(Article.slug == data.slug))
    if data.source_id is not None:
        return db.session.scalar(
            select(Article).where(Article.source_owner == "", Article.source_id == data.source_id)
        )
    # Only the identical title: another title that slugifies alike is another article.
    return db.session.scalar(
        select(Article).where(Article.title == data.title).order_by(Article.id).limit(1)
    )


def _duplicate(existing: Article) -> str:
    return (
        f"Es gibt schon einen Artikel mit diesem Titel („{existing.title}“). "
        "Bitte jenen bearbeiten oder einen anderen Titel wählen."
    )


def _create(data: ArticleInput, how: str) -> Article:
    result = catalog.save(dataclasses.replace(data, published=False), actor=actor())
    record("create", result.article.slug, f"{how}, Fassung {result.article.revision}")
    return result.article


# Creating -----------------------------------------------------------------------------------


def _new_page(**context: Any) -> tuple[str, int]:
    values = context.pop("values", None) or _form_values()
    errors = context.pop("errors", {})
    status = 400 if errors else 200
    page = render_template(
        "editor/article_new.html",
        values=values,
        errors=errors,
        text=context.pop("text", ""),
        **context,
    )
    return page, status


@bp.get("/neuer-artikel")
def new_article() -> tuple[str, int]:
    return _new_page()


@bp.post("/neuer-artikel")
@allow_body(text_form_limit)
def create_article() -> Any:
    values = {name: request.form.get(name, "") for name in FORM_FIELDS}
    try:
        data = _from_form(values)
    except FormErrors as exc:
        return _new_page(values=values, errors=exc.errors)
    existing = _exists(data)
    if existing is not None:
        return _new_page(values=values, errors={"title": _duplicate(existing)})
    article = _create(data, "Formular")
    flash(f"„{article.title}“ angelegt; der Ton wird erzeugt.", "info")
    return redirect(url_for("editor.edit_article", slug=article.slug))


@bp.post("/neuer-artikel/einfuegen")
@allow_body(text_form_limit)
def paste_article() -> Any:
    text = request.form.get("text", "")
    limit = current_app.config["AUDIONEWS"]["MAX_ARTICLE_BYTES"]
    refusal = too_long(len(text.encode("utf-8", "replace")))
    if refusal:
        return _new_page(text=text, errors={"text": refusal}, open="einfuegen")
    try:
        data = parse_text(text, max_bytes=limit)
    except ArticleError as exc:
        return _new_page(text=text, errors={"text": exc.message}, open="einfuegen")
    existing = _exists(data)
    if existing is not None:
        return _new_page(text=text, errors={"text": _duplicate(existing)}, open="einfuegen")
    article = _create(data, "eingefügt")
    flash(f"„{article.title}“ angelegt; der Ton wird erzeugt.", "info")
    return redirect(url_for("editor.edit_article", slug=article.slug))


@bp.post("/neuer-artikel/hochladen")
@allow_body(upload_limit)
def upload_articles() -> Any:
    """Create one article per file; one bad file stores nothing and names every problem."""
    files = [f for f in request.files.getlist("files") if f.filename]
    limit = current_app.config["AUDIONEWS"]["MAX_ARTICLE_BYTES"]
    problems: list[str] = []
    if not files:
        problems.append("Bitte mindestens eine Datei auswählen.")
    if len(files) > MAX_FILES:
        problems.append(f"Höchstens {MAX_FILES} Dateien auf einmal.")
    parsed: list[ArticleInput] = []
    names: set[str] = set()
    for upload in files[:MAX_FILES]:
        name = upload.filename or "?"
        try:
            data = parse_file(upload.read(limit + 1), name, max_bytes=limit)
        except ArticleError as exc:
            problems.append(f"{name}: {exc.message}")
            continue
        key = data.slug or data.source_id or data.title
        existing = _exists(data)
        if existing is not None or key in names:
            problems.append(f"{name}: {_duplicate(existing) if existing else 'doppelter Titel.'}")
            continue
        names.add(key)
        parsed.append(data)
    if problems:
        message = "Nichts hochgeladen. " + " ".join(problems)
        return _new_page(errors={"files": message}, open="hochladen")
    created = [_create(data, "hochgeladen") for data in parsed]
    flash(f"{len(created)} Artikel angelegt; der Ton wird erzeugt.", "info")
    return redirect(url_for("editor.dashboard"))


# Editing ------------------------------------------------------------------------------------


def _find(slug: str) -> Article:
    try:
        return catalog.find(slug)
    except catalog.NotFound:
        abort(404)


def _script(article: Article) -> list[Segment]:
    settings = current_app.config["AUDIONEWS"]
    return script_for(
        article.title, article.summary, article.body, settings, LexiconEntry.current()
    )


def sentences(article: Article) -> list[dict[str, Any]]:
    """Return each sentence of the current revision once: text, what is said, unsure tokens."""
    seen: dict[int, dict[str, Any]] = {}
    for segment in _script(article):
        entry = seen.setdefault(
            segment.sentence,
            {
                "number": segment.sentence,
                "section": segment.section,
                "text": segment.display,
                "spoken": [],
                "flags": segment.flags,
            },
        )
        entry["spoken"].append(segment.spoken)
    for entry in seen.values():
        entry["spoken"] = " ".join(entry["spoken"])
    return list(seen.values())


def _edit_page(
    article: Article,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    revision: int | None = None,
) -> tuple[str, int]:
    status = article_status(article)
    page = render_template(
        "editor/article_edit.html",
        article=article,
        values=values or _form_values(article),
        errors=errors or {},
        revision=article.revision if revision is None else revision,
        status=status,
        status_label=describe(status),
        sentences=sentences(article),
    )
    return page, 400 if errors else 200


@bp.get("/artikel/<slug>")
def edit_article(slug: str) -> tuple[str, int]:
    return _edit_page(_find(slug))


@bp.post("/artikel/<slug>")
@allow_body(text_form_limit)
def update_article(slug: str) -> Any:
    article = _find(slug)
    values = {name: request.form.get(name, "") for name in FORM_FIELDS}
    try:
        based_on = int(request.form.get("revision", ""))
    except ValueError:
        return _edit_page(
            article, values, {"revision": "Die Fassung fehlt. Bitte die Seite neu laden."}
        )
    try:
        data = _from_form(values)
    except FormErrors as exc:
        return _edit_page(article, values, exc.errors, based_on)
    try:
        result = catalog.save(
            data, slug=slug, must_exist=True, actor=actor(), expected_revision=based_on
        )
    except catalog.Conflict as exc:
        db.session.expire_all()
        article = _find(slug)
        # The editor saw the message and the current text; saving again replaces it.
        return _edit_page(article, values, {"revision": exc.message}, article.revision)
    except ArticleError as exc:
        return _edit_page(article, values, {exc.field or "body": exc.message}, based_on)
    if not result.changed:
        flash("Keine Änderung: Es wurde nichts gespeichert.", "info")
    else:
        record("edit", slug, f"Fassung {result.article.revision}")
        flash(
            f"Fassung {result.article.revision} gespeichert; nur geänderte Sätze werden neu "
            "gesprochen.",
            "info",
        )
    return redirect(url_for("editor.edit_article", slug=slug))


@bp.get("/artikel/<slug>/satz/<int(max=9223372036854775807):number>.mp3")
def preview_sentence(slug: str, number: int) -> Response:
    """Speak one sentence of the current revision with the configured engines (cached)."""
    article = _find(slug)
    pieces = [seg.spoken for seg in _script(article) if seg.sentence == number]
    if not pieces:
        abort(404)
    return _speak(pieces)


def _speak(pieces: list[str]) -> Response:
    try:
        audio, engine = renderer().preview(pieces)
    except RenderError as exc:
        return Response(str(exc), status=503, mimetype="text/plain")
    response = Response(audio, mimetype="audio/mpeg")
    response.headers["X-Audionews-Engine"] = engine
    return response


@bp.post("/artikel/<slug>/veroeffentlichen")
def publish_article(slug: str) -> Any:
    article = _find(slug)
    publish = request.form.get("published") == "1"
    if article.published != publish:
        article.set_published(publish)
        article.updated_by = actor()
        # The feeds' Last-Modified follows this: a podcast app asking If-Modified-Since must
        # see the new episode, not a 304.
        article.updated_at = utcnow()
        day_job.mark_article(article)
        db.session.commit()
        record("publish" if publish else "unpublish", slug)
    if publish and article.current_rendition() is None:
        flash("Veröffentlicht; der Artikel erscheint, sobald sein Ton fertig ist.", "info")
    else:
        flash("Veröffentlicht." if publish else "Zurückgezogen: nicht mehr öffentlich.", "info")
    return redirect(url_for("editor.edit_article", slug=slug))


@bp.post("/artikel/<slug>/vertonen")
def render_article(slug: str) -> Any:
    article = _find(slug)
    catalog.request_render([article])
    record("render", slug, f"Fassung {article.revision}")
    flash("Der Artikel wird neu vertont.", "info")
    return redirect(url_for("editor.edit_article", slug=slug))


@bp.get("/artikel/<slug>/loeschen")
def confirm_delete(slug: str) -> str:
    return render_template("editor/article_delete.html", article=_find(slug))


@bp.post("/artikel/<slug>/loeschen")
def delete_article(slug: str) -> Any:
    article = _find(slug)
    title = article.title
    delete(article)
    record("delete", slug, title)
    flash(f"„{title}“ gelöscht.", "info")
    return redirect(url_for("editor.dashboard"))


def delete(article: Article) -> None:
    """Delete the article and then its published files that no other rendition names."""
    names = {name for rendition in article.renditions for name in rendition.files.values()}
    day_job.mark_article(article)
    db.session.delete(article)
    db.session.commit()
    still_used = {
        name
        for files in db.session.scalars(select(Rendition.files))
        for name in files.values()
        if name in names
    }
    storage = current_app.extensions["storage"]
    for name in names - still_used:
        try:
            storage.delete(name)
        except (OSError, ValueError):
            current_app.logger.warning("could not delete media file %s", name)
