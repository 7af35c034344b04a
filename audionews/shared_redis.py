"""One Redis client per broker URL and process, for what every process of a deployment shares.

The gTTS budget, the engines' circuit breakers and the metrics live in the broker's Redis when
the broker is Redis (`AUDIONEWS_BROKER_URL=redis://…`); without one they stay in the process
(or, for metrics, in a file beside the embedded queue).
"""

from __future__ import annotations

import threading
from typing import Any

import redis

PREFIX = "audionews:"
# Short: a missing Redis must turn into a sentence or a fallback, not a hanging request; long
# enough for a busy machine, where a process may wait seconds for a core.
TIMEOUT = 5.0

_clients: dict[str, redis.Redis] = {}
_lock = threading.Lock()


def is_redis(url: str) -> bool:
    return url.startswith(("redis://", "rediss://", "unix://"))


def client(url: str) -> redis.Redis:
    """Return the shared client for `url` (redis-py's pool reconnects after a fork)."""
    with _lock:
        found = _clients.get(url)
        if found is None:
            found = _clients[url] = redis.Redis.from_url(
                url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT
            )
        return found


def for_settings(settings: dict[str, Any]) -> redis.Redis | None:
    """Return the broker's Redis, or None when the broker is not Redis (embedded mode)."""
    url = str(settings.get("BROKER_URL") or "")
    return client(url) if is_redis(url) else None
