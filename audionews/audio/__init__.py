"""Audio work: PCM helpers, decoding, MP3 encoding, ID3 tags.

All PCM in this project is signed 16-bit little-endian mono at `RATE` Hz.
"""

RATE = 24_000
SAMPLE_WIDTH = 2
