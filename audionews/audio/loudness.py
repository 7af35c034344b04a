"""Broadcast loudness: ITU-R BS.1770 loudness and true peak, and segment normalization.

Podcasts aim at -16 LUFS as heard on two speakers, which for a mono file is -19 LUFS on its one
channel, with true peaks at or below -1 dBTP. Every cached segment is brought to that loudness
when it is synthesized, so a joined file needs no second pass: its silences are gated out of the
integrated measurement, and the speech in between is at the target throughout.
"""

from __future__ import annotations

import math

import numpy as np
import pyloudnorm
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import resample_poly

TARGET_LUFS = -19.0
# Below the -1 dBTP limit, leaving room for MP3 encoding, which can raise peaks a little.
PEAK_CEILING_DBTP = -2.0
FULL_SCALE = 32768.0
LOOKAHEAD_S = 0.005


def _samples(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype="<i2").astype(np.float64) / FULL_SCALE


def _loudness(data: np.ndarray, rate: int) -> float:
    if data.size == 0 or not np.any(data):
        return -math.inf
    # Clips shorter than one 400 ms block are measured as a single block of their length.
    block = min(0.4, data.size / rate)
    return float(pyloudnorm.Meter(rate, block_size=block).integrated_loudness(data))


def _peaks(data: np.ndarray) -> np.ndarray:
    """Return each sample's true-peak magnitude (the largest of its 4x oversampled values)."""
    over = np.abs(resample_poly(data, 4, 1))[: data.size * 4]
    return np.asarray(over.reshape(-1, 4).max(axis=1))


def loudness(pcm: bytes, rate: int) -> float:
    """Return the integrated loudness of s16le mono PCM in LUFS (-inf for silence)."""
    return _loudness(_samples(pcm), rate)


def true_peak(pcm: bytes, rate: int) -> float:
    """Return the true peak in dBTP (4x oversampling, as BS.1770-4 suggests)."""
    data = _samples(pcm)
    if data.size == 0:
        return -math.inf
    peak = float(_peaks(data).max())
    return 20 * math.log10(peak) if peak > 0 else -math.inf


def limit(data: np.ndarray, rate: int, ceiling_dbtp: float) -> np.ndarray:
    """Return `data` with a look-ahead limiter keeping true peaks at or below the ceiling."""
    ceiling = 10 ** (ceiling_dbtp / 20)
    peaks = _peaks(data)
    if peaks.size == 0 or peaks.max() <= ceiling:
        return data
    wanted = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))
    window = max(1, int(rate * LOOKAHEAD_S))
    # The gain starts falling one window before a peak and recovers one window after it;
    # averaging a minimum over twice the window never lets the gain rise above what a peak needs.
    held = minimum_filter1d(wanted, size=2 * window + 1, mode="nearest")
    smooth = uniform_filter1d(held, size=window, mode="nearest")
    return np.asarray(data * np.minimum(smooth, held))


def normalize(
    pcm: bytes,
    rate: int,
    target_lufs: float = TARGET_LUFS,
    ceiling_dbtp: float = PEAK_CEILING_DBTP,
) -> bytes:
    """Return `pcm` at `target_lufs` with true peaks at or below `ceiling_dbtp`."""
    data = _samples(pcm)
    for _ in range(4):
        current = _loudness(data, rate)
        if not math.isfinite(current) or abs(current - target_lufs) < 0.2:
            break
        # Limiting takes a little loudness away; a few rounds settle on the target.
        data = limit(data * 10 ** ((target_lufs - current) / 20), rate, ceiling_dbtp)
    return np.clip(np.round(data * FULL_SCALE), -32768, 32767).astype("<i2").tobytes()
