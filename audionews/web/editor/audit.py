"""The audit log: who created, edited, published, deleted or re-rendered what, and when."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import func, select

from ...db import db
from ...models import AuditEvent
from .blueprint import bp

PAGE_SIZE = 100

ACTIONS = {
    "login": "angemeldet",
    "create": "angelegt",
    "edit": "bearbeitet",
    "publish": "veröffentlicht",
    "unpublish": "zurückgezogen",
    "delete": "gelöscht",
    "render": "neu vertonen lassen",
    "briefing-order": "Reihenfolge der Nachrichten des Tages festgelegt",
    "lexicon-create": "Aussprache angelegt",
    "lexicon-edit": "Aussprache geändert",
    "lexicon-delete": "Aussprache gelöscht",
    "token-create": "API-Token angelegt",
    "token-revoke": "API-Token widerrufen",
}


def current_actor() -> str:
    """Return who is acting now, for the audit log and Article.updated_by."""
    return str(current_user.name) if current_user.is_authenticated else "unbekannt"


def record(action: str, target: str, detail: str = "", *, actor: str | None = None) -> None:
    """Add an audit event and commit it."""
    if actor is None:
        actor = current_actor()
    db.session.add(AuditEvent(actor=actor, action=action, target=target[:300], detail=detail))
    db.session.commit()


@bp.get("/protokoll")
def audit_log() -> str:
    try:
        page = min(max(1, int(request.args.get("seite", "1"))), 10**9)
    except ValueError:
        page = 1
    total = db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    events = db.session.scalars(
        select(AuditEvent)
        .order_by(AuditEvent.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return render_template(
        "editor/audit.html",
        events=events,
        actions=ACTIONS,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
    )
