"""Request hygiene: refuse, with a German 400, what no view can take, before any view runs.

Each check removes a cause of 500s for every route at once:

- a NUL character in the path, the query string, a header, a form field or a text/JSON body
  (PostgreSQL refuses NUL in text, so the first query with it failed);
- a `Host` header that is no valid host name (a label over 63 characters makes Flask's URL
  building fail, and with it every page and feed);
- an id in a URL beyond what the database's integer columns hold (`int` in routes is bounded);
- and, as the last line, an error while answering an error: a German 500 with the security
  headers instead of the WSGI server's bare page.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import Flask, current_app, request
from werkzeug.routing import IntegerConverter, Map

from .errors import ApiError

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])

# PostgreSQL's INTEGER, the type of every id column: a larger id cannot exist.
MAX_ID = 2**31 - 1
BAD_HOST = "audionews.bad_host"
NUL_MESSAGE = "Die Anfrage enthält ein Nullzeichen (NUL); das ist in keinem Feld erlaubt."
HOST_MESSAGE = (
    "Der Host-Kopf der Anfrage ist kein gültiger Rechnername "
    "(höchstens 63 Zeichen je Namensteil, 253 insgesamt; nur Buchstaben, Ziffern, - und _)."
)
_LABEL = re.compile(r"[A-Za-z0-9_-]{1,63}")
_PORT = re.compile(r"[0-9]{1,5}")
_FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}
_TEXT_TYPES = {"application/json", ""}


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` in routes, never above MAX_ID: a larger number is a 404, not a failed query."""

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = None,
        signed: bool = False,
    ) -> None:
        # An explicit max above what the columns hold (such as 2**63-1) is bounded too.
        bounded = MAX_ID if max is None or max > MAX_ID else max
        super().__init__(map, fixed_digits, min, bounded, signed)


def parse_id(value: str) -> int | None:
    """Return `value` as a database id, or None if it is none (not digits, or beyond MAX_ID)."""
    if not value.isascii() or not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def valid_host(value: str) -> bool:
    """Return whether `value` is a Host header Flask can build URLs with (name or IP, port)."""
    if value.startswith("["):
        literal, bracket, rest = value[1:].partition("]")
        if not bracket:
            return False
        try:
            ipaddress.IPv6Address(literal)
        except ValueError:
            return False
        return rest in {"", ":"} or (rest.startswith(":") and _valid_port(rest[1:]))
    name, colon, port = value.partition(":")
    if colon and port and not _valid_port(port):
        return False
    name = name[:-1] if name.endswith(".") else name
    if not name or len(name) > 253:
        return False
    return all(_LABEL.fullmatch(label) for label in name.split("."))


def _valid_port(port: str) -> bool:
    return bool(_PORT.fullmatch(port)) and int(port) <= 65535


def _has_nul(values: Iterable[str]) -> bool:
    return any("\x00" in value for value in values)


def _json_has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_json_has_nul(k) or _json_has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_json_has_nul(item) for item in value)
    return False


def nul_field() -> str | None:
    """Return where the current request carries a NUL ("path", a field name, …), or None."""
    if "\x00" in request.path:
        return "path"
    for key, value in request.args.items(multi=True):
        if "\x00" in key or "\x00" in value:
            return key.replace("\x00", "") or "query"
    if _has_nul(f"{name}{value}" for name, value in request.headers.items()):
        return "headers"
    mimetype = request.mimetype
    if mimetype in _FORM_TYPES:
        for key, value in request.form.items(multi=True):
            if "\x00" in key or "\x00" in value:
                return key.replace("\x00", "") or "form"
        return None
    if mimetype in _TEXT_TYPES or mimetype.startswith("text/") or mimetype.endswith("+json"):
        data = request.get_data()  # cached: the view reads the same bytes again
        if b"\x00" in data:
            return "body"
        if b"\\u0000" in data and mimetype != "" and "json" in mimetype:
            try:
                if _json_has_nul(json.loads(data)):
                    return "body"
            except (ValueError, RecursionError):
                return None  # not JSON at all: the view says so in its own words
    return None


def allow_body(limit: Callable[[dict[str, Any]], int]) -> Callable[[F], F]:
    """Let a view take a body up to `limit(settings)` bytes instead of MAX_CONTENT_LENGTH.

    For forms that must keep an editor's text when it is too long: the view then says so
    itself, with the text still in the form, instead of a bare 413 that loses it.
    """

    def mark(view: F) -> F:
        view.body_limit = limit  # type: ignore[attr-defined]
        return view

    return mark


def _raise_body_limit() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    limit = getattr(view, "body_limit", None)
    if limit is not None:
        size = int(limit(current_app.config["AUDIONEWS"]))
        request.max_content_length = size
        request.max_form_memory_size = size


def check_request() -> None:
    """Refuse a bad Host or a NUL anywhere in the request with a German 400."""
    _raise_body_limit()  # before anything reads the body
    if request.environ.get(BAD_HOST) is not None:
        raise ApiError(400, "invalid_host", HOST_MESSAGE)
    field = nul_field()
    if field is not None:
        raise ApiError(400, "invalid_character", NUL_MESSAGE, field)


WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class RequestGuard:
    """WSGI wrapper: park a bad Host for `check_request`; answer any escaped error itself."""

    def __init__(self, wsgi_app: WsgiApp, last_resort: Callable[[], list[tuple[str, str]]]):
        self.wsgi_app = wsgi_app
        self.headers = last_resort

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        host = environ.get("HTTP_HOST")
        if host is not None and not valid_host(host):
            # Flask builds its URL adapter from the Host before any hook runs; with a name
            # it cannot encode there is no adapter, and even the error page fails.
            environ[BAD_HOST] = host
            environ["HTTP_HOST"] = "localhost"
        # The status is passed on only once the app has returned: an error after Flask
        # started its answer (in a teardown) can still replace it.
        started: list[tuple[Any, ...]] = []

        def delay_start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            started[:] = [(status, headers)]
            return _no_write

        try:
            result = self.wsgi_app(environ, delay_start)
        except Exception:
            log.exception("error while answering %s", environ.get("PATH_INFO"))
            body = LAST_RESORT_PAGE.encode("utf-8")
            headers = [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(body))),
                *self.headers(),
            ]
            start_response("500 INTERNAL SERVER ERROR", headers)
            return [body]
        start_response(*started[0])
        return result


def _no_write(_data: bytes) -> None:
    raise RuntimeError("the write() callable of WSGI is not supported behind RequestGuard")


LAST_RESORT_PAGE = """<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>Interner Fehler – audionews</title></head>
<body><h1>Ein interner Fehler ist aufgetreten.</h1>
<p>Fehler 500. Bitte später erneut versuchen. <a href="/">Zur Startseite</a></p></body></html>
"""


def init_hygiene(app: Flask, security_headers: Callable[[], dict[str, str]]) -> None:
    """Install the checks on `app`: before any blueprint registers routes or hooks."""
    app.url_map.converters["int"] = BoundedIntConverter
    # First of all before_request hooks: CSRF and the login's user lookup read the form.
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)
    app.wsgi_app = RequestGuard(  # type: ignore[method-assign]
        app.wsgi_app, lambda: list(security_headers().items())
    )
