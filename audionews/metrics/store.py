"""Where the counters of every process of a deployment add up.

`/metrics` is answered by one web process, but renders run in Celery worker processes (and
gunicorn runs several web processes), so a counter kept in a process's memory would show only
that process's share, and forget it at every restart. The counters live where every process
reaches them:

- `RedisStore`: the broker's Redis (one hash per metric; HINCRBYFLOAT is atomic), for a
  deployment with `AUDIONEWS_BROKER_URL=redis://…`, across processes and hosts;
- `SQLiteStore`: a small SQLite file in the embedded queue folder (`AUDIONEWS_QUEUE_DIR`), which
  `audionews serve` and the commands that render beside it (`import --wait`) share.

A series is (metric, labels as canonical JSON) -> value.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Protocol

import redis

from .. import shared_redis

log = logging.getLogger(__name__)

Series = tuple[str, str, float]  # metric, labels JSON, amount


def labels_key(labels: Mapping[str, str]) -> str:
    """Return the canonical JSON of a label set."""
    return json.dumps(dict(sorted(labels.items())), separators=(",", ":"), ensure_ascii=False)


class Store(Protocol):
    def add(self, series: Iterable[Series]) -> None:
        """Add each amount to its series."""
        ...

    def read(self, metrics: Iterable[str]) -> dict[str, dict[str, float]]:
        """Return metric -> labels JSON -> value for the named metrics."""
        ...


class NullStore:
    """Counts nothing (engines built outside an app, e.g. in a benchmark)."""

    def add(self, series: Iterable[Series]) -> None:
        return None

    def read(self, metrics: Iterable[str]) -> dict[str, dict[str, float]]:
        return {}


class RedisStore:
    def __init__(self, client: redis.Redis, prefix: str = shared_redis.PREFIX + "metrics:") -> None:
        self.client = client
        self.prefix = prefix

    def add(self, series: Iterable[Series]) -> None:
        pipe = self.client.pipeline(transaction=False)
        for metric, labels, amount in series:
            pipe.hincrbyfloat(self.prefix + metric, labels, amount)
        pipe.execute()

    def read(self, metrics: Iterable[str]) -> dict[str, dict[str, float]]:
        names = list(metrics)
        pipe = self.client.pipeline(transaction=False)
        for name in names:
            pipe.hgetall(self.prefix + name)
        values: dict[str, dict[str, float]] = {}
        for name, found in zip(names, pipe.execute(), strict=True):
            values[name] = {k.decode(): float(v) for k, v in found.items()}
        return values


class SQLiteStore:
    """Counters in a SQLite file, safe for several processes and threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid = 0

    def _connection(self) -> sqlite3.Connection:
        # Call with _lock held. A connection must not cross a fork.
        if self._conn is None or self._pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=5, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")  # counters may lose a moment at a crash
            conn.execute(
                "CREATE TABLE IF NOT EXISTS series (metric TEXT NOT NULL, labels TEXT NOT NULL,"
                " value REAL NOT NULL, PRIMARY KEY (metric, labels))"
            )
            conn.commit()
            self._conn, self._pid = conn, os.getpid()
        return self._conn

    def add(self, series: Iterable[Series]) -> None:
        rows = list(series)
        with self._lock:
            conn = self._connection()
            with conn:
                conn.executemany(
                    "INSERT INTO series (metric, labels, value) VALUES (?, ?, ?) "
                    "ON CONFLICT (metric, labels) DO UPDATE SET value = value + excluded.value",
                    rows,
                )

    def read(self, metrics: Iterable[str]) -> dict[str, dict[str, float]]:
        names = list(metrics)
        values: dict[str, dict[str, float]] = {name: {} for name in names}
        if not names:
            return values
        marks = ",".join("?" * len(names))
        with self._lock:
            rows = (
                self._connection()
                .execute(
                    f"SELECT metric, labels, value FROM series WHERE metric IN ({marks})", names
                )
                .fetchall()
            )
        for metric, labels, value in rows:
            values[metric][labels] = float(value)
        return values


METRICS_FILE = "metrics.sqlite3"

_stores: dict[str, Store] = {}
_lock = threading.Lock()


def store_for(settings: Mapping[str, object]) -> Store:
    """Return the store every process of this deployment writes to (one per process)."""
    broker = str(settings.get("BROKER_URL") or "")
    queue_dir = str(settings.get("QUEUE_DIR") or "")
    if shared_redis.is_redis(broker):
        key = broker
    elif queue_dir:
        key = str(Path(queue_dir) / METRICS_FILE)
    else:
        return NullStore()
    with _lock:
        if key not in _stores:
            if shared_redis.is_redis(broker):
                _stores[key] = RedisStore(shared_redis.client(broker))
            else:
                _stores[key] = SQLiteStore(Path(key))
        return _stores[key]
