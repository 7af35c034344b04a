"""What a screen reader would say: live-region changes and the focused control's state."""

from __future__ import annotations

import re
from typing import Any

# Installed before the page's scripts: every change of a live region's text, in order.
LIVE_RECORDER = """(() => {
  window.__live = [];
  const watch = () => {
    for (const region of document.querySelectorAll('[role=status], [role=alert], [aria-live]')) {
      new MutationObserver(() => {
        const text = region.textContent.replace(/\\u00a0/g, ' ').trim();
        window.__live.push({region: region.id, text, at: performance.now()});
      }).observe(region, {childList: true, characterData: true, subtree: true});
    }
  };
  document.addEventListener('DOMContentLoaded', watch);
  // Media Session handlers, so a test can press the lock screen's buttons.
  window.__media = {};
  if (navigator.mediaSession) {
    const set = navigator.mediaSession.setActionHandler.bind(navigator.mediaSession);
    navigator.mediaSession.setActionHandler = (action, fn) => {
      window.__media[action] = fn;
      set(action, fn);
    };
  }
})()"""

# The focused control as a screen reader presents it: name, state and value.
FOCUSED = """(() => {
  const e = document.activeElement;
  if (!e || e === document.body) return {id: 'BODY'};
  const label = e.labels && e.labels.length ? e.labels[0].textContent : '';
  const named = e.getAttribute('aria-labelledby');
  const name = named
    ? named.split(' ').map((id) => document.getElementById(id)?.textContent || '').join(' ')
    : (e.getAttribute('aria-label') || label || e.textContent);
  const role = e.type === 'checkbox' || e.type === 'radio' ? e.type : e.tagName.toLowerCase();
  const plain = name.replace(/\\u00ad/g, '').replace(/\\s+/g, ' ').trim();
  return {id: e.id || e.tagName, role, name: plain,
          pressed: e.getAttribute('aria-pressed'),
          checked: role === 'checkbox' || role === 'radio' ? e.checked : null,
          value: e.getAttribute('aria-valuetext') ?? (e.tagName === 'SELECT' ? e.value : null)};
})()"""


def live(page: Any) -> list[str]:
    """Return the texts the live regions announced so far."""
    return [entry["text"] for entry in page.evaluate("window.__live") if entry["text"]]


def focused(page: Any) -> dict[str, Any]:
    return dict(page.evaluate(FOCUSED))


def announcements(page: Any, action: Any) -> list[str]:
    """Run `action` and return what a screen reader would announce for it.

    One entry per live-region change, and one when focus moved or the focused control's
    name, pressed state, checked state or value changed.
    """
    before_live = len(page.evaluate("window.__live"))
    before = focused(page)
    action()
    page.wait_for_timeout(400)  # media events and their announcements are asynchronous
    after = focused(page)
    said = [e["text"] for e in page.evaluate("window.__live")[before_live:]]
    if after != before:
        said.insert(0, "[Fokus] " + spoken_control(after))
    return said


def spoken_control(control: dict[str, Any]) -> str:
    """Return a focused control as a screen reader says it: name, then state or value."""
    text = control.get("name", "")
    if control.get("pressed") in ("true", "false"):
        text += " (gedrückt)" if control["pressed"] == "true" else " (nicht gedrückt)"
    elif control.get("value") is not None:
        text += f": {control['value']}"
    elif control.get("checked") is not None and control.get("role") in ("checkbox", "radio"):
        text += " (ausgewählt)" if control["checked"] else " (nicht ausgewählt)"
    return text


def _channels(colour: str) -> list[float]:
    values = [float(x) for x in re.findall(r"[\d.]+", colour)]
    return values if len(values) == 4 else [*values[:3], 1.0]


def over(colour: str, behind: str) -> str:
    """Return `colour` as seen over the opaque colour `behind` (alpha compositing)."""
    r, g, b, a = _channels(colour)
    r2, g2, b2, _ = _channels(behind)
    mix = [round(a * x + (1 - a) * y) for x, y in ((r, r2), (g, g2), (b, b2))]
    return "rgb({}, {}, {})".format(*mix)


def luminance(rgb: str) -> float:
    r, g, b = (v / 255 for v in _channels(rgb)[:3])

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# Where the lines of an element's text break: for each break, the characters from the last
# one on the line before to the first one on the next (spaces at a line's end may have no box).
LINE_BREAKS = """(el) => {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  const chars = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.data.length; i++) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      // After a soft hyphen Chromium adds the drawn hyphen's box to the next letter's: the
      // letter's own box is its last.
      const rect = [...range.getClientRects()].filter((r) => r.width > 0).pop();
      chars.push({c: node.data[i], top: rect ? Math.round(rect.top) : null});
    }
  }
  const breaks = [];
  let last = -1;
  chars.forEach((x, i) => {
    if (x.top === null) return;
    if (last >= 0 && x.top > chars[last].top + 2) {
      breaks.push(chars.slice(last, i + 1).map((y) => y.c).join(''));
    }
    last = i;
  });
  return {text: el.textContent, breaks};
}"""


HYPHENS = "\u00ad-\u2010"


def bad_breaks(page: Any, selector: str) -> list[str]:
    """Return the line breaks inside a word of `selector`'s elements, except at a hyphen.

    A break at a space, after a soft hyphen (drawn as "-") or a hard hyphen is proper German
    hyphenation; one between two letters is a word broken in the middle. (Debian's Chromium
    has no hyphenation dictionary, so `hyphens: auto` never breaks a word here by itself.)
    """
    found = []
    for handle in page.query_selector_all(selector):
        result = page.evaluate(LINE_BREAKS, handle)
        for around in result["breaks"]:
            if any(c in HYPHENS or c.isspace() for c in around[:-1]):
                continue
            text = result["text"].replace("\u00ad", "")
            found.append(f"{text!r}: …{around[0]}|{around[-1]}…")
    return found
