/* „Alle Nachrichten hören“: one player on the home page that plays the listed articles one
   after another (or the day's briefing, chapter by chapter). Nothing plays until the listener
   asks. The queue is read from the page: each listed article ([data-queue-item]) names its
   files; the briefing ([data-briefing-audio], templates/_briefing.html) is one file whose
   articles (li[data-start]) are the entries, after its opening. A plain ES module, no build step (templates/index.html loads it); without it the
   native players of the page stay. */

import "./one-at-a-time.js";
import { announcer } from "./announce.js";
import { describe, mediaSession, positionState } from "./media-session.js";
import { letterKeys } from "./shortcuts.js";
import { fill, seekKeys } from "./slider.js";
import { forget, load, PREFS, savePrefs, store, validRate } from "./store.js";
import { clock, plain, spoken } from "./words.js";

const ICON_PLAY = "M7 4.5v15l12.5-7.5z", ICON_PAUSE = "M6 4.5h4v15H6zm8 0h4v15h-4z";
const PLACE = "audionews:warteschlange";
const ALBUM = "audionews – Alle Nachrichten";

export function queuePlayer(root) {
  const q = (id) => document.getElementById(id);
  const audio = q("q-audio");
  const play = q("q-play"), playLabel = q("q-play-label"), playIcon = q("q-play-icon");
  const seek = q("q-seek"), now = q("q-time"), total = q("q-total"), rate = q("q-rate"), auto = q("q-auto");
  const nowLabel = q("q-now-label"), nowTitle = q("q-now-title"), nowCount = q("q-now-count");
  const resumeRow = q("q-resume-row"), resume = q("q-resume");
  const radios = [...root.querySelectorAll("input[name=q-mode]")];
  const teasers = [...document.querySelectorAll("[data-queue-item]")];
  const briefing = document.querySelector("[data-briefing-audio]");
  const say = announcer(q("q-status"), q("q-status-shown"));
  const sayTitle = (e, before = "") => say(before + e.title, null, before + (e.display || e.title));

  let mode = "summary", list = [], current = 0;
  let loadedSrc = null, pendingSeek = null, finished = false, upcoming = false;
  let silentPlay = false, silentPause = false, jumping = false, touched = false, lastSaved = 0;

  function entriesFor(m) {
    if (m === "briefing") {
      if (!briefing) return [];
      const src = briefing.dataset.briefingAudio, length = +briefing.dataset.briefingDuration || 0;
      const parts = [...briefing.querySelectorAll("li[data-start]")].map((li) => {
        const link = li.querySelector("a");
        return { start: +li.dataset.start, title: link.textContent, href: link.getAttribute("href") };
      });
      // The opening before the first article is an entry of its own, named by the briefing.
      if (!parts.length || parts[0].start > 0.5) parts.unshift({ start: 0, title: briefing.dataset.briefingTitle, href: null });
      return parts.map((p, i) => ({
        src, start: p.start, end: i + 1 < parts.length ? parts[i + 1].start : null, length,
        title: plain(p.title), display: p.title, href: p.href,
        teaser: (p.href && teasers.find((t) => t.dataset.href === p.href)) || null,
      }));
    }
    const kind = m === "whole" ? "episode" : "summary";
    return teasers.filter((t) => t.dataset[kind + "Src"]).map((t) => ({
      src: t.dataset[kind + "Src"], start: 0, end: null, length: +t.dataset[kind + "Duration"] || 0,
      title: plain(t.dataset.title), display: t.querySelector("h2")?.textContent.trim(), href: t.dataset.href, teaser: t,
    }));
  }

  // --- moving through the queue ---
  const loaded = () => loadedSrc !== null;
  const seekTo = (t) => {
    audio.currentTime = t;
    pendingSeek = audio.readyState >= 1 ? null : t; // applied again once the file is known
  };
  const start = (silent) => {
    touched = true;
    finished = false;
    if (!audio.paused) return;
    silentPlay = silent;
    audio.play().catch((err) => {
      silentPlay = false;
      // A newer file or a pause replaced this play: nothing went wrong.
      if (err.name !== "AbortError") say("Die Wiedergabe ist nicht möglich.");
    });
    showPlaying();
  };
  const pauseQuietly = () => { if (!audio.paused) { silentPause = true; audio.pause(); } };

  /** Put entry `i` in place (at `at`, else its start); play it if `andPlay`; say its title. */
  function cue(i, { at = null, andPlay = !audio.paused, announce = true } = {}) {
    const e = list[i];
    if (!e) return;
    if (loadedSrc !== e.src) {
      pauseQuietly();
      audio.src = e.src;
      loadedSrc = e.src;
    }
    current = i;
    upcoming = false;
    finished = false;
    seekTo(at ?? e.start);
    show();
    if (andPlay) start(true);
    else pauseQuietly();
    if (announce) sayTitle(e);
  }
  function toggle() {
    if (!audio.paused) { audio.pause(); return; }
    if (!loaded() || finished) cue(finished ? 0 : current, { andPlay: true });
    else if (upcoming) cue(current, { andPlay: true });
    else start(false);
  }
  function goNext() {
    if (current + 1 < list.length) cue(current + 1);
    else say("Das ist der letzte Beitrag.");
  }
  function goPrevious() {
    const e = list[current];
    if (loaded() && !upcoming && audio.currentTime - e.start > 3) cue(current);
    else cue(Math.max(0, current - 1));
  }
  function jump(t) {
    if (!loaded()) cue(current, { at: t, andPlay: false, announce: false });
    else seekTo(Math.min(Math.max(0, t), length() || t));
    touched = true;
    showTime(true);
  }
  const skip = (delta) => { jump(audio.currentTime + delta); say(Math.abs(delta) + " Sekunden " + (delta < 0 ? "zurück" : "vor"), seek); };
  /** The entry of the loaded file at time `t` (the briefing's chapters share one file). */
  function entryAt(t) {
    let found = current;
    list.forEach((e, n) => { if (e.src === loadedSrc && e.start <= t + 0.05) found = n; });
    return found;
  }
  // An entry of a shared file ends where the next one starts: go on, or stop there.
  function crossed(t) {
    const e = list[current], n = list[current + 1];
    if (!e || e.end === null || !n || n.src !== e.src || t < e.end - 0.05) return;
    current += 1;
    if (auto.checked) { show(); sayTitle(n); return; }
    pauseQuietly();
    seekTo(n.start);
    upcoming = true;
    show();
    sayTitle(n, "Ende des Beitrags. Als Nächstes: ");
  }
  function ended() {
    const n = current + 1;
    if (n < list.length && auto.checked) { cue(n, { andPlay: true }); return; }
    if (n < list.length) {
      cue(n, { andPlay: false, announce: false });
      upcoming = true;
      show();
      sayTitle(list[n], "Ende des Beitrags. Als Nächstes: ");
      return;
    }
    finished = true;
    forget(PLACE);
    show();
    say("Ende der Liste");
  }

  // --- what is shown ---
  const length = () => (list[current] ? list[current].length : 0) || (isFinite(audio.duration) ? audio.duration : 0);
  function show() {
    const e = list[current];
    if (!e) return;
    nowLabel.textContent = finished ? "Zuletzt" : upcoming ? "Als Nächstes" : loaded() ? "Jetzt" : "Als Erstes";
    nowTitle.textContent = e.display || e.title; // with the soft hyphens of the page's titles
    if (e.href) nowTitle.href = e.href; else nowTitle.removeAttribute("href");
    nowCount.textContent = "Beitrag " + (current + 1) + " von " + list.length;
    for (const t of teasers) {
      if (t === e.teaser && loaded()) t.setAttribute("aria-current", "true"); else t.removeAttribute("aria-current");
    }
    seek.max = String(Math.ceil(length()));
    total.textContent = clock(length());
    describe(e.title, ALBUM);
    showTime(true);
    showPlaying();
  }
  function showTime(force) {
    const t = loaded() ? audio.currentTime : list[current]?.start || 0;
    now.textContent = clock(Math.min(t, length() || t));
    if (force || document.activeElement !== seek) { // a focused slider speaks each change
      seek.value = String(Math.round(t));
      seek.setAttribute("aria-valuetext", spoken(t) + " von " + spoken(length()));
      fill(seek);
    }
  }
  function showPlaying() {
    const playing = !audio.paused;
    playLabel.textContent = playing ? "Pause" : "Abspielen";
    playIcon.setAttribute("d", playing ? ICON_PAUSE : ICON_PLAY);
  }

  // --- the listener's choice of what to hear, remembered ---
  function setMode(m) {
    const was = list[current], playing = !audio.paused, wasLoaded = loaded();
    mode = m;
    list = entriesFor(m);
    for (const r of radios) r.checked = r.value === m;
    let i = was && was.teaser ? list.findIndex((e) => e.teaser === was.teaser) : 0;
    if (i < 0) i = 0;
    current = i;
    if (wasLoaded) cue(i, { andPlay: playing, announce: false }); // the same article, from its start
    else show();
  }
  function choose(m) {
    setMode(m);
    if (m === "briefing") savePrefs({ briefing: true });
    else savePrefs({ queueKind: m, ...(briefing ? { briefing: false } : {}) });
  }

  // --- resume: offered, never done by itself ---
  function save(force) {
    if (!touched || !loaded()) return;
    const t = audio.currentTime;
    if (!force && Math.abs(t - lastSaved) < 2) return;
    lastSaved = t;
    store(PLACE, { mode, src: loadedSrc, t: Math.round(t * 10) / 10 });
  }
  function offerResume() {
    const place = load(PLACE);
    if (!place.src || !(place.t > 1) || !offered.includes(place.mode)) return;
    const entries = entriesFor(place.mode);
    let i = -1;
    entries.forEach((e, n) => { if (e.src === place.src && e.start <= place.t) i = n; });
    if (i < 0) return;
    const offer = (title) => "Weiterhören: „" + title + "“ ab " + clock(place.t - entries[i].start);
    resume.textContent = offer(entries[i].display || entries[i].title);
    resume.setAttribute("aria-label", offer(entries[i].title)); // the same words, no soft hyphens
    resumeRow.hidden = false;
    resume.addEventListener("click", () => {
      if (mode !== place.mode) choose(place.mode);
      cue(i, { at: place.t, andPlay: true, announce: false });
      play.focus(); // the offer goes away: focus lands on the button that now says "Pause"
      resumeRow.hidden = true;
    });
  }

  // --- wiring ---
  play.addEventListener("click", toggle);
  q("q-prev").addEventListener("click", goPrevious);
  q("q-next").addEventListener("click", goNext);
  for (const r of radios) r.addEventListener("change", () => { if (r.checked) choose(r.value); });
  auto.addEventListener("change", () => savePrefs({ queueAuto: auto.checked }));
  rate.addEventListener("change", () => {
    audio.playbackRate = audio.defaultPlaybackRate = +rate.value;
    savePrefs({ rate: +rate.value });
  });
  seek.addEventListener("input", () => jump(+seek.value));
  seekKeys(seek, { now: () => audio.currentTime, end: length, jump, toggle });
  seek.addEventListener("blur", () => showTime(true));
  letterKeys(root, q("q-letters"), { k: toggle, j: () => skip(-15), l: () => skip(15), n: goNext, v: goPrevious });
  for (const b of document.querySelectorAll("[data-queue-start]")) {
    const teaser = b.closest("[data-queue-item]");
    b.addEventListener("click", () => {
      let i = list.findIndex((e) => e.teaser === teaser);
      if (i < 0) { setMode(radios.some((r) => r.value === "summary") ? "summary" : "whole"); i = list.findIndex((e) => e.teaser === teaser); }
      if (i === current && loaded() && !upcoming && !finished) {
        if (audio.paused) start(false); else audio.pause();
      } else cue(i, { andPlay: true });
    });
  }

  audio.addEventListener("loadedmetadata", () => {
    if (pendingSeek !== null && Math.abs(audio.currentTime - pendingSeek) > 0.3) audio.currentTime = pendingSeek;
    pendingSeek = null;
  });
  audio.addEventListener("play", () => {
    resumeRow.hidden = true;
    showPlaying();
    if (silentPlay) silentPlay = false; else say("Wiedergabe", play);
    positionState(audio, length());
  });
  audio.addEventListener("pause", () => {
    showPlaying();
    showTime(false);
    if (silentPause) silentPause = false; else if (!audio.ended) say("Pause", play);
    save(true);
    positionState(audio, length());
  });
  audio.addEventListener("ended", ended);
  audio.addEventListener("seeking", () => { jumping = true; });
  audio.addEventListener("seeked", () => {
    jumping = false;
    const i = entryAt(audio.currentTime);
    if (i !== current && !upcoming) { current = i; show(); } // a jump says nothing: the slider speaks
    showTime(true);
    save(true);
  });
  audio.addEventListener("timeupdate", () => {
    showTime(false);
    if (!jumping && !audio.paused) crossed(audio.currentTime);
    save(false);
  });
  audio.addEventListener("ratechange", () => { rate.value = String(audio.playbackRate); });
  audio.addEventListener("error", () => { if (loaded()) say("Die Audiodatei lässt sich nicht laden."); });
  addEventListener("pagehide", () => save(true));

  // --- enhance ---
  for (const r of radios) r.closest(".choice-item").hidden = !entriesFor(r.value).length;
  const offered = radios.filter((r) => !r.closest(".choice-item").hidden).map((r) => r.value);
  if (!offered.length) return;
  const prefs = load(PREFS);
  document.documentElement.classList.toggle("large", !!prefs.large); // chosen on an article page
  auto.checked = prefs.queueAuto !== false;
  const r = validRate(prefs.rate) ? +prefs.rate : 1;
  audio.playbackRate = audio.defaultPlaybackRate = r;
  rate.value = String(r);
  const kind = offered.includes(prefs.queueKind) ? prefs.queueKind : offered.find((m) => m !== "briefing");
  // Today's briefing comes first, unless the listener chose the articles instead.
  const first = radios.some((r) => r.value === "briefing" && r.hasAttribute("data-first"));
  setMode(first && prefs.briefing !== false ? "briefing" : kind || offered[0]);
  for (const el of document.querySelectorAll("[data-native]")) el.hidden = true;
  for (const el of briefing ? briefing.querySelectorAll("audio[controls]") : []) el.hidden = true; // this player plays it
  for (const el of document.querySelectorAll("[data-queue-start-row]")) el.hidden = false;
  q("q-controls").hidden = false;
  root.hidden = false;
  offerResume();
  mediaSession(list[current].title, ALBUM, {
    play: () => { if (audio.paused) toggle(); }, pause: () => audio.pause(),
    previoustrack: goPrevious, nexttrack: goNext,
    seekbackward: (d) => skip(-(d.seekOffset || 15)), seekforward: (d) => skip(d.seekOffset || 15),
    seekto: (d) => jump(d.seekTime),
  });
}

const root = document.querySelector("[data-queue]");
if (root) queuePlayer(root);
