"""One news day of three real articles and its DAISY edition, built once for these tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from audionews.models import DaisyBook, Rendition
from tests.daisy.helpers_daisy import (
    ARTICLES,
    Edition,
    build_days,
    current_edition,
    day_app,
    media,
    no_broker,
    renditions,
    save,
    the_day,
)


@dataclass
class Day:
    app: Flask
    day: dt.date
    row: DaisyBook
    edition: Edition
    renditions: dict[str, Rendition]  # by slug
    slugs: list[str]  # in the edition's order: newest first
    folder: Path  # for decoded files

    def path(self, name: str) -> Path:
        return media(self.app) / name


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Day]:
    folder = tmp_path_factory.mktemp("daisy")
    with day_app(folder) as app:
        # Only while it is built: a session-long patch silenced every later test's day
        # messages (a briefing that never followed a withdrawal, in tests/jobs).
        with no_broker():
            ids = [save(app, data) for data in ARTICLES]
            assert build_days(app) == {"built"}
        day = the_day(app)
        row = current_edition(app, day)
        assert row is not None
        edition = Edition((media(app) / row.file).read_bytes())
        found = renditions(app)
        by_id = {rendition.article_id: slug for slug, rendition in found.items()}
        slugs = [by_id[article_id] for article_id in reversed(ids)]  # newest first
        yield Day(app, day, row, edition, found, slugs, tmp_path_factory.mktemp("decoded"))
