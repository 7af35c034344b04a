"""Serve published media files with Range, HEAD, ETag and long cache lifetimes."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, send_file

from .storage import Storage

bp = Blueprint("media", __name__)

TYPES = {
    ".mp3": "audio/mpeg",
    ".vtt": "text/vtt",
    ".json": "application/json",
    ".png": "image/png",
    ".jpg": "image/jpeg",
}
YEAR = 365 * 24 * 3600


@bp.route("/media/<name>", methods=["GET", "HEAD"])
def get(name: str) -> Response:
    storage: Storage = current_app.extensions["storage"]
    try:
        path = storage.path(name)
    except ValueError:
        abort(404)
    if not path.is_file():
        abort(404)
    mimetype = TYPES.get(path.suffix.lower(), "application/octet-stream")
    # Content-named files never change: clients and proxies may keep them for a year.
    response = send_file(path, mimetype=mimetype, conditional=True, etag=True, max_age=YEAR)
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    response.headers["Accept-Ranges"] = "bytes"
    return response
