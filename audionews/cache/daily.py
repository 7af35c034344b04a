"""The workers' own prune: once a day for the whole deployment, whichever worker comes first.

The media folder is shared by every process, so a marker file in it (`.prune-<date>`, created
exclusively) lets one worker per day win. A prune that had to leave the cache alone (a render was
running) gives the day back, so another worker tries again an hour later.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

from flask import Flask

from .prune import Report, prune

log = logging.getLogger(__name__)

MARKER = ".prune-"


def maybe_prune(app: Flask, today: dt.date | None = None) -> Report | None:
    """Prune unless CACHE_PRUNE is off or another process pruned today; return the report."""
    if not app.config["AUDIONEWS"]["CACHE_PRUNE"]:
        return None
    root = Path(app.extensions["storage"].root)
    day = (today or dt.date.today()).isoformat()
    marker = root / f"{MARKER}{day}"
    try:
        root.mkdir(parents=True, exist_ok=True)
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
    except FileExistsError:
        return None  # done today, by this or another process
    for old in root.glob(f"{MARKER}*"):
        if old != marker:
            old.unlink(missing_ok=True)
    try:
        report = prune(app)
    except BaseException:
        marker.unlink(missing_ok=True)  # try again at the next round
        raise
    if report.cache_skipped:
        marker.unlink(missing_ok=True)
    return report
