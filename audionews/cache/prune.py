"""`audionews cache prune`: remove cached entries and published files nothing needs any more.

What stays is decided by `cache.needs` (current renditions, recent ones, superseded ones' files
for a grace period). Besides that, nothing modified in the last `min_age` seconds is removed: a
render that is running writes segments, chunks and files before its rendition row exists. And
cached entries are left alone while a render runs (it may be about to read an old entry it found
in the cache), while a day's briefing is being built, or while a kept rendition has no record of
its entries.

A cache entry is every file of its key in the fan-out folder (`<key>.pcm`, `<key>.mp3` and any
record kept beside it, such as a chunk's loudness `<key>.lvl`): they go together.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from .. import metrics
from ..db import db
from ..models import Job, JobStatus, NewsDay, utcnow
from ..render.renderer import KINDS
from ..render.storage import TEMP_PREFIX, Storage
from ..render.transcripts import SIDECAR_FILES, SIDECAR_KINDS
from . import usage as cache_usage
from .needs import Needs, Policy, needed
from .usage import entry_kind

log = logging.getLogger(__name__)

MIN_AGE = 3600.0


def _rendition_file_pattern() -> re.Pattern[str]:
    """Match the names renders publish: <slug>-<12 hex>-<kind>.<ext> (nothing else is touched)."""
    tails = [f"{kind}.mp3" for kind in KINDS]
    for kind in SIDECAR_KINDS:
        prefix = "" if kind == "episode" else f"{kind}-"
        tails += [prefix + name for name in SIDECAR_FILES.values()]
    alternatives = "|".join(re.escape(tail) for tail in sorted(set(tails)))
    return re.compile(rf"^.+-[0-9a-f]{{12}}-(?:{alternatives})$")


RENDITION_FILE = _rendition_file_pattern()


@dataclass
class Report:
    removed_files: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    removed_bytes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    kept_files: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    cache_skipped: str = ""  # why cached entries were left alone ("" = they were pruned)
    dry_run: bool = False
    size_after: int = 0

    @property
    def freed(self) -> int:
        return sum(self.removed_bytes.values())

    def lines(self) -> list[str]:
        """Return the report in German, for the command line and the log."""
        names = {"segments": "Segmente", "chunks": "Chunks", "published": "veröffentlichte Dateien"}
        parts = [
            f"{self.removed_files.get(kind, 0)} {label} ({human(self.removed_bytes.get(kind, 0))})"
            for kind, label in names.items()
        ]
        verb = "Würde entfernen" if self.dry_run else "Entfernt"
        lines = [f"{verb}: {', '.join(parts)} – {human(self.freed)} frei."]
        if self.cache_skipped:
            lines.append(f"Zwischengespeicherte Bausteine nicht bereinigt: {self.cache_skipped}")
        lines.append(f"Der Medienordner belegt jetzt {human(self.size_after)}.")
        return lines


def human(size: float) -> str:
    """Return a size the German way: 1,5 MB."""
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            text = f"{size:.0f}" if unit == "B" else f"{size:.1f}"
            return f"{text.replace('.', ',')} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


def prune(
    app: Flask,
    *,
    keep_days: float | None = None,
    grace_days: float | None = None,
    min_age: float = MIN_AGE,
    dry_run: bool = False,
) -> Report:
    """Remove what no current or recent rendition needs; return what was freed."""
    settings = app.config["AUDIONEWS"]
    storage: Storage = app.extensions["storage"]
    keep = settings["CACHE_KEEP_DAYS"] if keep_days is None else keep_days
    grace = settings["MEDIA_GRACE_DAYS"] if grace_days is None else grace_days
    report = Report(dry_run=dry_run)
    with app.app_context():
        needs = needed(Policy.of(keep, grace))
        report.cache_skipped = _why_not_the_cache(needs, settings["JOB_STALE_SECONDS"])
    young = time.time() - min_age
    _prune_published(storage, needs, young, report)
    if not report.cache_skipped:
        _prune_entries(storage, needs, young, report)
    cache_usage.forget(storage)
    report.size_after = cache_usage.usage(storage).total_bytes
    if not dry_run:
        sink = app.extensions["metrics"]
        sink.inc(metrics.PRUNES)
        for kind, nbytes in report.removed_bytes.items():
            sink.inc(metrics.PRUNED_BYTES, nbytes, kind=kind)
    for line in report.lines():
        log.info("cache prune: %s", line)
    return report


def _why_not_the_cache(needs: Needs, stale_seconds: float) -> str:
    if needs.unrecorded:
        return (
            f"{needs.unrecorded} Fassungen wurden vertont, bevor audionews festhielt, woraus sie "
            "bestehen. Nach „audionews render --all --wait“ kann bereinigt werden."
        )
    since = utcnow() - timedelta(seconds=stale_seconds)
    running = db.session.scalar(
        select(func.count())
        .select_from(Job)
        .where(Job.status == JobStatus.RENDERING, Job.updated_at > since)
    )
    building = db.session.scalar(
        select(func.count()).select_from(NewsDay).where(NewsDay.building_since > since)
    )
    if building:
        return "Gerade entsteht eine Sendung des Tages; bitte später erneut."
    if running == 1:
        return "Gerade läuft eine Vertonung; bitte später erneut."
    if running:
        return f"Gerade laufen {running} Vertonungen; bitte später erneut."
    return ""


def _prune_published(storage: Storage, needs: Needs, young: float, report: Report) -> None:
    for entry in _entries(storage.root):
        name = entry.name
        if name.startswith((".", TEMP_PREFIX)) or not RENDITION_FILE.match(name):
            continue  # covers, other features' files, temporary files: not the prune's
        if not entry.is_file(follow_symlinks=False):
            continue
        if name in needs.files or _mtime(entry) > young:
            report.kept_files["published"] += 1
            continue
        report.removed_bytes["published"] += _remove([Path(entry.path)], report.dry_run)
        report.removed_files["published"] += 1


def _prune_entries(storage: Storage, needs: Needs, young: float, report: Report) -> None:
    wanted = needs.segments | needs.chunks
    for folder in _entries(storage.segments_dir):
        if not folder.is_dir(follow_symlinks=False):
            continue
        groups: dict[str, list[os.DirEntry[str]]] = defaultdict(list)
        kinds: dict[str, str] = {}
        for entry in _entries(Path(folder.path)):
            found = entry_kind(entry.name)
            if found is None:
                continue
            key, kind, main = found
            groups[key].append(entry)
            if main or key not in kinds:
                kinds[key] = kind
        for key, files in groups.items():
            kind = kinds[key]
            if key in wanted or max(_mtime(f) for f in files) > young:
                report.kept_files[kind] += 1
                continue
            report.removed_bytes[kind] += _remove([Path(f.path) for f in files], report.dry_run)
            report.removed_files[kind] += 1


def _remove(paths: list[Path], dry_run: bool) -> int:
    freed = 0
    for path in paths:
        try:
            size = path.stat().st_size
            if not dry_run:
                path.unlink()
            freed += size
        except FileNotFoundError:
            continue  # another prune or a replaced entry got there first
    return freed


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except (FileNotFoundError, NotADirectoryError):
        return []


def _mtime(entry: os.DirEntry[str]) -> float:
    try:
        return entry.stat(follow_symlinks=False).st_mtime
    except FileNotFoundError:
        return float("inf")  # gone or replaced: certainly not old
