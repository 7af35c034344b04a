"""Bearer tokens for the write API."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import g, request

from ..models import ApiToken
from .errors import ApiError

F = TypeVar("F", bound=Callable[..., Any])


def _bearer() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def has_valid_token() -> bool:
    """Return whether the request carries a valid token (for reads that show more with one)."""
    token = _bearer()
    return bool(token) and ApiToken.find(token) is not None


def token_required(view: F) -> F:
    """Refuse the request with 401 unless it carries a valid `Authorization: Bearer` token."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        token = _bearer()
        if not token:
            raise ApiError(401, "unauthorized", "Ein API-Token fehlt (Authorization: Bearer …).")
        row = ApiToken.find(token)
        if row is None:
            raise ApiError(401, "unauthorized", "Das API-Token ist ungültig oder widerrufen.")
        g.api_token = row
        return view(*args, **kwargs)

    return cast(F, wrapped)
