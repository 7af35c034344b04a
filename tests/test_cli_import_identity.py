"""`audionews import` follows the API's identity rules and refuses files that are no articles.

Issue 10, items 1 and 11. Run in-process with click's CliRunner against SQLite.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from audionews.cli import cli
from tests.web.editor.test_editor_identity import CSV
from tests.web.test_api_identity import TITLE_A, TITLE_B


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for key in list(os.environ):
        if key.startswith("AUDIONEWS_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("AUDIONEWS_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("AUDIONEWS_MEDIA_DIR", str(tmp_path / "media"))
    monkeypatch.setenv("AUDIONEWS_QUEUE_DIR", str(tmp_path / "queue"))
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def _articles(folder: Path) -> list[tuple[str, str, int]]:
    engine = create_engine(f"sqlite:///{folder / 'cli.db'}")
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("select slug, title, revision from article order by id"))
            return [tuple(row) for row in rows]  # type: ignore[misc]
    except Exception:
        return []
    finally:
        engine.dispose()


def _write(folder: Path, name: str, title: str, body: str = "Text. Mehr Text.") -> Path:
    path = folder / name
    path.write_text(f"{title}\n**Hauptartikel:**\n{body}\n", "utf-8")
    return path


def test_import_keeps_alike_titles_apart_and_updates_the_identical_one(env: Path) -> None:
    runner = CliRunner()
    a = _write(env, "a.txt", TITLE_A)
    b = _write(env, "b.txt", TITLE_B)
    result = runner.invoke(cli, ["import", str(a), str(b)])
    assert result.exit_code == 0, result.output
    first = _articles(env)
    assert [title for _, title, _ in first] == [TITLE_A, TITLE_B]
    assert first[0][0] != first[1][0]
    # Importing B again with a correction updates B, and only B.
    _write(env, "b.txt", TITLE_B, "Korrigiert. Jetzt richtig.")
    result = runner.invoke(cli, ["import", str(b)])
    assert result.exit_code == 0, result.output
    assert "geändert (Fassung 2)" in result.output
    assert _articles(env) == [first[0], (first[1][0], TITLE_B, 2)]


def test_import_refuses_a_csv_and_stores_nothing(env: Path) -> None:
    (env / "artikel.csv").write_bytes(CSV)
    good = _write(env, "gut.txt", TITLE_A)
    result = CliRunner().invoke(cli, ["import", str(good), str(env / "artikel.csv")])
    assert result.exit_code == 1
    assert "Nichts importiert." in result.output
    assert "artikel.csv: Dem Text fehlen die Abschnitte „In Kürze“ und „Hauptartikel“" in (
        result.output
    )
    assert _articles(env) == []
