"""For load balancers, orchestrators and Prometheus: /healthz, /readyz and /metrics."""

from __future__ import annotations

import hmac
import ipaddress
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import redis
from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .. import shared_redis
from ..db import db
from ..metrics import exposition
from ..render.storage import out_of_space

bp = Blueprint("health", __name__)

# Headers a reverse proxy adds: a request carrying one came from elsewhere, even over loopback.
PROXY_HEADERS = (
    "X-Forwarded-For",
    "X-Forwarded-Proto",
    "X-Forwarded-Host",
    "Forwarded",
    "X-Real-IP",
)
# The text format every Prometheus reads (version 1.0.0 of prometheus-client's is the same text).
PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"
METRICS_REFUSED = (
    "Die Metriken sind nur direkt von diesem Rechner aus lesbar, oder mit dem Token aus "
    "AUDIONEWS_METRICS_TOKEN (Authorization: Bearer …)."
)


@bp.get("/healthz")
def healthz() -> Response:
    """Say that the process answers (nothing else is asked)."""
    return _no_store(jsonify(status="ok"))


def _database() -> str | None:
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except SQLAlchemyError as exc:
        db.session.rollback()
        return f"Die Datenbank ist nicht erreichbar ({_first_line(exc)})."
    return None


def _broker() -> str | None:
    settings = current_app.config["AUDIONEWS"]
    client = shared_redis.for_settings(settings)
    if client is not None:
        try:
            client.ping()
        except redis.RedisError as exc:
            return f"Der Broker (Redis) ist nicht erreichbar ({_first_line(exc)})."
        return None
    if settings["BROKER_URL"]:
        return None  # another broker than Redis: its connection is Celery's business
    folder = Path(settings["QUEUE_DIR"]) / "messages"
    problem = _writable(folder)
    return None if problem is None else f"Die Warteschlange {folder} ist {problem}."


def _media() -> str | None:
    root = current_app.extensions["storage"].root
    problem = _writable(Path(root))
    return None if problem is None else f"Der Medienordner {root} ist {problem}."


def _writable(folder: Path) -> str | None:
    """Return why no file can be written in `folder` (None: one can)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".tmp-ready-", dir=folder)
        try:
            os.write(fd, b"ok")
        finally:
            os.close(fd)
            os.unlink(name)
    except OSError as exc:
        if out_of_space(exc):
            return FULL
        return f"nicht beschreibbar ({exc.strerror or exc})"
    return None


# A full disk is a warning, not "not ready": pages, feeds and the last good audio are still
# served from it (a load balancer must keep sending listeners); renders wait for room.
FULL = "voll (kein freier Speicherplatz; Vertonungen warten, bis wieder Platz ist)"


CHECKS: dict[str, Callable[[], str | None]] = {
    "database": _database,
    "broker": _broker,
    "media": _media,
}


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Check database, broker and media folder; 503 names what is missing."""
    checks: dict[str, dict[str, Any]] = {}
    for name, check in CHECKS.items():
        problem = check()
        checks[name] = {"ok": problem is None, "message": problem or "in Ordnung"}
    full = ["media"] if FULL in checks["media"]["message"] else []
    missing = [name for name, result in checks.items() if not result["ok"] and name not in full]
    if not missing:
        warnings = {"warnings": [checks[name]["message"] for name in full]} if full else {}
        return _no_store(jsonify(ready=True, checks=checks, **warnings)), 200
    message = "Nicht bereit: " + " ".join(checks[name]["message"] for name in missing)
    body = jsonify(ready=False, missing=missing, checks=checks, message=message)
    body.headers["Retry-After"] = "5"
    return _no_store(body), 503


def _may_read_metrics() -> tuple[bool, int]:
    """Return whether this request may read /metrics, and the status to refuse with."""
    token = str(current_app.config["AUDIONEWS"]["METRICS_TOKEN"])
    if token:
        sent = request.headers.get("Authorization", "")
        if sent.startswith("Bearer ") and hmac.compare_digest(sent[7:].strip(), token):
            return True, 200
    if _is_loopback(request.remote_addr) and not any(h in request.headers for h in PROXY_HEADERS):
        return True, 200
    return False, 401 if token else 403


def _is_loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


@bp.get("/metrics")
def metrics() -> Response:
    """Return the deployment's metrics in Prometheus text format."""
    allowed, status = _may_read_metrics()
    if not allowed:
        refused = Response(METRICS_REFUSED + "\n", status, mimetype="text/plain")
        if status == 401:
            refused.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return _no_store(refused)
    body = exposition.render(current_app._get_current_object())  # type: ignore[attr-defined]
    return _no_store(Response(body, 200, content_type=PROMETHEUS_TEXT))


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def _first_line(exc: BaseException) -> str:
    reason = str(getattr(exc, "orig", None) or exc).strip()
    return reason.splitlines()[0] if reason else type(exc).__name__
