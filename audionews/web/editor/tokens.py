"""API tokens in the back office: create (shown once) and revoke."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from ...db import db
from ...models import ApiToken, utcnow
from .audit import record
from .blueprint import bp

MAX_NAME = 80


def _page(
    errors: dict[str, str] | None = None, name: str = "", created: str | None = None
) -> tuple[str, int]:
    tokens = db.session.scalars(select(ApiToken).order_by(ApiToken.id.desc())).all()
    page = render_template(
        "editor/tokens.html", tokens=tokens, errors=errors or {}, name=name, created=created
    )
    return page, 400 if errors else 200


@bp.get("/tokens")
def tokens() -> tuple[str, int]:
    return _page()


@bp.post("/tokens")
def create_token() -> tuple[str, int]:
    name = " ".join(request.form.get("name", "").split())
    if not name:
        return _page({"name": "Bitte einen Namen eingeben, z. B. „Redaktionssystem“."}, name)
    if len(name) > MAX_NAME:
        return _page({"name": f"Der Name ist länger als {MAX_NAME} Zeichen."}, name)
    row, clear = ApiToken.issue(name)
    db.session.add(row)
    db.session.commit()
    record("token-create", f"Token {row.id} „{name}“")
    # Shown in this answer only (no redirect, no-store): it is never stored in clear.
    return _page(created=clear, name=name)


@bp.post("/tokens/<int(max=9223372036854775807):token_id>/widerrufen")
def revoke_token(token_id: int) -> Any:
    row = db.session.get(ApiToken, token_id)
    if row is None:
        abort(404)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        db.session.commit()
        record("token-revoke", f"Token {row.id} „{row.name}“")
    flash(f"Token „{row.name}“ ist widerrufen.", "info")
    return redirect(url_for("editor.tokens"))
