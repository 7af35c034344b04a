"""Editor accounts and sessions: Flask-Login with a fresh server-side nonce at every login."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import (
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from sqlalchemy import delete, select
from werkzeug.security import check_password_hash, generate_password_hash

from ...db import db
from ...models import Editor, EditorSession
from ..security import MISSING_KEY, NO_KEY_TITLE, has_stable_key
from .audit import current_actor as actor  # noqa: F401  (the editor's pages import it here)
from .blueprint import PUBLIC_ENDPOINTS, bp

login_manager = LoginManager()
login_manager.session_protection = "strong"
login_manager.login_view = "editor.login"
login_manager.login_message = "Bitte melden Sie sich an."
login_manager.login_message_category = "info"

# Checked against when the account does not exist, so a wrong name costs as long as a
# wrong password and does not reveal which names exist.
_DUMMY_HASH = generate_password_hash("kein-konto-" + secrets.token_hex(8), "scrypt")
LOGIN_FAILED = "Name oder Passwort stimmt nicht."


def _hash(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


class EditorUser(UserMixin):
    """The logged-in editor; its id is the session nonce, not the account id."""

    def __init__(self, editor: Editor, nonce: str) -> None:
        self.editor = editor
        self.nonce = nonce

    def get_id(self) -> str:
        return self.nonce

    @property
    def name(self) -> str:
        return self.editor.name


@login_manager.user_loader
def load_user(nonce: str) -> EditorUser | None:
    row = db.session.scalar(select(EditorSession).where(EditorSession.token_hash == _hash(nonce)))
    if row is None:
        return None
    return EditorUser(row.editor, nonce)


@login_manager.unauthorized_handler
def unauthorized() -> Any:
    if request.path.endswith((".json", ".mp3")) or request.accept_mimetypes.best == (
        "application/json"
    ):
        return jsonify({"error": "unauthorized", "message": "Anmeldung erforderlich."}), 401
    flash(login_manager.login_message, "info")
    target = request.full_path if request.method == "GET" else None
    return redirect(url_for("editor.login", next=target))


def _safe_next(target: str | None) -> str:
    """Allow only local back-office paths as the page after login (no open redirect)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and parts.path.startswith("/redaktion/"):
            return target.rstrip("?")
    return url_for("editor.dashboard")


def start_session(editor: Editor) -> None:
    """Log `editor` in with a brand-new session: old cookies carry nothing usable."""
    session.clear()
    nonce = secrets.token_urlsafe(32)
    db.session.add(EditorSession(editor_id=editor.id, token_hash=_hash(nonce)))
    db.session.commit()
    login_user(EditorUser(editor, nonce))


def end_session() -> None:
    """Delete the server side of this session, so a copied cookie is worthless."""
    if current_user.is_authenticated:
        db.session.execute(
            delete(EditorSession).where(EditorSession.token_hash == _hash(current_user.nonce))
        )
        db.session.commit()
    logout_user()
    session.clear()


@bp.before_request
def require_login() -> Any:
    """Refuse every back-office request without a login, except the login page itself."""
    if not has_stable_key(current_app.config["AUDIONEWS"]):
        # A one-off key per process (gunicorn without AUDIONEWS_SECRET_KEY) would log editors
        # out at random and lose their forms: the back office stays shut and says why.
        page = render_template("error.html", status=503, message=NO_KEY_TITLE, detail=MISSING_KEY)
        return page, 503
    if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
        return None
    return login_manager.unauthorized()


def _routes() -> None:
    from .audit import record

    @bp.route("/anmelden", methods=["GET", "POST"])
    def login() -> Any:
        if request.method == "GET" and current_user.is_authenticated:
            return redirect(url_for("editor.dashboard"))
        name = request.form.get("name", "").strip()
        errors: dict[str, str] = {}
        if request.method == "POST":
            password = request.form.get("password", "")
            if not name:
                errors["name"] = "Bitte den Namen eingeben."
            if not password:
                errors["password"] = "Bitte das Passwort eingeben."
            if not errors:
                editor = db.session.scalar(select(Editor).where(Editor.name == name))
                hashed = editor.password_hash if editor is not None else _DUMMY_HASH
                if check_password_hash(hashed, password) and editor is not None:
                    start_session(editor)
                    record("login", f"Konto {editor.name}")
                    flash(f"Angemeldet als {editor.name}.", "info")
                    return redirect(_safe_next(request.args.get("next")))
                errors["password"] = LOGIN_FAILED
        status = 400 if errors else 200
        return render_template("editor/login.html", name=name, errors=errors), status

    @bp.post("/abmelden")
    def logout() -> Any:
        end_session()
        flash("Sie sind abgemeldet.", "info")
        return redirect(url_for("editor.login"))


_routes()
