/* localStorage that never breaks the player (private browsing, a full quota, bad JSON). */

export const PREFS = "audionews:einstellungen";

export function load(key) {
  try { return JSON.parse(localStorage.getItem(key)) || {}; } catch { return {}; }
}

export function store(key, value) {
  try { localStorage.setItem(key, JSON.stringify(value)); } catch { /* ignore */ }
}

export function forget(key) {
  try { localStorage.removeItem(key); } catch { /* ignore */ }
}

/** Merge `changes` into the listener's preferences (shared by every player). */
export function savePrefs(changes) {
  store(PREFS, { ...load(PREFS), ...changes });
}

export const RATES = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.25, 2.5];
export const validRate = (r) => RATES.includes(+r);
