"""A blind listener's session, keyboard only, recorded as a screen reader would present it:
each key, where focus went, and what the live region said. Run with -s to read the log."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import QueueSite
from tests.browser.listening import LIVE_RECORDER, focused, spoken_control

pytestmark = pytest.mark.browser

ROLES = {
    "button": "Schalter",
    "a": "Link",
    "range": "Schieberegler",
    "radio": "Auswahlschalter",
    "checkbox": "Kontrollkästchen",
    "select": "Auswahlliste",
    "summary": "Aufklappbar",
}


class Session:
    def __init__(self, page: Any) -> None:
        self.page = page
        self.lines: list[str] = []
        self.heard = 0

    def _new_live(self) -> list[str]:
        entries = self.page.evaluate("window.__live")[self.heard :]
        self.heard += len(entries)
        return [e["text"] for e in entries if e["text"]]

    def key(self, key: str) -> None:
        before = focused(self.page)
        self.page.keyboard.press(key)
        self.page.wait_for_timeout(300)
        after = focused(self.page)
        parts = [f"Taste {key}"]
        if after != before:
            role = ROLES.get(after.get("role", ""), after.get("role", ""))
            parts.append(f"Fokus: {role} „{spoken_control(after)}“")
        parts += [f"Live-Region: „{text}“" for text in self._new_live()]
        self.lines.append(" → ".join(parts))

    def wait_for(self, what: str, text: str) -> None:
        """Wait until the live region says `text` (again), and log what it said till then."""
        self.page.wait_for_function(
            "([t, n]) => window.__live.slice(n).some((e) => e.text === t)",
            arg=[text, self.heard],
            timeout=30_000,
        )
        said = " → ".join(f"Live-Region: „{t}“" for t in self._new_live())
        self.lines.append(f"({what}) → {said}")


def test_a_listening_session_by_keyboard(queue_site: QueueSite, page: Any) -> None:
    # Earlier the listener chose the speed 2,5-fach; it is remembered.
    page.add_init_script(
        "localStorage.setItem('audionews:einstellungen', JSON.stringify({rate: 2.5}))"
    )
    page.add_init_script(LIVE_RECORDER)
    page.goto(queue_site.url + "/")
    page.wait_for_selector("#q-play", state="visible")
    titles = queue_site.titles()
    session = Session(page)
    session.lines.append("(Seite geladen) → nichts gesagt, nichts spielt")
    session.key("Tab")  # the skip link
    session.key("Enter")  # past the header (its search and the archive link)
    session.key("Tab")
    session.key("Enter")  # play: the first article starts
    session.key("Enter")  # pause
    session.key("Tab")
    session.key("Tab")
    session.key("Enter")  # the next article, put in place
    session.key("Shift+Tab")
    session.key("Shift+Tab")
    session.key("Enter")  # play it
    session.wait_for("der Beitrag endet, der nächste beginnt", titles[2])
    session.wait_for("der letzte Beitrag endet", "Ende der Liste")
    log = "\n".join(session.lines)
    print("\n" + log)
    assert page.evaluate("window.__live.map((e) => e.text)") == [
        titles[0],
        titles[1],
        titles[2],
        "Ende der Liste",
    ]
    # Playing again after a pause says no title: the listener heard it when it was put in place.
    assert session.lines[11] == "Taste Enter → Fokus: Schalter „Pause“"
    assert session.lines[3].startswith("Taste Tab → Fokus: Schalter „Abspielen“")
    assert session.lines[4] == f"Taste Enter → Fokus: Schalter „Pause“ → Live-Region: „{titles[0]}“"
