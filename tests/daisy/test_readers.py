"""The day's edition opened by DAISY readers the project did not write.

- `daisy-dtb` (PyPI, "A library to deal with Daisy 2.02 digital talking books"): its book
  navigator lists the day's articles as the top-level items in order, and for a chosen
  sentence finds its `par`, whose clip holds that sentence's audio.
- Debian's `daisy-player`, driven in a terminal (tmux) as a blind reader would use it: it
  opens the zip, lists the title and the articles at level 1 with „In Kürze“ and
  „Hauptartikel“ below them, and its playing times per item and in total are the book's.
"""

from __future__ import annotations

import grp
import os
import re
import shutil
import subprocess
import sys
import time
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from audionews.daisy.model import sentences_from_cues
from tests.audio.test_join import ffmpeg_decode
from tests.daisy.conftest import Day
from tests.daisy.helpers_daisy import ARTICLES, LONG, RATE
from tests.daisy.test_book import _db, pars, smil_files


def _daisy_dtb() -> Any:
    """Import daisy-dtb (0.0.17 uses typing.override, new in Python 3.12, yet says >= 3.11)."""
    if not hasattr(typing, "override"):
        import typing_extensions

        typing.override = typing_extensions.override  # type: ignore[attr-defined]
    from loguru import logger

    logger.remove()  # it logs every file it reads at DEBUG level to stderr
    import daisy_dtb

    return daisy_dtb


@pytest.fixture(scope="module")
def zipped(built: Day, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reader") / "edition.zip"
    path.write_bytes(built.edition.data)
    return path


def test_daisy_dtb_lists_the_articles_in_order_and_finds_a_sentences_clip(
    built: Day, zipped: Path, tmp_path: Path
) -> None:
    dtb = _daisy_dtb()
    book = dtb.DaisyBook(dtb.ZipDtbSource(str(zipped)))
    assert book.title == built.edition.one("dc:title")
    assert book.navigation_depth == 2
    navigator = dtb.BookNavigator(book)
    navigator.toc.set_nav_level(1)
    entry = navigator.toc.first()
    top = []
    while entry is not None:
        top.append(entry.text)
        entry = navigator.toc.next()
    assert top == [book.title, *(a["title"] for a in reversed(ARTICLES))]

    # A chosen sentence: the long one of the strike article, spoken in several pieces.
    slug = "bahnstreik-legt-den-verkehr-lahm"
    entry = navigator.toc.first()
    while entry.text != ARTICLES[0]["title"]:
        entry = navigator.toc.next()
    section = navigator.sections.first()
    while section is not None and section.text.content != LONG:
        section = navigator.sections.next()
    assert section is not None, "the reader does not find the sentence"
    clip = navigator.current_clip
    number = built.slugs.index(slug) + 1
    assert clip.src == f"a{number:03d}.mp3"
    # The reader's clip is the book's, and holds the sentence where the render spoke it.
    ours = next(p for p in pars(built.edition, f"a{number:03d}.smil") if p["audio_id"] == clip.id)
    assert (clip.begin, clip.end) == (ours["begin"], ours["end"])
    sentence = next(s for s in sentences_from_cues(built.renditions[slug].cues) if s.text == LONG)
    assert clip.begin < sentence.start < sentence.end <= clip.end
    mp3 = tmp_path / "clip.mp3"
    mp3.write_bytes(clip.get_sound())  # the audio file as the reader takes it from the zip
    audio, _ = ffmpeg_decode(mp3, RATE)
    a, b = round(sentence.start * RATE), round(sentence.end * RATE)
    ms = RATE // 1000
    inside = [_db(audio[i : i + 20 * ms]) for i in range(a, b - 20 * ms, 10 * ms)]
    assert max(inside) > -30 and np.mean(np.array(inside) > -40) > 0.5  # speech all along
    begin, end = round(clip.begin * RATE), round(clip.end * RATE)
    assert _db(audio[begin : begin + 20 * ms]) < -50 and _db(audio[end - 20 * ms : end]) < -50


# daisy-player in a terminal ---------------------------------------------------------------

# daisy-player lists the sound cards from /proc/asound/cards before it shows a book, and wants
# its user in the group "audio". A machine without a sound card (a container, CI) gets a
# private mount namespace with a /proc that has one card listed (root only).
FAKE_ASOUND = """#!/bin/sh
set -e
real="$1"; shift
mkdir -p "$real"
mount -t proc proc "$real"
mount -t tmpfs tmpfs /proc
for entry in $(ls "$real" | grep -v '^[0-9]'); do ln -s "$real/$entry" "/proc/$entry"; done
rm -f /proc/asound && mkdir /proc/asound
printf ' 0 [Dummy          ]: Dummy - Dummy\\n                      Dummy 1\\n' > /proc/asound/cards
exec "$@"
"""


def _daisy_player_command(folder: Path, book: Path) -> list[str]:
    """Return how to start daisy-player here, or skip the test saying what is missing."""
    for tool in ("daisy-player", "tmux", "unar"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (Debian: apt-get install daisy-player tmux)")
    try:
        audio = grp.getgrnam("audio").gr_gid
    except KeyError:
        pytest.skip('no group "audio" on this machine')
    player = ["env", f"HOME={folder}", "LANG=C.UTF-8", "daisy-player", "-i", str(book)]
    root = os.geteuid() == 0
    if root:
        player = ["setpriv", f"--groups={audio}", "--", *player]
    elif audio not in os.getgroups():
        pytest.skip('daisy-player needs its user in the group "audio"')
    if os.access("/proc/asound/cards", os.R_OK):
        return player
    if not root or shutil.which("unshare") is None:
        pytest.skip("no sound card (/proc/asound/cards), and not root to list a fake one")
    if subprocess.run(["unshare", "-m", "true"], capture_output=True, check=False).returncode:
        pytest.skip("no sound card, and no mount namespace here to list a fake one")
    script = folder / "fake-asound.sh"
    script.write_text(FAKE_ASOUND)
    script.chmod(0o755)
    return ["unshare", "-m", "--propagation", "private", str(script), str(folder / "proc"), *player]


class Terminal:
    """A tmux server of the test's own, with one 100x30 window running `command`."""

    def __init__(self, folder: Path, command: list[str]) -> None:
        self.socket = str(folder / "tmux.sock")
        self.tmux("new-session", "-d", "-s", "book", "-x", "100", "-y", "30", *command)

    def tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-S", self.socket, *args], capture_output=True, text=True, check=False
        )
        return result.stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "book")

    def wait_for(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared:\n{self.screen()}")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "book", *keys)

    def close(self) -> None:
        self.tmux("kill-server")


@pytest.fixture
def terminal(tmp_path: Path, zipped: Path) -> Iterator[Terminal]:
    if sys.platform != "linux":
        pytest.skip("daisy-player is a Linux program")
    command = _daisy_player_command(tmp_path, zipped)
    term = Terminal(tmp_path, command)
    try:
        yield term
    finally:
        term.keys("q")  # saves its bookmark and removes its unpacked copy
        time.sleep(0.5)
        term.close()


ITEM = re.compile(r"^(?P<indent> +)(?P<label>\S.*?)[ .]*?(?: (?P<time>\d\d:\d\d))?\s*$")


def _items(screen: str) -> list[tuple[int, str, str | None]]:
    """Return (level, label, mm:ss shown) for every item line on daisy-player's screen."""
    lines = screen.splitlines()[2:]  # below the title and status lines
    found = []
    for line in lines:
        match = ITEM.match(line)
        if match is None:
            continue
        label = re.sub(r"(?: \.)+$", "", match["label"]).strip()
        # Level n is indented (n - 1) * 3 + 1 columns, the label one further.
        level = (len(match["indent"]) - 2) // 3 + 1
        found.append((level, label, match["time"]))
    return found


def _shown_durations(built: Day) -> list[int]:
    """Return the seconds daisy-player shows at level 1: its sums of each item's clips.

    It adds an item's clips and those of the items below it into an integer, so every
    addition rounds down; the same sums from the book's own clips.
    """
    edition = built.edition
    headings = edition.headings()
    anchors = [h.find("{http://www.w3.org/1999/xhtml}a").get("href") for h in headings]
    clips: dict[str, list[float]] = {}
    for smil in smil_files(edition):
        for par in pars(edition, smil):
            clips[f"{smil}#{par['id']}"] = [par["end"] - par["begin"]]
    order = list(clips)
    durations = []
    for number, anchor in enumerate(anchors):
        start = order.index(anchor)
        stop = order.index(anchors[number + 1]) if number + 1 < len(anchors) else len(order)
        durations.append(sum(clips[key][0] for key in order[start:stop]))
    shown: list[int] = []
    for heading, duration in zip(headings, durations, strict=True):
        if heading.tag.endswith("h1"):
            shown.append(int(duration))
        else:
            shown[-1] = int(shown[-1] + duration)
    return shown


@pytest.mark.slow
def test_daisy_player_lists_the_title_and_the_articles_with_their_times(
    built: Day, terminal: Terminal
) -> None:
    terminal.wait_for("Select a soundcard")
    terminal.keys("Enter")  # the first: the default device
    screen = terminal.wait_for("total length")
    title = built.edition.one("dc:title")
    assert title in screen.splitlines()[0]
    assert "level: 1 of 2" in screen
    items = _items(screen)
    expected = [(1, title)]
    for data in reversed(ARTICLES):
        expected.append((1, data["title"]))
        expected.append((2, "In Kürze"))
        if data["body"]:
            expected.append((2, "Hauptartikel"))
    assert [(level, label) for level, label, _ in items] == expected, screen
    shown = [int(t[:2]) * 60 + int(t[3:]) for level, _, t in items if level == 1 and t]
    assert shown == _shown_durations(built), screen
    total = re.search(r"total length: (\d\d):(\d\d):(\d\d)", screen)
    assert total is not None
    seconds = int(total[1]) * 3600 + int(total[2]) * 60 + int(total[3])
    assert seconds == int(built.row.duration)
