/* One polite status region per player, for discrete events; never for the running time. */

/**
 * Return say(text, control, display): writes `text` into the status region, unless `control` has
 * focus. A focused button, slider or menu speaks its own new name, state or value; saying the
 * same in the status region would be a second announcement of one action.
 */
export function announcer(region, shown = null) {
  let flip = false;
  return (text, control = null, display = null) => {
    if (control && document.activeElement === control) return;
    // Toggling a no-break space makes a repeated message ("15 Sekunden zurück" twice) new text.
    flip = !flip;
    region.textContent = text + (flip ? "\u00a0" : "");
    // Where the region is for screen readers only, the eye reads `display` (soft hyphens).
    if (shown) shown.textContent = display || text;
  };
}
