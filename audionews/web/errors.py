"""Errors as clear answers: JSON for the API, a German page elsewhere. Never a traceback.

While the database is away every blueprint answers 503 with `Retry-After`, not 500.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from ..db import database_away, db

log = logging.getLogger(__name__)

MESSAGES = {
    400: "Die Anfrage ist fehlerhaft.",
    401: "Anmeldung erforderlich.",
    403: "Zugriff verweigert.",
    404: "Diese Seite gibt es nicht.",
    405: "Diese Methode ist hier nicht erlaubt.",
    413: "Die Daten sind zu groß.",
    415: "Dieses Datenformat wird nicht angenommen.",
    416: "Der angefragte Bereich liegt außerhalb der Datei.",
    429: "Zu viele Anfragen. Bitte später erneut versuchen.",
    500: "Ein interner Fehler ist aufgetreten.",
    503: "Der Dienst ist gerade nicht verfügbar. Bitte später erneut versuchen.",
}
# Long enough for a database restart or failover, short enough for an editor to wait.
RETRY_AFTER_SECONDS = 10
DATABASE_AWAY = "Die Datenbank ist gerade nicht erreichbar."
DATABASE_DETAIL = (
    f"Bitte in {RETRY_AFTER_SECONDS} Sekunden erneut versuchen; es ist nichts verloren gegangen."
)


class ApiError(Exception):
    """A refusal with a status, a code and a German message: JSON under /api/, else a page."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field

    def to_response(self) -> tuple[Response, int]:
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        return jsonify(body), self.status


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def error_page(status: int, message: str, detail: str | None = None) -> Response:
    """Return the German error page; a plain one when even the template cannot render."""
    try:
        html = render_template("error.html", status=status, message=message, detail=detail)
    except Exception:  # the page must come out, whatever broke (no URL adapter, a template)
        log.exception("error page %s could not be rendered", status)
        extra = f"<p>{escape(detail)}</p>" if detail else ""
        html = (
            f'<!doctype html><html lang="de"><head><meta charset="utf-8">'
            f"<title>{escape(message)} (Fehler {status}) – audionews</title></head>"
            f"<body><h1>{escape(message)}</h1>{extra}<p>Fehler {status}.</p></body></html>"
        )
    return current_app.response_class(html, status=status, mimetype="text/html")


def _too_large() -> str:
    limit = request.max_content_length
    if not limit:
        return MESSAGES[413]
    article = current_app.config["AUDIONEWS"]["MAX_ARTICLE_BYTES"]
    return (
        f"Die gesendeten Daten sind zu groß: höchstens {limit // 1000} kB je Anfrage "
        f"(ein Artikel darf höchstens {article // 1000} kB haben)."
    )


def _unavailable() -> Response:
    try:
        db.session.rollback()  # the next request of this thread must start clean
    except Exception:
        log.debug("rollback after a lost database connection failed", exc_info=True)
    if _wants_json():
        response, _status = ApiError(
            503, "database_unavailable", f"{DATABASE_AWAY} {DATABASE_DETAIL}"
        ).to_response()
        response.status_code = 503
    else:
        response = error_page(503, DATABASE_AWAY, DATABASE_DETAIL)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(exc: ApiError) -> Any:
        if _wants_json():
            return exc.to_response()
        return error_page(exc.status, exc.message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        message = _too_large() if status == 413 else MESSAGES.get(status, MESSAGES[400])
        if _wants_json():
            code = (exc.name or "error").lower().replace(" ", "_")
            response, _status = ApiError(status, code, message).to_response()
        else:
            response = error_page(status, message)
        response.status_code = status
        valid_methods = getattr(exc, "valid_methods", None)
        if status == 405 and valid_methods:
            response.headers["Allow"] = ", ".join(valid_methods)
        if status == 503 and exc.response is None:
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Any:
        if database_away(exc):
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[:1]
            log.warning("database unreachable on %s: %s", request.path, " ".join(reason))
            return _unavailable()
        log.exception("unhandled error on %s", request.path)
        if _wants_json():
            return ApiError(500, "internal_error", MESSAGES[500]).to_response()
        return error_page(500, MESSAGES[500])
