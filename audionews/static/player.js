/* audionews player: enhances the native <audio> on the article page. No framework, no globals.
   Without this script the page keeps the native controls, the downloads and the full text. */
(() => {
  "use strict";

  // Anywhere: starting one audio pauses the others (the list page has one per article).
  document.addEventListener("play", (event) => {
    for (const other of document.querySelectorAll("audio")) {
      if (other !== event.target) other.pause();
    }
  }, true);

  const root = document.querySelector("[data-player]");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const audio = $("audio");
  const play = $("play"), playLabel = $("play-label"), playIcon = $("play-icon");
  const seek = $("seek"), now = $("now"), rate = $("rate");
  const mute = $("mute"), volume = $("volume"), status = $("status");
  const follow = $("follow"), large = $("large");
  const box = $("transcript");
  const chapterButtons = [...root.querySelectorAll(".chapter")];
  const chapters = chapterButtons.map((b) => ({ button: b, start: +b.dataset.start, label: b.dataset.label }));
  const sentences = [...document.querySelectorAll(".s[data-start]")];
  const starts = sentences.map((s) => +s.dataset.start);
  const key = "audionews:" + root.dataset.guid;
  const prefsKey = "audionews:einstellungen";
  const reduced = matchMedia("(prefers-reduced-motion: reduce)");
  const ICON_PLAY = "M7 4.5v15l12.5-7.5z", ICON_PAUSE = "M6 4.5h4v15H6zm8 0h4v15h-4z";
  let duration = +root.dataset.duration || 0;
  let current = -1, chapterIndex = -1, lastSaved = 0, flip = false;

  // --- storage (private browsing or a full quota must not break the player) ---
  const load = (k) => { try { return JSON.parse(localStorage.getItem(k)) || {}; } catch { return {}; } };
  const store = (k, v) => { try { localStorage.setItem(k, JSON.stringify(v)); } catch { /* ignore */ } };
  const prefs = load(prefsKey);
  const saved = load(key);

  // --- words ---
  const unit = (n, one, many) => n + " " + (n === 1 ? one : many);
  const spoken = (t) => {
    t = Math.max(0, Math.floor(t || 0));
    const h = Math.floor(t / 3600), m = Math.floor(t / 60) % 60, s = t % 60, parts = [];
    if (h) parts.push(unit(h, "Stunde", "Stunden"));
    if (m) parts.push(unit(m, "Minute", "Minuten"));
    if (s || !parts.length) parts.push(unit(s, "Sekunde", "Sekunden"));
    return parts.join(" ");
  };
  const clock = (t) => {
    t = Math.max(0, Math.floor(t || 0));
    const h = Math.floor(t / 3600), m = Math.floor(t / 60) % 60, s = String(t % 60).padStart(2, "0");
    return h ? h + ":" + String(m).padStart(2, "0") + ":" + s : m + ":" + s;
  };
  const rateWords = (r) => (r === 1 ? "Tempo normal" : "Tempo " + String(r).replace(".", ",") + "-fach");

  // Toggling a no-break space makes a repeated message ("15 Sekunden zurück" twice) new text.
  const say = (text) => { flip = !flip; status.textContent = text + (flip ? "\u00a0" : ""); };

  // --- actions ---
  const end = () => (isFinite(audio.duration) && audio.duration > 0 ? audio.duration : duration);
  const clamp = (t) => Math.min(Math.max(0, t), end() || t);
  const jump = (t) => { audio.currentTime = clamp(t); showTime(true); };
  const toggle = () => {
    if (audio.paused) audio.play().catch(() => say("Die Wiedergabe ist nicht möglich."));
    else audio.pause();
  };
  const skip = (delta) => {
    jump(audio.currentTime + delta);
    const n = Math.abs(delta);
    say(unit(n, "Sekunde", "Sekunden") + (delta < 0 ? " zurück" : " vor"));
  };
  const setRate = (r) => {
    audio.playbackRate = audio.defaultPlaybackRate = r;
    rate.value = String(r);
    say(rateWords(r));
    save(true);
  };
  const setVolume = (v) => {
    audio.volume = Math.min(1, Math.max(0, v));
    if (audio.volume > 0 && audio.muted) audio.muted = false;
  };
  const toggleMute = () => { audio.muted = !audio.muted; say(audio.muted ? "Stumm" : "Ton an"); };
  const goChapter = (i) => {
    const c = chapters[i];
    if (!c) return;
    jump(c.start);
    say("Kapitel " + c.label);
  };

  // --- display ---
  function showTime(force) {
    const t = audio.currentTime;
    now.textContent = clock(t);
    // A focused slider announces every change: keep it still while playing, never chatter.
    if (force || audio.paused || document.activeElement !== seek) {
      seek.value = String(Math.round(t));
      seek.setAttribute("aria-valuetext", spoken(t) + " von " + spoken(Math.round(duration)));
    }
    highlight(t);
  }
  function showPlaying() {
    const playing = !audio.paused;
    playLabel.textContent = playing ? "Pause" : "Abspielen";
    playIcon.setAttribute("d", playing ? ICON_PAUSE : ICON_PLAY);
  }
  function showVolume() {
    mute.setAttribute("aria-pressed", String(audio.muted));
    const v = Math.round(audio.volume * 100);
    volume.value = String(v);
    volume.setAttribute("aria-valuetext", v + " Prozent");
  }

  // --- read-along ---
  function indexAt(t) {
    let lo = 0, hi = starts.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] <= t + 0.05) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return found;
  }
  function highlight(t) {
    const i = indexAt(t);
    if (i !== current) {
      if (current >= 0) sentences[current].removeAttribute("aria-current");
      current = i;
      if (i >= 0) {
        sentences[i].setAttribute("aria-current", "true");
        if (!box.contains(document.activeElement)) rove(i);
        scrollTo(sentences[i]);
      }
    }
    let c = -1;
    chapters.forEach((ch, n) => { if (ch.start <= t + 0.05) c = n; });
    if (c !== chapterIndex) {
      chapterButtons.forEach((b, n) => (n === c ? b.setAttribute("aria-current", "true") : b.removeAttribute("aria-current")));
      chapterIndex = c;
    }
  }
  function scrollTo(el) {
    // Scroll only the transcript box, never the page, and not while the reader works in it.
    if (!follow.checked || box.contains(document.activeElement)) return;
    const top = el.offsetTop - box.clientHeight / 3;
    if (el.offsetTop < box.scrollTop || el.offsetTop + el.offsetHeight > box.scrollTop + box.clientHeight) {
      box.scrollTo({ top: Math.max(0, top), behavior: reduced.matches ? "auto" : "smooth" });
    }
  }
  function rove(i) {
    sentences.forEach((s, n) => { s.tabIndex = n === i ? 0 : -1; });
  }

  // --- resume ---
  function save(force) {
    const t = audio.currentTime;
    if (!force && Math.abs(t - lastSaved) < 1) return;
    lastSaved = t;
    const ended = audio.ended || (end() && t > end() - 2);
    store(key, { t: ended ? 0 : Math.round(t * 10) / 10, rate: audio.playbackRate });
  }
  function fromHash() {
    const m = /^#t=(?:(\d+):)?(\d+(?:\.\d+)?)$/.exec(location.hash);
    return m ? (+(m[1] || 0)) * 60 + +m[2] : null;
  }
  function startAt(t, message) {
    const apply = () => { audio.currentTime = clamp(t); showTime(true); };
    if (audio.readyState >= 1) apply();
    else { audio.currentTime = t; audio.addEventListener("loadedmetadata", apply, { once: true }); }
    showTime(true);
    if (message) say(message + spoken(t));
  }

  // --- media session: lock screens, headset keys ---
  function mediaSession() {
    if (!("mediaSession" in navigator)) return;
    const ms = navigator.mediaSession;
    try {
      ms.metadata = new MediaMetadata({ title: $("titel").textContent.trim(), artist: "audionews", album: "audionews" });
    } catch { /* old browsers */ }
    const nearest = (dir) => {
      const t = audio.currentTime;
      if (dir < 0) { // back to this chapter's start, or the one before when just after it
        for (let n = chapters.length - 1; n >= 0; n--) if (chapters[n].start < t - 3) return n;
        return 0;
      }
      return chapters.findIndex((c) => c.start > t + 0.5);
    };
    const handlers = {
      play: () => audio.play(), pause: () => audio.pause(),
      seekbackward: (d) => skip(-(d.seekOffset || 15)), seekforward: (d) => skip(d.seekOffset || 15),
      seekto: (d) => jump(d.seekTime), previoustrack: () => goChapter(nearest(-1)),
      nexttrack: () => { const n = nearest(1); if (n >= 0) goChapter(n); },
    };
    for (const [action, fn] of Object.entries(handlers)) {
      try { ms.setActionHandler(action, fn); } catch { /* unsupported action */ }
    }
  }
  function positionState() {
    const d = end();
    if (!("mediaSession" in navigator) || !navigator.mediaSession.setPositionState || !d) return;
    try {
      navigator.mediaSession.setPositionState({ duration: d, playbackRate: audio.playbackRate, position: Math.min(audio.currentTime, d) });
    } catch { /* ignore */ }
  }

  // --- wiring ---
  play.addEventListener("click", toggle);
  for (const b of root.querySelectorAll("[data-skip]")) b.addEventListener("click", () => skip(+b.dataset.skip));
  chapterButtons.forEach((b, i) => b.addEventListener("click", () => goChapter(i)));
  rate.addEventListener("change", () => setRate(+rate.value));
  mute.addEventListener("click", toggleMute);
  volume.addEventListener("input", () => { setVolume(+volume.value / 100); });
  seek.addEventListener("input", () => jump(+seek.value));
  seek.addEventListener("keydown", (e) => {
    const steps = { ArrowLeft: -5, ArrowDown: -5, ArrowRight: 5, ArrowUp: 5, PageDown: -60, PageUp: 60 };
    let t = null;
    if (e.key in steps) t = audio.currentTime + steps[e.key];
    else if (e.key === "Home") t = 0;
    else if (e.key === "End") t = end();
    if (t === null || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    e.stopPropagation();
    jump(t);
  });
  seek.addEventListener("blur", () => showTime(true));

  // Shortcuts act only while focus is inside the player, never in fields that take typing.
  root.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey || e.defaultPrevented) return;
    const el = e.target;
    const tag = el.tagName;
    if (el.isContentEditable || tag === "TEXTAREA" || tag === "SELECT") return;
    if (tag === "INPUT" && !["range", "checkbox"].includes(el.type)) return;
    const native = tag === "BUTTON" || tag === "SUMMARY" || tag === "A" || el.type === "checkbox";
    const arrows = tag !== "INPUT";
    const k = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    let done = true;
    if (k === "k" || (k === " " && !native)) toggle();
    else if (k === "j") skip(-15);
    else if (k === "l") skip(15);
    else if (k === "m") toggleMute();
    else if (arrows && k === "ArrowLeft") skip(-5);
    else if (arrows && k === "ArrowRight") skip(5);
    else if (arrows && k === "ArrowUp") { setVolume(audio.volume + 0.1); say("Lautstärke " + Math.round(audio.volume * 100) + " Prozent"); }
    else if (arrows && k === "ArrowDown") { setVolume(audio.volume - 0.1); say("Lautstärke " + Math.round(audio.volume * 100) + " Prozent"); }
    else done = false;
    if (done) e.preventDefault();
  });

  // Transcript: one tab stop; arrows move between sentences, Enter or Space jumps there.
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
  function pick(s) {
    const i = sentences.indexOf(s);
    rove(i);
    jump(starts[i]);
    if (audio.paused) say("Position " + spoken(starts[i]));
  }

  audio.addEventListener("play", () => { showPlaying(); say("Wiedergabe"); positionState(); });
  audio.addEventListener("pause", () => { showTime(true); showPlaying(); if (!audio.ended) say("Pause"); save(true); positionState(); });
  audio.addEventListener("ended", () => { showPlaying(); say("Ende des Beitrags"); save(true); });
  audio.addEventListener("timeupdate", () => { showTime(false); save(false); });
  audio.addEventListener("seeked", () => { showTime(true); save(true); positionState(); });
  audio.addEventListener("ratechange", () => { rate.value = String(audio.playbackRate); positionState(); });
  audio.addEventListener("volumechange", showVolume);
  // The render's own duration (in the page) names the length; the media's only bounds seeking.
  audio.addEventListener("durationchange", () => {
    if (!duration && isFinite(audio.duration)) { duration = audio.duration; seek.max = String(Math.ceil(duration)); showTime(true); }
    positionState();
  });
  audio.addEventListener("error", () => say("Die Audiodatei lässt sich nicht laden."));
  addEventListener("pagehide", () => save(true));
  addEventListener("hashchange", () => { const t = fromHash(); if (t !== null) startAt(t, "Position "); });

  follow.checked = typeof prefs.follow === "boolean" ? prefs.follow : !reduced.matches;
  large.checked = !!prefs.large;
  const applyPrefs = () => {
    box.classList.toggle("follow", follow.checked);
    document.documentElement.classList.toggle("large", large.checked);
    store(prefsKey, { follow: follow.checked, large: large.checked });
  };
  follow.addEventListener("change", () => { applyPrefs(); if (current >= 0) scrollTo(sentences[current]); });
  large.addEventListener("change", applyPrefs);
  applyPrefs();

  // Enhance: our controls replace the native ones; the audio element stays the single source.
  audio.controls = false;
  $("controls").hidden = false;
  for (const el of document.querySelectorAll(".js-only")) el.hidden = false;
  rove(0);
  if (saved.rate >= 0.5 && saved.rate <= 3) { audio.playbackRate = audio.defaultPlaybackRate = saved.rate; rate.value = String(saved.rate); }
  const hashT = fromHash();
  if (hashT !== null) startAt(hashT, "Position ");
  else if (saved.t > 1) startAt(saved.t, "Fortsetzen bei ");
  else showTime(true);
  showPlaying();
  showVolume();
  mediaSession();
})();
