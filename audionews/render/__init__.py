"""From an article's text to published files: speech script, segment cache, MP3s, sidecars."""
