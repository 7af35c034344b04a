"""Contrast of the read-along mark and the sliders' tracks, from what the browser renders."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from tests.browser.conftest import QueueSite, Site
from tests.browser.listening import contrast, over
from tests.browser.test_player_axe import MODES

pytestmark = pytest.mark.browser

MARK = r"""(() => {
  const mark = document.querySelector('.s[aria-current]');
  const cs = getComputedStyle(mark);
  // The first opaque background behind the sentence, else the canvas (the root's).
  const alpha = (c) => { const m = c.match(/rgba\(.*,\s*([\d.]+)\)/); return m ? +m[1] : 1; };
  let page = null;
  for (let n = mark.parentElement; n && !page; n = n.parentElement) {
    const c = getComputedStyle(n).backgroundColor;
    if (alpha(c) === 1) page = c;
  }
  page = page || getComputedStyle(document.documentElement).backgroundColor;
  return {mark: cs.backgroundColor, text: cs.color, page, line: cs.textDecorationLine,
          outline: cs.outlineStyle};
})()"""


def rgb(pixel: tuple[int, ...]) -> str:
    return "rgb({}, {}, {})".format(*pixel[:3])


def track_colours(page: Any, selector: str) -> dict[str, str]:
    """Return the colours of a slider's unfilled track and of the panel behind it, as drawn."""
    shot = Image.open(io.BytesIO(page.locator(selector).screenshot())).convert("RGB")
    width, height = shot.size
    middle = height // 2
    # The thumb stands at the start: three quarters along is unfilled track.
    return {
        "track": rgb(shot.getpixel((int(width * 0.75), middle))),
        "behind": rgb(shot.getpixel((int(width * 0.75), 1))),
    }


@pytest.mark.parametrize("mode", MODES)
def test_read_along_mark_stands_out_and_is_not_colour_alone(
    site: Site, page: Any, mode: str
) -> None:
    page.emulate_media(**MODES[mode])
    page.goto(site.article_url())
    page.evaluate("document.getElementById('audio').currentTime = 20")
    page.wait_for_selector(".s[aria-current]")
    found = page.evaluate(MARK)
    canvas = over(found["page"], "rgb(255, 255, 255)")
    mark = over(found["mark"], canvas)
    print(mode, found, mark, round(contrast(mark, canvas), 2))
    assert contrast(mark, canvas) >= 3, found
    assert contrast(over(found["text"], mark), mark) >= 4.5, found
    # Not colour alone: a shape marks the sentence too.
    assert "underline" in found["line"] or found["outline"] != "none", found


@pytest.mark.parametrize("mode", MODES)
def test_unfilled_seek_track_has_3_to_1(
    site: Site, queue_site: QueueSite, page: Any, mode: str
) -> None:
    page.emulate_media(**MODES[mode])
    for url, slider in ((site.article_url(), "#seek"), (queue_site.url + "/", "#q-seek")):
        page.goto(url)
        page.wait_for_selector(slider, state="visible")
        assert page.evaluate("(s) => +document.querySelector(s).value", slider) == 0
        colours = track_colours(page, slider)
        ratio = contrast(colours["track"], colours["behind"])
        print(mode, slider, colours, round(ratio, 2))
        assert ratio >= 3, (slider, colours)
