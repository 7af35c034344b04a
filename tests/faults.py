"""Fault injection for tests: a TCP proxy in front of a server that a test can cut and restore;
a small tmpfs that a test fills up (a full disk).

The app and the workers connect to the proxy instead of the server. `cut()` resets every open
connection and refuses new ones (as a crashed database host or a failover does); `restore()`
lets connections through again. Threads and sockets only; it listens on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import socket
import struct
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url


def _reset(sock: socket.socket) -> None:
    """End the connection of `sock` at once, waking any thread blocked on it.

    shutdown() comes first: on Linux a close() alone neither wakes a thread blocked in recv()
    on the socket nor ends the connection while that thread holds it, so a query in flight
    would wait forever instead of failing.
    """
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class TcpProxy:
    """Forward 127.0.0.1:`port` to `target`; `cut()` and `restore()` simulate an outage."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.listener.settimeout(0.1)
        self.port = int(self.listener.getsockname()[1])
        self.cut_event = threading.Event()
        self.closed = threading.Event()
        self.lock = threading.Lock()
        self.open: set[socket.socket] = set()
        self.refused = 0  # connections refused while cut
        self.thread = threading.Thread(target=self._accept, name="tcp-proxy", daemon=True)

    @classmethod
    def for_url(cls, url: str) -> tuple[TcpProxy, str]:
        """Return a started proxy in front of the database of `url`, and the URL through it."""
        parsed = make_url(url)
        proxy = cls(parsed.host or "127.0.0.1", parsed.port or 5432).start()
        through = parsed.set(host="127.0.0.1", port=proxy.port)
        return proxy, through.render_as_string(hide_password=False)

    def start(self) -> TcpProxy:
        self.thread.start()
        return self

    def cut(self) -> None:
        """Reset every open connection and refuse new ones until `restore()`."""
        self.cut_event.set()
        with self.lock:
            sockets, self.open = self.open, set()
        for sock in sockets:
            _reset(sock)

    def restore(self) -> None:
        self.cut_event.clear()

    @contextmanager
    def outage(self) -> Iterator[None]:
        self.cut()
        try:
            yield
        finally:
            self.restore()

    def close(self) -> None:
        self.closed.set()
        self.cut()
        self.thread.join(5)
        self.listener.close()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                client, _addr = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self.cut_event.is_set():
                self.refused += 1
                _reset(client)
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _reset(client)
                client.close()
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self.lock:
                self.open.update((client, upstream))
            if self.cut_event.is_set():  # cut while this one was being connected
                _reset(client)
                _reset(upstream)
            pair = _Pair(client, upstream)
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(pair, src, dst), daemon=True).start()

    def _pump(self, pair: _Pair, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with self.lock:
                self.open.discard(src)
                self.open.discard(dst)
            for sock in (src, dst):  # wakes the other direction's recv()
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            pair.ended()


class _Pair:
    """Both sockets of one proxied connection; closed when both directions have ended."""

    def __init__(self, client: socket.socket, upstream: socket.socket) -> None:
        self.sockets = (client, upstream)
        self.lock = threading.Lock()
        self.running = 2

    def ended(self) -> None:
        with self.lock:
            self.running -= 1
            last = self.running == 0
        if last:  # closing earlier could hand the number to a new socket while in use
            for sock in self.sockets:
                sock.close()


class SmallDisk:
    """A small tmpfs mounted for a test: `fill()` makes it a full disk, `free()` undoes that."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.filler = path / "filler.bin"

    def free_bytes(self) -> int:
        stats = os.statvfs(self.path)
        return stats.f_bavail * stats.f_frsize

    def fill(self) -> None:
        """Write the filler until the filesystem refuses another byte."""
        with open(self.filler, "ab", buffering=0) as handle:
            for block in (1 << 20, 1 << 12, 1):
                try:
                    while True:
                        handle.write(bytes(block))
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
        assert self.free_bytes() == 0

    def free(self) -> None:
        self.filler.unlink(missing_ok=True)


@contextmanager
def small_disk(path: Path, size: str = "32m") -> Iterator[SmallDisk]:
    """Mount a tmpfs of `size` at `path` (root only: skip with the reason elsewhere)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("a full disk is a small tmpfs, and only root may mount one (CI runs as root)")
    mount, umount = shutil.which("mount"), shutil.which("umount")
    if mount is None or umount is None:
        pytest.skip("mount/umount are not installed: no tmpfs for a full disk")
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [mount, "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs for a full disk here: {done.stderr.strip()}")
    try:
        yield SmallDisk(path)
    finally:
        if subprocess.run([umount, str(path)], capture_output=True, check=False).returncode:
            subprocess.run([umount, "-l", str(path)], capture_output=True, check=False)
