"""Serve published media files with Range, HEAD, ETag, CORS and long cache lifetimes.

Everything here is content-named and immutable. In production a web server or CDN may serve
media/ directly with the same headers (docs/deploy.md); this view is the reference for them.
"""

from __future__ import annotations

import hashlib
import io

from flask import Blueprint, Response, abort, current_app, request, send_file
from werkzeug.exceptions import RequestedRangeNotSatisfiable
from werkzeug.http import parse_range_header

from ..render.cover import unwritten_cover
from ..render.storage import Storage

bp = Blueprint("media", __name__)

TYPES = {
    ".mp3": "audio/mpeg",
    ".vtt": "text/vtt",
    ".json": "application/json",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".zip": "application/zip",  # DAISY books (web/daisy.py serves them by day and article)
}
# JSON chapters (Podcast Index) have their own type; transcripts.py names them "-chapters.json".
CHAPTERS_SUFFIX = "chapters.json"
CHAPTERS_TYPE = "application/json+chapters"
YEAR = 365 * 24 * 3600
CACHE_CONTROL = f"public, max-age={YEAR}, immutable, no-transform"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Accept-Ranges, Content-Length, Content-Range, ETag",
}


def media_type(name: str) -> str:
    """Return the Content-Type of media file `name`."""
    lowered = name.lower()
    if lowered.endswith(CHAPTERS_SUFFIX):
        return CHAPTERS_TYPE
    dot = lowered.rfind(".")
    return TYPES.get(lowered[dot:] if dot >= 0 else "", "application/octet-stream")


@bp.route("/media/<name>", methods=["GET", "HEAD", "OPTIONS"], provide_automatic_options=False)
def get(name: str) -> Response:
    if request.method == "OPTIONS":
        return _preflight()
    storage: Storage = current_app.extensions["storage"]
    try:
        path = storage.path(name)
    except ValueError:
        abort(404)
    if not path.is_file():
        return _from_memory(name, storage)
    # Content-named files never change: clients and proxies may keep them for a year.
    # Flask sends the bytes as they are (no gzip): Range offsets must address the file.
    try:
        if _ignores_range():
            response = send_file(
                path, mimetype=media_type(name), conditional=False, etag=True, max_age=YEAR
            )
            environ = {k: v for k, v in request.environ.items() if k != "HTTP_RANGE"}
            response.make_conditional(
                environ, accept_ranges=True, complete_length=path.stat().st_size
            )
        else:
            response = send_file(
                path, mimetype=media_type(name), conditional=True, etag=True, max_age=YEAR
            )
    except RequestedRangeNotSatisfiable:
        # The error page would drop the Content-Range that tells the client the real length.
        response = current_app.response_class(
            "Der angefragte Bereich liegt außerhalb der Datei.\n",
            status=416,
            mimetype="text/plain",
        )
        response.headers["Content-Range"] = f"bytes */{path.stat().st_size}"
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["Accept-Ranges"] = "bytes"
    # Web players on other sites fetch transcripts and chapters: everything here is public.
    response.headers.update(CORS_HEADERS)
    return response


def _from_memory(name: str, storage: Storage) -> Response:
    """Serve the generated cover the media folder had no room for (a full disk), or 404."""
    data = unwritten_cover(name, storage)
    if data is None:
        abort(404)
    response = send_file(
        io.BytesIO(data),
        mimetype=media_type(name),
        conditional=True,
        etag=hashlib.sha256(data).hexdigest(),
        max_age=YEAR,
    )
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["Accept-Ranges"] = "bytes"
    response.headers.update(CORS_HEADERS)
    return response


def _ignores_range() -> bool:
    """Return whether the Range header is one to answer with the whole file (200).

    Werkzeug serves one byte range; for several ranges, a unit other than bytes or a header it
    cannot read it answers 416, which players take for a broken file. RFC 9110 lets a server
    ignore Range, so those get the whole file; one range past the end still gets 416.
    """
    header = request.headers.get("Range")
    if header is None:
        return False
    parsed = parse_range_header(header)
    return parsed is None or parsed.units != "bytes" or len(parsed.ranges) != 1


def _preflight() -> Response:
    """Answer CORS preflights (a Range request with several ranges is not "simple")."""
    response = current_app.response_class(status=204)
    response.headers.update(CORS_HEADERS)
    response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    requested = request.headers.get("Access-Control-Request-Headers")
    response.headers["Access-Control-Allow-Headers"] = requested or "Range"
    response.headers["Access-Control-Max-Age"] = "86400"
    response.headers["Allow"] = "GET, HEAD, OPTIONS"
    return response
