/* Letter shortcuts (WCAG 2.1.4): off until the listener turns them on, and then only while
   focus is inside the player, never in a field that takes typing or in a menu. Screen readers
   use single letters for quick navigation; a page that takes them by default breaks that. */

import { load, PREFS, savePrefs } from "./store.js";

/** Wire the on/off checkbox `toggle` and the `actions` ({k: fn}) to `root`. */
export function letterKeys(root, toggle, actions) {
  toggle.checked = !!load(PREFS).letters;
  toggle.addEventListener("change", () => savePrefs({ letters: toggle.checked }));
  root.addEventListener("keydown", (e) => {
    if (!toggle.checked || e.altKey || e.ctrlKey || e.metaKey || e.defaultPrevented) return;
    const el = e.target, tag = el.tagName;
    if (el.isContentEditable || tag === "TEXTAREA" || tag === "SELECT") return;
    if (tag === "INPUT" && !["range", "checkbox", "radio"].includes(el.type)) return;
    const action = e.key.length === 1 ? actions[e.key.toLowerCase()] : null;
    if (!action) return;
    e.preventDefault();
    action();
  });
}
