"""The pronunciation lexicon: written form -> spoken form, with a spoken preview.

Saving an entry re-renders exactly the articles that contain its written form (before or after
the change); the segment cache makes those renders synthesize only the affected sentences.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from ... import catalog
from ...db import db
from ...models import Article, LexiconEntry, utcnow
from ...speech import Lexicon, build_script, strip_markdown
from ...speech.lexicon import LexiconEntry as Rule
from ..hygiene import parse_id
from .articles import _speak
from .audit import record
from .blueprint import bp
from .session import actor

FIELDS = ("written", "spoken", "note")
MAX_WRITTEN = 200
MAX_SPOKEN = 400
DEFAULT_SENTENCE = "Heute sagte {wort} in Berlin, die Lage sei ernst."


def articles_containing(rules: list[Rule]) -> list[Article]:
    """Return the articles whose title, summary or body contains any of `rules`' forms."""
    lexicon = Lexicon(rules)
    found = []
    for article in db.session.scalars(select(Article).order_by(Article.id)):
        texts = (article.title, article.summary, article.body)
        if any(lexicon.matches(strip_markdown(text)) for text in texts):
            found.append(article)
    return found


def _values(entry: LexiconEntry | None = None) -> dict[str, Any]:
    if entry is None:
        return {"written": "", "spoken": "", "note": ""} | {
            "whole_word": True,
            "case_sensitive": False,
        }
    return {
        "written": entry.written,
        "spoken": entry.spoken,
        "note": entry.note,
        "whole_word": entry.whole_word,
        "case_sensitive": entry.case_sensitive,
    }


def _read_form() -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = {name: request.form.get(name, "").strip() for name in FIELDS}
    values["written"] = " ".join(values["written"].split())
    values["whole_word"] = request.form.get("whole_word") == "1"
    values["case_sensitive"] = request.form.get("case_sensitive") == "1"
    errors: dict[str, str] = {}
    if not values["written"]:
        errors["written"] = "Bitte die geschriebene Form eingeben, z. B. „Macron“."
    elif len(values["written"]) > MAX_WRITTEN:
        errors["written"] = f"Die geschriebene Form ist länger als {MAX_WRITTEN} Zeichen."
    if not values["spoken"]:
        errors["spoken"] = "Bitte eingeben, wie es gesprochen wird, z. B. „Makrong“."
    elif len(values["spoken"]) > MAX_SPOKEN:
        errors["spoken"] = f"Die gesprochene Form ist länger als {MAX_SPOKEN} Zeichen."
    return values, errors


def _rule(values: dict[str, Any]) -> Rule:
    return Rule(
        written=values["written"],
        spoken=values["spoken"],
        whole_word=values["whole_word"],
        case_sensitive=values["case_sensitive"],
    )


def _duplicate(values: dict[str, Any], own_id: int | None) -> LexiconEntry | None:
    key = _rule(values).key
    for row in db.session.scalars(select(LexiconEntry)):
        if row.id != own_id and row.rule().key == key:
            return row
    return None


def _page(
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    entry: LexiconEntry | None = None,
) -> tuple[str, int]:
    entries = db.session.scalars(select(LexiconEntry).order_by(LexiconEntry.written)).all()
    page = render_template(
        "editor/lexicon.html",
        entries=entries,
        entry=entry,
        values=values or _values(entry),
        errors=errors or {},
        counts={row.id: len(articles_containing([row.rule()])) for row in entries},
    )
    return page, 400 if errors else 200


@bp.get("/aussprache")
def lexicon() -> tuple[str, int]:
    return _page()


@bp.get("/aussprache/<int(max=9223372036854775807):entry_id>")
def edit_entry(entry_id: int) -> tuple[str, int]:
    return _page(entry=_get(entry_id))


def _get(entry_id: int) -> LexiconEntry:
    entry = db.session.get(LexiconEntry, entry_id)
    if entry is None:
        abort(404)
    return entry


@bp.post("/aussprache")
def create_entry() -> Any:
    return _save(None)


@bp.post("/aussprache/<int(max=9223372036854775807):entry_id>")
def update_entry(entry_id: int) -> Any:
    return _save(_get(entry_id))


def _save(entry: LexiconEntry | None) -> Any:
    values, errors = _read_form()
    if not errors:
        other = _duplicate(values, entry.id if entry else None)
        if other is not None:
            errors["written"] = f"Für „{other.written}“ gibt es schon einen Eintrag."
    if errors:
        return _page(values, errors, entry)
    rules = [_rule(values)]
    if entry is None:
        entry = LexiconEntry()
        db.session.add(entry)
        action = "lexicon-create"
    else:
        rules.append(entry.rule())
        action = "lexicon-edit"
    entry.written, entry.spoken, entry.note = values["written"], values["spoken"], values["note"]
    entry.whole_word, entry.case_sensitive = values["whole_word"], values["case_sensitive"]
    entry.updated_at, entry.updated_by = utcnow(), actor()
    db.session.commit()
    _rerender(rules, action, f"{entry.written} → {entry.spoken}")
    return redirect(url_for("editor.lexicon"))


@bp.post("/aussprache/<int(max=9223372036854775807):entry_id>/loeschen")
def delete_entry(entry_id: int) -> Any:
    entry = _get(entry_id)
    rule, label = entry.rule(), entry.written
    db.session.delete(entry)
    db.session.commit()
    _rerender([rule], "lexicon-delete", label)
    return redirect(url_for("editor.lexicon"))


def _rerender(rules: list[Rule], action: str, label: str) -> None:
    affected = articles_containing(rules)
    if affected:
        catalog.request_render(affected)
    record(action, label, f"{len(affected)} Artikel neu vertont")
    if affected:
        flash(
            f"Gespeichert. „{label}“ kommt in {len(affected)} Artikel(n) vor; "
            "diese werden neu vertont (nur die betroffenen Sätze).",
            "info",
        )
    else:
        flash(f"Gespeichert. „{label}“ kommt in keinem Artikel vor.", "info")


@bp.get("/aussprache/vorhoeren.mp3")
def preview_entry() -> Response:
    """Speak the entry in a sentence: the form's values, or a saved entry's (?id=)."""
    if "id" in request.args:
        entry_id = parse_id(request.args["id"])
        if entry_id is None:
            abort(404)  # no entry can have it (a number past the id column: 404, not 500)
        values = _values(_get(entry_id))
    else:
        values = {
            "written": " ".join(request.args.get("written", "").split()),
            "spoken": request.args.get("spoken", "").strip(),
            "whole_word": request.args.get("whole_word") == "1",
            "case_sensitive": request.args.get("case_sensitive") == "1",
        }
    if not values["written"] or not values["spoken"]:
        return Response("Geschriebene und gesprochene Form fehlen.", 400, mimetype="text/plain")
    if len(values["written"]) > MAX_WRITTEN or len(values["spoken"]) > MAX_SPOKEN:
        return Response("Der Eintrag ist zu lang.", 400, mimetype="text/plain")
    current = [row.rule() for row in db.session.scalars(select(LexiconEntry))]
    sentence = DEFAULT_SENTENCE.format(wort=values["written"])
    script = build_script(sentence, "", "", lexicon=Lexicon([*current, _rule(values)]))
    return _speak([segment.spoken for segment in script])
