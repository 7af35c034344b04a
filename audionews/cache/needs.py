"""What the media folder must keep: the "needed keys" of everything that is, or was just, live.

Each kind of output that is built from cached entries names what it was made of, and a provider
here turns those records into `Needs`. Renditions record their segment and chunk keys in
`Rendition.cache_keys`, daily briefings in `Briefing.cache_keys`; another kind of output records
its own and adds a provider with `register`. The prune deletes only what no provider needs.

The policy for renditions:
- the current rendition of every article (what pages and feeds serve): its files and entries;
- every rendition made in the last `keep_days`: its files and entries (a revision saved lately
  may be restored, and re-rendering it is then free);
- a superseded rendition's published files for `grace_days` after a newer one replaced it:
  feeds fetched earlier and podcast apps still link them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import groupby

from sqlalchemy import select

from ..db import db
from ..models import Briefing, Rendition, utcnow


@dataclass(frozen=True)
class Policy:
    now: datetime
    keep_days: float
    grace_days: float

    @property
    def keep_after(self) -> datetime:
        return self.now - timedelta(days=self.keep_days)

    @property
    def grace_after(self) -> datetime:
        return self.now - timedelta(days=self.grace_days)

    @classmethod
    def of(cls, keep_days: float, grace_days: float, now: datetime | None = None) -> Policy:
        return cls(now or utcnow(), keep_days, grace_days)


@dataclass
class Needs:
    files: set[str] = field(default_factory=set)  # published file names
    segments: set[str] = field(default_factory=set)  # segment cache keys
    chunks: set[str] = field(default_factory=set)  # MP3 chunk cache keys
    # Kept outputs that did not record their cache entries (made before the record existed):
    # while there are any, no cached entry can be known to be unneeded.
    unrecorded: int = 0

    def add(self, other: Needs) -> None:
        self.files |= other.files
        self.segments |= other.segments
        self.chunks |= other.chunks
        self.unrecorded += other.unrecorded


Provider = Callable[[Policy], Needs]
PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add `provider` to what every prune asks (usable as a decorator)."""
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)
    return provider


def needed(policy: Policy) -> Needs:
    """Return what every provider needs kept (call inside an app context)."""
    total = Needs()
    for provider in PROVIDERS:
        total.add(provider(policy))
    return total


@register
def rendition_needs(policy: Policy) -> Needs:
    """Return what the renditions need kept under `policy`."""
    rows = db.session.execute(
        select(
            Rendition.article_id,
            Rendition.files,
            Rendition.cache_keys,
            Rendition.created_at,
        ).order_by(Rendition.article_id, Rendition.revision, Rendition.id)
    ).all()
    needs = Needs()
    for _article, group in groupby(rows, key=lambda row: row.article_id):
        renditions = list(group)
        for number, row in enumerate(renditions):
            later = renditions[number + 1] if number + 1 < len(renditions) else None
            current = later is None  # the highest revision: what pages and feeds serve
            recent = row.created_at >= policy.keep_after
            in_grace = later is not None and later.created_at >= policy.grace_after
            if current or recent or in_grace:
                needs.files.update((row.files or {}).values())
            if not (current or recent):
                continue
            keys = row.cache_keys or {}
            if "segments" not in keys or "chunks" not in keys:
                needs.unrecorded += 1
                continue
            needs.segments.update(keys["segments"])
            needs.chunks.update(keys["chunks"])
    return needs


@register
def briefing_needs(policy: Policy) -> Needs:
    """Return the cached entries of the briefings that are live and from the last `keep_days`.

    A briefing's own files are the briefing job's to remove (it replaces them itself), and an
    article's part of it is that article's episode (kept with its rendition). Its cached entries
    (opening, closing, silences, converted articles) only make a rebuild cheap: a rebuild of an
    older day makes missing ones again, so a briefing without a record blocks nothing.
    """
    rows = db.session.execute(
        select(Briefing.files, Briefing.cache_keys).where(
            Briefing.superseded_at.is_(None), Briefing.created_at >= policy.keep_after
        )
    ).all()
    needs = Needs()
    for row in rows:
        needs.files.update((row.files or {}).values())
        keys = row.cache_keys or {}
        needs.segments.update(keys.get("segments", ()))
        needs.chunks.update(keys.get("chunks", ()))
    return needs
