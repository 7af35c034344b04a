/* Range inputs: the filled part of the track, and the position slider's keys. */

/** Show how much of `input` is filled (the CSS draws the track from --fill). */
export function fill(input) {
  const min = +input.min || 0, max = +input.max || 0;
  const share = max > min ? (Math.min(max, Math.max(min, +input.value)) - min) / (max - min) : 0;
  input.style.setProperty("--fill", (share * 100).toFixed(2) + "%");
}

const STEPS = { ArrowLeft: -5, ArrowDown: -5, ArrowRight: 5, ArrowUp: 5, PageDown: -60, PageUp: 60 };

/**
 * Position slider keys, active only while it has focus: arrows 5 s, Page Up/Down 1 min,
 * Home/End, and Space for play/pause (a range input has no use for Space of its own).
 */
export function seekKeys(seek, { now, end, jump, toggle }) {
  seek.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    let t = null;
    if (e.key in STEPS) t = now() + STEPS[e.key];
    else if (e.key === "Home") t = 0;
    else if (e.key === "End") t = end();
    else if (e.key === " ") { e.preventDefault(); toggle(); return; }
    if (t === null) return;
    e.preventDefault();
    jump(t);
  });
}
