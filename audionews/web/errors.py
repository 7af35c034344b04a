"""Errors as clear answers: JSON for the API, a German page elsewhere. Never a traceback."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

MESSAGES = {
    400: "Die Anfrage ist fehlerhaft.",
    401: "Anmeldung erforderlich.",
    403: "Zugriff verweigert.",
    404: "Diese Seite gibt es nicht.",
    405: "Diese Methode ist hier nicht erlaubt.",
    413: "Die Daten sind zu groß.",
    415: "Dieses Datenformat wird nicht angenommen.",
    429: "Zu viele Anfragen. Bitte später erneut versuchen.",
    500: "Ein interner Fehler ist aufgetreten.",
}


class ApiError(Exception):
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


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(exc: ApiError) -> tuple[Response, int]:
        return exc.to_response()

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        status = exc.code or 500
        message = MESSAGES.get(status, exc.description or "Fehler")
        if _wants_json():
            code = (exc.name or "error").lower().replace(" ", "_")
            return ApiError(status, code, message).to_response()
        response = app.make_response(
            (render_template("error.html", status=status, message=message), status)
        )
        if exc.response is None and status == 405 and hasattr(exc, "valid_methods"):
            response.headers["Allow"] = ", ".join(exc.valid_methods or [])
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Any:
        log.exception("unhandled error on %s", request.path)
        if _wants_json():
            return ApiError(500, "internal_error", MESSAGES[500]).to_response()
        return render_template("error.html", status=500, message=MESSAGES[500]), 500
