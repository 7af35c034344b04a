"""Engine registry: names in settings -> engine factories."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from .base import Engine

Factory = Callable[[dict[str, Any]], Engine]

_factories: dict[str, Factory] = {}
_lock = threading.Lock()


class UnknownEngine(ValueError):
    """No engine is registered under this name."""


def register(name: str, factory: Factory) -> None:
    """Make `create(name, settings)` call `factory(settings)`; a later call replaces it."""
    with _lock:
        _factories[name.strip().lower()] = factory


def names() -> list[str]:
    """Return the registered engine names, sorted."""
    with _lock:
        return sorted(_factories)


def create(name: str, settings: dict[str, Any]) -> Engine:
    """Build the engine registered as `name` (case and spaces ignored) from `settings`."""
    key = name.strip().lower()
    with _lock:
        factory = _factories.get(key)
        known = sorted(_factories)
    if factory is None:
        raise UnknownEngine(
            f"unbekannte TTS-Engine {name!r}; bekannt sind: {', '.join(known) or '(keine)'}"
        )
    return factory(settings)
