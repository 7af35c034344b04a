"""A news day of real articles (espeak), its DAISY edition built by the day job, and readers.

Articles go in through the catalog and render for real; the day job builds the day as a
worker does after the messages the marks sent (`build_day`). `Edition` opens the zip the
way a reader would: from its bytes, every document parsed with lxml.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from flask import Flask
from lxml import etree
from sqlalchemy import select

from audionews import catalog, create_app
from audionews.articles import parse_json
from audionews.days import news_day
from audionews.db import db
from audionews.jobs import day_job
from audionews.models import Article, DaisyBook, NewsDay, Rendition
from tests.audio.test_join import ffmpeg_decode
from tests.conftest import base_settings
from tests.web.editor.helpers_editor import run_queued

XHTML = "http://www.w3.org/1999/xhtml"
NS = {"x": XHTML}
RATE = 22050  # espeak's
LONG = (
    "Der Verkehrsverbund hat am Morgen mitgeteilt, dass die Busse und Bahnen in der ganzen "
    "Region wegen des Streiks bis zum späten Abend nur im Stundentakt fahren werden."
)
ARTICLES: list[dict[str, Any]] = [
    {
        "title": "Bahnstreik legt den Verkehr lahm",
        "summary": "Der Streik geht weiter. Pendler warten am Bahnsteig.",
        "body": f"Die Gewerkschaft ruft zum Streik auf. {LONG}\n\nDie Bahn bietet Busse an.",
        "links": [{"title": "Fahrplan & Auskunft", "url": "https://example.org/?a=1&b=2"}],
    },
    {
        "title": "Preise <sinken> deutlich",
        "summary": "Die Energiepreise sinken. Heizöl wird billiger.",
        "body": "",
    },
    {
        "title": "Das Wetter am Wochenende",
        "summary": "Es wird sonnig.",
        "body": "Am Samstag bleibt es trocken. Am Sonntag regnet es.\n\nIm Süden gibt es Gewitter.",
    },
]


def save(app: Flask, data: dict[str, Any]) -> int:
    with app.test_request_context():
        return catalog.save(parse_json(data)).article.id


def build_days(app: Flask) -> set[str]:
    """Run the queued renders, then every dirty day's build; return what the builds did."""
    run_queued(app)
    with app.test_request_context():
        days = db.session.scalars(select(NewsDay.day)).all()
        return {day_job.build_day(day) for day in days}


def the_day(app: Flask) -> dt.date:
    with app.app_context():
        first = db.session.scalar(
            select(Article.published_at).where(Article.published_at.is_not(None))
        )
        assert first is not None
        return news_day(first, app.config["AUDIONEWS"])


def media(app: Flask) -> Path:
    return Path(app.config["AUDIONEWS"]["MEDIA_DIR"])


def current_edition(app: Flask, day: dt.date) -> DaisyBook | None:
    with app.app_context():
        row = db.session.scalar(
            select(DaisyBook)
            .where(DaisyBook.day == day, DaisyBook.superseded_at.is_(None))
            .order_by(DaisyBook.id.desc())
        )
        if row is not None:
            db.session.expunge(row)
        return row


def renditions(app: Flask) -> dict[str, Rendition]:
    """Return the current rendition of every article by slug."""
    with app.app_context():
        found = {}
        for article in db.session.scalars(select(Article)):
            rendition = article.current_rendition()
            if rendition is not None:
                db.session.expunge(rendition)
                found[article.slug] = rendition
        return found


@contextmanager
def no_broker() -> Iterator[None]:
    # The tests deliver the day's build themselves (build_day), as the worker would.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(day_job, "send_day", lambda day: True)
        yield


@contextmanager
def day_app(folder: Path, **settings: Any) -> Iterator[Flask]:
    app = create_app(base_settings(folder, **settings))
    app.config["TESTING"] = True
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@dataclass
class Edition:
    """A DAISY book read back from its zip."""

    data: bytes
    names: list[str] = field(init=False)
    infos: dict[str, zipfile.ZipInfo] = field(init=False)

    def __post_init__(self) -> None:
        with zipfile.ZipFile(io.BytesIO(self.data)) as archive:
            assert archive.testzip() is None
            self.infos = {info.filename: info for info in archive.infolist()}
            self.names = list(self.infos)
            self._files = {name: archive.read(name) for name in self.names}

    def raw(self, name: str) -> bytes:
        return self._files[name]

    def xml(self, name: str) -> etree._ElementTree:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        return etree.ElementTree(etree.fromstring(self.raw(name), parser))

    @property
    def ncc(self) -> etree._ElementTree:
        return self.xml("ncc.html")

    def meta(self, name: str) -> list[str]:
        return [m.get("content") for m in self.ncc.iterfind(f".//x:meta[@name='{name}']", NS)]

    def one(self, name: str) -> str:
        (value,) = self.meta(name)
        return value

    def headings(self) -> list[etree._Element]:
        body = self.ncc.find("x:body", NS)
        assert body is not None
        return list(body)

    def decoded(self, name: str, folder: Path) -> np.ndarray:
        path = folder / name
        path.write_bytes(self.raw(name))
        samples, warnings = ffmpeg_decode(path, RATE)
        assert not warnings, warnings
        return samples


def clock_seconds(value: str) -> float:
    hours, minutes, seconds = value.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def npt_seconds(value: str) -> float:
    assert value.startswith("npt=") and value.endswith("s"), value
    return float(value[4:-1])
