"""The back-office blueprint; every module of the package adds its routes to it."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("editor", __name__, url_prefix="/redaktion")

# Endpoints reachable without a login; everything else is refused by default.
PUBLIC_ENDPOINTS = {"editor.login"}
