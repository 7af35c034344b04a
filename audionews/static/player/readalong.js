/* The read-along transcript: the current sentence is marked; the text is one tab stop, arrows
   move between sentences, Enter or Space (or a click) jumps there. */

import { spoken } from "./words.js";

/**
 * Wire the transcript `box`. `jump(t)` seeks; `say` announces; `paused()` tells whether the
 * audio is paused; `follow` is the "scroll along" checkbox. Return highlight(t).
 */
export function readAlong({ box, follow, jump, say, paused }) {
  const sentences = [...box.querySelectorAll(".s[data-start]")];
  const starts = sentences.map((s) => +s.dataset.start);
  const reduced = matchMedia("(prefers-reduced-motion: reduce)");
  let current = -1;

  const rove = (i) => sentences.forEach((s, n) => { s.tabIndex = n === i ? 0 : -1; });
  const indexAt = (t) => {
    let lo = 0, hi = starts.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= t + 0.05) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return found;
  };
  const scrollTo = (el) => {
    // Scroll only the transcript box, never the page, and not while the reader works in it.
    if (!follow.checked || box.contains(document.activeElement)) return;
    const top = el.offsetTop - box.clientHeight / 3;
    if (el.offsetTop < box.scrollTop || el.offsetTop + el.offsetHeight > box.scrollTop + box.clientHeight) {
      box.scrollTo({ top: Math.max(0, top), behavior: reduced.matches ? "auto" : "smooth" });
    }
  };
  const pick = (s) => {
    const i = sentences.indexOf(s);
    rove(i);
    jump(starts[i]);
    if (paused()) say("Position " + spoken(starts[i]));
  };
  const sentenceOf = (node) => (node instanceof Element ? node.closest(".s[data-start]") : null);

  box.addEventListener("click", (e) => {
    const s = sentenceOf(e.target);
    if (!s || getSelection().toString()) return; // selecting text to copy is not a click
    pick(s);
  });
  box.addEventListener("keydown", (e) => {
    const s = sentenceOf(e.target);
    if (!s || e.altKey || e.ctrlKey || e.metaKey) return;
    const i = sentences.indexOf(s);
    let next = null;
    if (e.key === "ArrowDown" || e.key === "ArrowRight") next = Math.min(i + 1, sentences.length - 1);
    else if (e.key === "ArrowUp" || e.key === "ArrowLeft") next = Math.max(i - 1, 0);
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = sentences.length - 1;
    else if (e.key === "Enter" || e.key === " ") { e.preventDefault(); pick(s); return; }
    if (next === null) return;
    e.preventDefault();
    rove(next);
    sentences[next].focus();
  });
  follow.addEventListener("change", () => { if (current >= 0) scrollTo(sentences[current]); });
  rove(0);

  return (t) => {
    const i = indexAt(t);
    if (i === current) return;
    if (current >= 0) sentences[current].removeAttribute("aria-current");
    current = i;
    if (i < 0) return;
    sentences[i].setAttribute("aria-current", "true");
    if (!box.contains(document.activeElement)) rove(i);
    scrollTo(sentences[i]);
  };
}
