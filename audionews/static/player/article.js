/* The article page's player: enhances the native <audio>, which stays the single source of
   truth. A plain ES module, no build step (templates/article.html loads it); without it the
   page keeps the native controls, the downloads and the full text. */

import "./one-at-a-time.js";
import { announcer } from "./announce.js";
import { mediaSession, positionState } from "./media-session.js";
import { readAlong } from "./readalong.js";
import { letterKeys } from "./shortcuts.js";
import { fill, seekKeys } from "./slider.js";
import { load, PREFS, savePrefs, store, validRate } from "./store.js";
import { clock, plain, spoken, unit } from "./words.js";

const ICON_PLAY = "M7 4.5v15l12.5-7.5z", ICON_PAUSE = "M6 4.5h4v15H6zm8 0h4v15h-4z";

export function articlePlayer(root) {
  const $ = (id) => document.getElementById(id);
  const audio = $("audio");
  const play = $("play"), playLabel = $("play-label"), playIcon = $("play-icon");
  const seek = $("seek"), now = $("now"), rate = $("rate");
  const mute = $("mute"), volume = $("volume");
  const follow = $("follow"), large = $("large");
  const resumeRow = $("resume-row"), resume = $("resume");
  const chapterButtons = [...root.querySelectorAll(".chapter")];
  const chapters = chapterButtons.map((b) => ({ start: +b.dataset.start, label: b.dataset.label }));
  const key = "audionews:" + root.dataset.guid;
  const title = plain(root.dataset.title);
  const saved = load(key);
  const say = announcer($("status"));
  let duration = +root.dataset.duration || 0;
  let chapterIndex = -1, lastSaved = 0, touched = false;

  // --- actions ---
  const end = () => (isFinite(audio.duration) && audio.duration > 0 ? audio.duration : duration);
  const clamp = (t) => Math.min(Math.max(0, t), end() || t);
  const jump = (t) => { touched = true; audio.currentTime = clamp(t); showTime(true); };
  const failed = (err) => { if (err.name !== "AbortError") say("Die Wiedergabe ist nicht möglich."); };
  const toggle = () => { if (audio.paused) audio.play().catch(failed); else audio.pause(); };
  const skip = (delta) => {
    jump(audio.currentTime + delta);
    // In the focused position slider (a letter key) its new value is the announcement.
    say(unit(Math.abs(delta), "Sekunde", "Sekunden") + (delta < 0 ? " zurück" : " vor"), seek);
  };
  const toggleMute = () => { audio.muted = !audio.muted; say(audio.muted ? "Stumm" : "Ton an", mute); };
  const goChapter = (i) => {
    const c = chapters[i];
    if (!c) return;
    jump(c.start);
    say("Kapitel " + c.label);
  };
  // Back to this chapter's start, or to the one before when just after its start.
  const previousChapter = () => {
    const t = audio.currentTime;
    for (let n = chapters.length - 1; n >= 0; n--) if (chapters[n].start < t - 3) return goChapter(n);
    goChapter(0);
  };
  const nextChapter = () => {
    const n = chapters.findIndex((c) => c.start > audio.currentTime + 0.5);
    if (n >= 0) goChapter(n);
    else say("Kein weiteres Kapitel");
  };

  // --- display ---
  const highlight = readAlong({ box: $("transcript"), follow, jump, say, paused: () => audio.paused });
  function showTime(force) {
    const t = audio.currentTime;
    now.textContent = clock(Math.min(t, duration || t));
    // A focused slider announces every change of its value: it changes only when the listener
    // moves it, never by itself (playing, pausing), so it never chatters or doubles a message.
    if (force || document.activeElement !== seek) {
      seek.value = String(Math.round(t));
      seek.setAttribute("aria-valuetext", spoken(t) + " von " + spoken(duration));
      fill(seek);
    }
    highlight(t);
    let c = -1;
    chapters.forEach((ch, n) => { if (ch.start <= t + 0.05) c = n; });
    if (c !== chapterIndex) {
      chapterButtons.forEach((b, n) => (n === c ? b.setAttribute("aria-current", "true") : b.removeAttribute("aria-current")));
      chapterIndex = c;
    }
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
    fill(volume);
  }

  // --- resume: offered, never done by itself, and nothing said during page load ---
  function save(force) {
    if (!touched) return; // a visit without listening keeps the place a listener left
    const t = audio.currentTime;
    if (!force && Math.abs(t - lastSaved) < 1) return;
    lastSaved = t;
    const ended = audio.ended || (end() && t > end() - 2);
    store(key, { t: ended ? 0 : Math.round(t * 10) / 10 });
  }
  function fromHash() {
    const m = /^#t=(?:(\d+):)?(\d+(?:\.\d+)?)$/.exec(location.hash);
    return m ? (+(m[1] || 0)) * 60 + +m[2] : null;
  }
  function startAt(t) {
    const apply = () => { audio.currentTime = clamp(t); showTime(true); };
    if (audio.readyState >= 1) apply();
    else { audio.currentTime = t; audio.addEventListener("loadedmetadata", apply, { once: true }); }
    showTime(true);
  }
  function offerResume(t) {
    resume.textContent = "Weiterhören ab " + clock(t);
    resumeRow.hidden = false;
    resume.addEventListener("click", () => {
      startAt(t);
      touched = true;
      audio.play().catch(failed);
      showPlaying();
      play.focus(); // the offer goes away: focus lands on the button that now says "Pause"
      resumeRow.hidden = true;
    });
  }

  // --- wiring ---
  play.addEventListener("click", toggle);
  for (const b of root.querySelectorAll("[data-skip]")) b.addEventListener("click", () => skip(+b.dataset.skip));
  chapterButtons.forEach((b, i) => b.addEventListener("click", () => goChapter(i)));
  $("prev-chapter")?.addEventListener("click", previousChapter);
  $("next-chapter")?.addEventListener("click", nextChapter);
  for (const a of document.querySelectorAll("a[data-seek]")) {
    a.addEventListener("click", (e) => {
      e.preventDefault();
      history.replaceState(null, "", a.getAttribute("href"));
      jump(+a.dataset.seek);
      say("Kapitel " + a.dataset.label);
    });
  }
  rate.addEventListener("change", () => {
    audio.playbackRate = audio.defaultPlaybackRate = +rate.value;
    savePrefs({ rate: +rate.value }); // the menu speaks its new value itself
  });
  mute.addEventListener("click", toggleMute);
  volume.addEventListener("input", () => {
    audio.volume = Math.min(1, Math.max(0, +volume.value / 100));
    if (audio.volume > 0 && audio.muted) audio.muted = false;
  });
  seek.addEventListener("input", () => jump(+seek.value));
  seekKeys(seek, { now: () => audio.currentTime, end, jump, toggle });
  seek.addEventListener("blur", () => showTime(true));
  letterKeys(root, $("letters"), {
    k: toggle, j: () => skip(-15), l: () => skip(15), m: toggleMute, n: nextChapter, v: previousChapter,
  });

  audio.addEventListener("play", () => {
    touched = true;
    resumeRow.hidden = true;
    showPlaying();
    say("Wiedergabe", play);
    positionState(audio, end());
  });
  audio.addEventListener("pause", () => {
    showTime(false);
    showPlaying();
    if (!audio.ended) say("Pause", play);
    save(true);
    positionState(audio, end());
  });
  audio.addEventListener("ended", () => { showPlaying(); say("Ende des Beitrags"); save(true); });
  audio.addEventListener("timeupdate", () => { showTime(false); save(false); });
  audio.addEventListener("seeked", () => { showTime(true); save(true); positionState(audio, end()); });
  audio.addEventListener("ratechange", () => { rate.value = String(audio.playbackRate); positionState(audio, end()); });
  audio.addEventListener("volumechange", showVolume);
  // The render's own duration (in the page) names the length; the media's only bounds seeking.
  audio.addEventListener("durationchange", () => {
    if (!duration && isFinite(audio.duration)) { duration = audio.duration; seek.max = String(Math.ceil(duration)); showTime(true); }
    positionState(audio, end());
  });
  audio.addEventListener("error", () => say("Die Audiodatei lässt sich nicht laden."));
  addEventListener("pagehide", () => save(true));
  addEventListener("hashchange", () => {
    const t = fromHash();
    if (t === null) return;
    touched = true;
    startAt(t);
    say("Position " + spoken(t));
  });

  const prefs = load(PREFS);
  follow.checked = typeof prefs.follow === "boolean" ? prefs.follow : !matchMedia("(prefers-reduced-motion: reduce)").matches;
  large.checked = !!prefs.large;
  const applyPrefs = () => {
    $("transcript").classList.toggle("follow", follow.checked);
    document.documentElement.classList.toggle("large", large.checked);
    savePrefs({ follow: follow.checked, large: large.checked });
  };
  follow.addEventListener("change", applyPrefs);
  large.addEventListener("change", applyPrefs);
  applyPrefs();

  // Enhance: our controls replace the native ones.
  audio.controls = false;
  $("controls").hidden = false;
  for (const el of document.querySelectorAll(".js-only")) el.hidden = false;
  for (const el of document.querySelectorAll(".no-js")) el.hidden = true;
  const r = validRate(prefs.rate) ? +prefs.rate : validRate(saved.rate) ? +saved.rate : 1;
  audio.playbackRate = audio.defaultPlaybackRate = r;
  rate.value = String(r);
  const hashT = fromHash();
  if (hashT !== null) startAt(hashT);
  else { showTime(true); if (saved.t > 1) offerResume(saved.t); }
  showPlaying();
  showVolume();
  mediaSession(title, "audionews", {
    play: () => audio.play(), pause: () => audio.pause(),
    seekbackward: (d) => skip(-(d.seekOffset || 15)), seekforward: (d) => skip(d.seekOffset || 15),
    seekto: (d) => jump(d.seekTime), previoustrack: previousChapter, nexttrack: nextChapter,
  });
}

const root = document.querySelector("[data-player]");
if (root) articlePlayer(root);
