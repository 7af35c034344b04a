"""Security for every response and every form: headers, CSRF, cookies, login rate limits."""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, render_template, request
from flask_limiter import Limiter
from flask_wtf.csrf import CSRFError, CSRFProtect

log = logging.getLogger(__name__)

csrf = CSRFProtect()

DEV_KEY_FILE = "dev-secret-key"
MISSING_KEY = (
    "AUDIONEWS_SECRET_KEY ist nicht gesetzt. Ohne festen Schlüssel wären Anmeldungen nach "
    "jedem Neustart ungültig und Sitzungen fälschbar. Bitte einen langen Zufallswert setzen, "
    "z. B. AUDIONEWS_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))'), "
    "oder zum Ausprobieren `audionews serve --dev` starten."
)
NO_KEY_TITLE = "Der Redaktionsbereich ist nicht eingerichtet."
CSRF_MESSAGE = (
    "Die Sicherheitsprüfung des Formulars ist fehlgeschlagen (abgelaufen oder unvollständig). "
    "Bitte die Seite neu laden und erneut senden."
)


def has_stable_key(settings: dict[str, Any]) -> bool:
    """Return whether sessions survive restarts and work across processes (set key or dev)."""
    return bool(settings["SECRET_KEY"]) or bool(settings["DEV"])


def secret_key(settings: dict[str, Any], instance_path: str) -> str:
    """Return the configured key; in dev mode a key kept in instance/; else a one-off key."""
    if settings["SECRET_KEY"]:
        return str(settings["SECRET_KEY"])
    if settings["DEV"]:
        path = Path(instance_path) / DEV_KEY_FILE
        try:
            return path.read_text("utf-8").strip()
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            key = secrets.token_hex(32)
            path.write_text(key + "\n", "utf-8")
            path.chmod(0o600)
            return key
    # Commands that never serve pages (import, render, token) need no stable key.
    return secrets.token_hex(32)


def content_security_policy(base_url: str) -> str:
    media = "'self'"
    if base_url:
        parts = urlsplit(base_url)
        if parts.scheme in {"http", "https"} and parts.netloc:
            media += f" {parts.scheme}://{parts.netloc}"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",  # no inline script, no eval; JSON data blocks do not execute
            "style-src 'self'",
            "img-src 'self' data:",
            f"media-src {media}",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def security_headers(settings: dict[str, Any]) -> dict[str, str]:
    """Return the headers every response carries, the last-resort 500 included."""
    return {
        "Content-Security-Policy": content_security_policy(settings["BASE_URL"]),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
    }


def _address() -> str:
    return "adresse:" + (request.remote_addr or "unbekannt")


def _account() -> str:
    name = request.form.get("name", "").strip().casefold()[:80]
    return "konto:" + name


def _failed(response: Response) -> bool:
    # A successful login redirects; only failed attempts use up the allowance.
    return response.status_code != 302


def init_security(app: Flask) -> None:
    """Set cookies, headers, CSRF and the login limits up for `app` (after its blueprints)."""
    settings = app.config["AUDIONEWS"]
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=bool(settings["SECURE_COOKIES"])
        or settings["BASE_URL"].startswith("https://"),
        SESSION_COOKIE_NAME="audionews_session",
        WTF_CSRF_TIME_LIMIT=None,  # valid as long as the session; a long edit must not fail
    )
    fixed = security_headers(settings)

    @app.after_request
    def headers(response: Response) -> Response:
        for name, value in fixed.items():
            response.headers.setdefault(name, value)
        if request.path.startswith("/redaktion/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    csrf.init_app(app)  # the API blueprint exempts itself (bearer tokens, never cookies)

    @app.errorhandler(CSRFError)
    def csrf_failed(_exc: CSRFError) -> tuple[str, int]:
        return render_template("error.html", status=400, message=CSRF_MESSAGE), 400

    broker = settings["BROKER_URL"]
    storage = broker if broker.startswith(("redis://", "rediss://")) else "memory://"
    limiter = Limiter(
        key_func=_address,
        app=app,
        storage_uri=storage,
        headers_enabled=True,
        in_memory_fallback_enabled=True,
        key_prefix="audionews",
    )
    app.extensions["audionews_limiter"] = limiter
    endpoint = "editor.login"
    view: Any = app.view_functions[endpoint]
    limit = settings["LOGIN_LIMIT"]
    for key_func, scope in ((_address, "login-adresse"), (_account, "login-konto")):
        view = limiter.limit(
            limit, key_func=key_func, methods=["POST"], deduct_when=_failed, scope=scope
        )(view)
    app.view_functions[endpoint] = view
