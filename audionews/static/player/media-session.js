/* Media Session: lock screens, headset and keyboard media keys. */

const supported = () => "mediaSession" in navigator;

/** Set the title shown on the lock screen and the handlers of the media keys. */
export function mediaSession(title, album, handlers) {
  if (!supported()) return;
  describe(title, album);
  for (const [action, fn] of Object.entries(handlers)) {
    try { navigator.mediaSession.setActionHandler(action, fn); } catch { /* unsupported action */ }
  }
}

export function describe(title, album) {
  if (!supported()) return;
  try {
    navigator.mediaSession.metadata = new MediaMetadata({ title, artist: "audionews", album });
  } catch { /* old browsers */ }
}

export function positionState(audio, duration) {
  if (!supported() || !navigator.mediaSession.setPositionState || !duration) return;
  try {
    navigator.mediaSession.setPositionState({
      duration, playbackRate: audio.playbackRate, position: Math.min(audio.currentTime, duration),
    });
  } catch { /* ignore */ }
}
