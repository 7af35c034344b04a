"""Shutdown (#10): SIGTERM lets requests in flight finish, then the process exits.

Real processes: `audionews serve` (waitress, embedded worker) and `audionews worker` (Celery).
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from audionews import create_app
from audionews.db import db
from tests.conftest import WorkerProcess, base_settings, make_token, worker_env
from tests.helpers import SHORT_ARTICLE
from tests.services import PrivateRedis, free_port, wait_http

MEDIA_NAME = "gross-0123456789ab-episode.mp3"
MEDIA_SIZE = 8 * 1024 * 1024

pytestmark = pytest.mark.slow


class Served:
    """An `audionews serve` process on a free port."""

    def __init__(self, tmp_path: Path, settings: dict[str, Any], *args: str) -> None:
        self.port = free_port()
        self.log_path = tmp_path / f"serve-{self.port}.log"
        self.log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "audionews", "serve", "--port", str(self.port), *args],
            env=worker_env(settings),
            cwd=tmp_path,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_http(self.port, self.proc)

    def term(self) -> float:
        self.proc.send_signal(signal.SIGTERM)
        return time.monotonic()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.log.close()


@pytest.fixture
def settings(tmp_path: Path) -> dict[str, Any]:
    return base_settings(tmp_path)


@pytest.fixture
def big_media(settings: dict[str, Any]) -> bytes:
    media = Path(settings["MEDIA_DIR"])
    media.mkdir(parents=True, exist_ok=True)
    data = bytes(range(256)) * (MEDIA_SIZE // 256)
    (media / MEDIA_NAME).write_bytes(data)
    return data


@pytest.fixture
def served(tmp_path: Path, settings: dict[str, Any]) -> Iterator[Served]:
    server = Served(tmp_path, settings, "--shutdown-timeout", "20")
    yield server
    server.close()


def slow_reader(port: int, path: str) -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
    sock.connect(("127.0.0.1", port))
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    return sock


def read_response(sock: socket.socket, first: bytes = b"", pause: float = 0.0) -> bytes:
    """Read an HTTP/1.1 answer with Content-Length to its end (slowly with `pause`)."""
    data = first
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
        time.sleep(pause)
    return head + b"\r\n\r\n" + body


def refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def test_a_download_in_flight_finishes_after_sigterm(served: Served, big_media: bytes) -> None:
    sock = slow_reader(served.port, f"/media/{MEDIA_NAME}")
    first = sock.recv(65536)
    assert first.startswith(b"HTTP/1.1 200")
    termed_at = served.term()
    time.sleep(1)
    assert refused(served.port), "new connections are still accepted after SIGTERM"
    answer = read_response(sock, first, pause=0.001)
    sock.close()
    body = answer.partition(b"\r\n\r\n")[2]
    assert len(body) == MEDIA_SIZE and body == big_media  # every byte arrived
    assert served.proc.wait(15) == 0
    print(f"\ndownload finished {time.monotonic() - termed_at:.1f} s after SIGTERM, exit 0")
    assert "audionews ist beendet." in served.output()


def test_a_slow_upload_in_flight_gets_its_answer(served: Served) -> None:
    body = b'{"title": "x"}' + b" " * 2000
    sock = socket.create_connection(("127.0.0.1", served.port))
    sock.sendall(
        b"POST /api/v1/articles HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body[:1000]
    )
    time.sleep(0.3)
    served.term()
    time.sleep(1)
    sock.sendall(body[1000:])
    answer = read_response(sock)
    sock.close()
    assert answer.startswith(b"HTTP/1.1 401")  # answered (no token), not cut off
    assert served.proc.wait(15) == 0


def test_the_wait_is_bounded(tmp_path: Path, settings: dict[str, Any], big_media: bytes) -> None:
    server = Served(tmp_path, settings, "--shutdown-timeout", "3")
    try:
        sock = slow_reader(server.port, f"/media/{MEDIA_NAME}")
        assert sock.recv(1024).startswith(b"HTTP/1.1 200")
        termed_at = server.term()  # and never read again
        assert server.proc.wait(30) == 0
        took = time.monotonic() - termed_at
        assert 2.5 < took < 15, took
        sock.close()
    finally:
        server.close()


def long_article(title: str) -> dict[str, Any]:
    body = "\n\n".join(
        f"Im Absatz {n} steht der Satz Nummer {n}. Er endet hier, und {n} weitere folgen."
        for n in range(1, 150)
    )
    return SHORT_ARTICLE | {"title": title, "body": body}


def api(port: int, method: str, path: str, token: str = "", json: Any = None) -> Any:
    import requests

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = requests.request(
        method, f"http://127.0.0.1:{port}{path}", json=json, headers=headers, timeout=30
    )
    return response.json()


def wait_for(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"{what} not within {timeout} s")


def temp_files(settings: dict[str, Any]) -> list[Path]:
    return list(Path(settings["MEDIA_DIR"]).rglob(".tmp-*"))


def test_the_embedded_worker_finishes_its_render(tmp_path: Path, settings: dict[str, Any]) -> None:
    app = create_app(settings)
    token = make_token(app)
    with app.app_context():
        db.engine.dispose()
    server = Served(tmp_path, settings, "--shutdown-timeout", "60")
    try:
        created = api(server.port, "POST", "/api/v1/articles", token, long_article("Lang 1"))
        job = created["job"]
        wait_for(
            lambda: api(server.port, "GET", f"/api/v1/jobs/{job}")["status"] == "rendering",
            60,
            "rendering",
        )
        server.term()
        assert server.proc.wait(90) == 0
    finally:
        server.close()
    with app.app_context():
        from audionews.models import Job

        row = db.session.get(Job, job)
        assert row.status == "ready", (row.status, row.error)
        assert len(row.article.renditions) == 1
        db.engine.dispose()
    assert not temp_files(settings)


def test_an_unfinished_render_is_queued_again(tmp_path: Path, settings: dict[str, Any]) -> None:
    app = create_app(settings)
    token = make_token(app)
    server = Served(tmp_path, settings, "--shutdown-timeout", "0.5")
    try:
        created = api(server.port, "POST", "/api/v1/articles", token, long_article("Lang 2"))
        job = created["job"]
        wait_for(
            lambda: api(server.port, "GET", f"/api/v1/jobs/{job}")["status"] == "rendering",
            60,
            "rendering",
        )
        server.term()
        assert server.proc.wait(30) == 0
        assert "queued again" in server.output()
    finally:
        server.close()
    with app.app_context():
        from audionews.models import Job

        row = db.session.get(Job, job)
        assert row.status == "queued", row.status  # not "rendering" until the stale limit
        db.session.remove()
    again = Served(tmp_path, settings)
    try:
        wait_for(
            lambda: api(again.port, "GET", f"/api/v1/jobs/{job}")["status"] == "ready",
            120,
            "ready after the restart",
        )
    finally:
        again.term()
        again.proc.wait(60)
        again.close()
    with app.app_context():
        from audionews.models import Job

        row = db.session.get(Job, job)
        assert len(row.article.renditions) == 1
        db.engine.dispose()


def test_a_celery_worker_warm_shutdown_leaves_nothing_half_done(
    tmp_path: Path, own_redis: PrivateRedis
) -> None:
    """SIGTERM: the running render finishes; queued jobs stay queued for the next worker."""
    settings = base_settings(tmp_path, BROKER_URL=own_redis.url)
    app = create_app(settings)
    app.config["TESTING"] = True
    auth = {"Authorization": f"Bearer {make_token(app)}"}
    client = app.test_client()
    worker = WorkerProcess(settings, tmp_path / "worker.log")
    try:
        worker.wait_ready(app.extensions["celery"])
        jobs = [
            client.post(
                "/api/v1/articles", json=long_article(f"Lang {n}"), headers=auth
            ).get_json()["job"]
            for n in range(4)
        ]
        wait_for(
            lambda: client.get(f"/api/v1/jobs/{jobs[0]}").get_json()["status"] == "rendering",
            60,
            "rendering",
        )
        worker.proc.send_signal(signal.SIGTERM)
        assert worker.proc.wait(120) == 0
        states = [client.get(f"/api/v1/jobs/{job}").get_json()["status"] for job in jobs]
        assert "rendering" not in states and "failed" not in states, states
        assert states[0] == "ready"
        assert not temp_files(settings)
    finally:
        worker.stop()
    # The next worker renders the rest from the queue at once (no sweeper: it runs hourly here).
    second = WorkerProcess(settings, tmp_path / "worker2.log")
    try:
        second.wait_ready(app.extensions["celery"])
        wait_for(
            lambda: all(
                client.get(f"/api/v1/jobs/{job}").get_json()["status"] == "ready" for job in jobs
            ),
            180,
            "all ready",
        )
    finally:
        second.stop()
    with app.app_context():
        from audionews.models import Rendition

        assert db.session.query(Rendition).count() == len(jobs)  # each rendered once
        db.engine.dispose()
