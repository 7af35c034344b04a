/* Times in words and on the clock. Whole seconds are rounded down everywhere, as the pages do
   (audionews.web.pages.whole_seconds): "1 Min. 1 Sek." beside 1:01, never 1:02. */

export const whole = (t) => Math.max(0, Math.floor(+t || 0));

export const unit = (n, one, many) => n + " " + (n === 1 ? one : many);

/** Return `t` seconds in German words: "1 Minute 5 Sekunden". */
export function spoken(t) {
  t = whole(t);
  const h = Math.floor(t / 3600), m = Math.floor(t / 60) % 60, s = t % 60, parts = [];
  if (h) parts.push(unit(h, "Stunde", "Stunden"));
  if (m) parts.push(unit(m, "Minute", "Minuten"));
  if (s || !parts.length) parts.push(unit(s, "Sekunde", "Sekunden"));
  return parts.join(" ");
}

/** Return `t` seconds as a clock reading: "1:05", "1:02:03". */
export function clock(t) {
  t = whole(t);
  const h = Math.floor(t / 3600), m = Math.floor(t / 60) % 60, s = String(t % 60).padStart(2, "0");
  return h ? h + ":" + String(m).padStart(2, "0") + ":" + s : m + ":" + s;
}

/** Return a title without the soft hyphens the page adds for line breaks. */
export const plain = (text) => (text || "").replace(/\u00ad/g, "").trim();
