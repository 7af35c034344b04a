"""`audionews serve`'s HTTP server: waitress, stopped gracefully by SIGTERM or Ctrl+C.

On the signal the server stops accepting connections, lets the requests in flight finish
(their answers are sent to the end, a download included), closes idle keep-alive connections
and gives up after `grace` seconds at most. Then the embedded worker stops: its running render
finishes within what is left of the time, or its job is queued again for the next start.
Waitress's own `run()` would stop its loop at once on SystemExit, and answers already computed
would never be sent.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from types import FrameType
from typing import Any, Protocol

from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer

log = logging.getLogger(__name__)

LOOP_SECONDS = 0.2  # how soon a signal is noticed


class Stoppable(Protocol):
    def stop(self, timeout: float = ...) -> list[int]: ...


class GracefulServer:
    """Run a waitress server (from `waitress.create_server`) until a signal, then drain it."""

    def __init__(self, server: Any, grace: float, worker: Stoppable | None = None) -> None:
        self.server = server
        self.grace = grace
        self.worker = worker
        # A MultiSocketServer (several addresses) keeps its map in `map`, a single one in `_map`.
        self.map: dict[int, Any] = getattr(server, "map", None) or server._map
        self.stopping = threading.Event()
        self.unfinished: list[int] = []  # jobs the worker had to leave (queued again)

    def request_stop(self, signum: int | None = None, _frame: FrameType | None = None) -> None:
        if signum is not None:
            log.warning("signal %s: finishing requests in flight, then stopping", signum)
        self.stopping.set()

    def run(self) -> list[int]:
        """Serve until stopped; return once drained (or the grace period is over).

        Return the jobs the worker could not finish in time: their renders still run in
        daemon threads, and the caller must end the process at once (see `cli.serve`).
        """
        previous = {
            sig: signal.signal(sig, self.request_stop) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            while not self.stopping.is_set():
                self._poll(LOOP_SECONDS)
            deadline = time.monotonic() + self.grace
            stopper = None
            if self.worker is not None:  # takes no new job from now on, beside the draining
                worker = self.worker
                stopper = threading.Thread(
                    target=lambda: self.unfinished.extend(worker.stop(timeout=self.grace)),
                    daemon=True,
                )
                stopper.start()
            self._stop_listening()
            self._drain(deadline)
            self.server.task_dispatcher.shutdown(
                cancel_pending=True, timeout=max(0.1, deadline - time.monotonic())
            )
            wasyncore.close_all(self.map)
            if stopper is not None:
                stopper.join(max(0.0, deadline - time.monotonic()) + 5)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return self.unfinished

    def _poll(self, timeout: float) -> None:
        use_poll = bool(self.server.adj.asyncore_use_poll)
        wasyncore.loop(timeout=timeout, map=self.map, use_poll=use_poll, count=1)

    def _stop_listening(self) -> None:
        for item in list(self.map.values()):
            if isinstance(item, BaseWSGIServer):
                item.accepting = False
                # Close the listening socket only: the server's trigger still wakes the loop
                # when a request thread has output.
                wasyncore.dispatcher.close(item)

    def busy(self) -> bool:
        """Return whether a connection has a request in flight or unsent output; close idle ones."""
        busy = False
        for item in list(self.map.values()):
            if not isinstance(item, HTTPChannel):
                continue
            if item.requests or item.total_outbufs_len or item.request is not None:
                busy = True
            else:
                item.will_close = True  # an idle keep-alive connection
        return busy

    def _drain(self, deadline: float) -> None:
        while self.busy():
            if time.monotonic() >= deadline:
                log.warning("stopping with requests still in flight (grace period over)")
                return
            self._poll(LOOP_SECONDS)
        self._poll(0)  # let idle connections close


def serve(server: Any, grace: float, worker: Stoppable | None = None) -> list[int]:
    """Serve with `server` until SIGTERM/SIGINT, then stop gracefully within `grace` s.

    Return the ids of the jobs the worker left unfinished (queued again).
    """
    return GracefulServer(server, grace, worker).run()
