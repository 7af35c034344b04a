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
from scipy.signal import firwin

TARGET_LUFS = -19.0
# Below the -1 dBTP limit, leaving room for MP3 encoding, which can raise peaks a little.
PEAK_CEILING_DBTP = -2.0
FULL_SCALE = 32768.0
LOOKAHEAD_S = 0.005
INTERSAMPLE_MARGIN_DB = 1.0
MIN_SECONDS = 0.02  # shorter crumbs are left as they are


def _samples(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype="<i2").astype(np.float64) / FULL_SCALE


def _loudness(data: np.ndarray, rate: int) -> float:
    if data.size < rate * MIN_SECONDS or not np.any(data):
        return -math.inf
    # Clips shorter than one 400 ms block are measured as a single block of nearly their length
    # (pyloudnorm wants the audio strictly longer than a block).
    block = min(0.4, (data.size - 1) / rate)
    return float(pyloudnorm.Meter(rate, block_size=block).integrated_loudness(data))


# A 48-tap, 4-phase interpolation filter, the shape BS.1770-4 Annex 2 uses for true peak:
# row k holds the 12 taps that compute the k-th of the four values around each sample.
_TAPS = 12
_PHASES = np.stack([firwin(48, 0.25)[k::4] * 4 for k in range(4)])
_OFFSETS = np.arange(_TAPS)


def _peaks(data: np.ndarray, floor: float = 0.0) -> np.ndarray:
    """Return each sample's true-peak magnitude (the largest of its 4x oversampled values).

    Only samples at or above `floor` are oversampled: quieter ones cannot reach a ceiling far
    above them, and skipping them makes this cheap enough to run on every segment.
    """
    peaks = np.abs(data)
    index = np.flatnonzero(peaks >= floor)
    if index.size:
        half = _TAPS // 2
        padded = np.pad(data, (half, half))
        # The window of 12 neighbours around each chosen sample, reversed for a convolution.
        windows = padded[index[:, None] + _OFFSETS[::-1]]
        oversampled = np.abs(windows @ _PHASES.T).max(axis=1)
        peaks[index] = np.maximum(peaks[index], oversampled)
    return peaks


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


def limiter_gain(peaks: np.ndarray, rate: int, ceiling_dbtp: float) -> np.ndarray:
    """Return per-sample gains that keep `peaks` at or below the ceiling, with look-ahead."""
    ceiling = 10 ** (ceiling_dbtp / 20)
    if peaks.size == 0 or peaks.max() <= ceiling:
        return np.ones_like(peaks)
    wanted = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))
    window = max(1, int(rate * LOOKAHEAD_S))
    # The gain starts falling one window before a peak and recovers one window after it;
    # averaging a minimum over twice the window never lets the gain rise above what a peak needs.
    held = minimum_filter1d(wanted, size=2 * window + 1, mode="nearest")
    smooth = uniform_filter1d(held, size=window, mode="nearest")
    return np.asarray(np.minimum(smooth, held))


def normalize(
    pcm: bytes,
    rate: int,
    target_lufs: float = TARGET_LUFS,
    ceiling_dbtp: float = PEAK_CEILING_DBTP,
) -> bytes:
    """Return `pcm` at `target_lufs` with true peaks at or below `ceiling_dbtp`."""
    data = _samples(pcm)
    current = _loudness(data, rate)
    if not math.isfinite(current):
        return pcm
    gain = 10 ** ((target_lufs - current) / 20)
    sample_peak = float(np.max(np.abs(data))) * gain
    # Speech rarely peaks more than a fraction of a dB between samples: with this much
    # headroom the oversampled peak search (most of the cost here) can be skipped.
    if 20 * math.log10(sample_peak) <= ceiling_dbtp - INTERSAMPLE_MARGIN_DB:
        out = data * gain
    else:
        # True peaks scale with the gain, so one oversampled search serves every round; samples
        # more than 9 dB below the ceiling (at up to 3 dB more gain) cannot reach it.
        floor = 10 ** ((ceiling_dbtp - 12) / 20) / gain
        peaks = _peaks(data, floor)
        for _ in range(4):
            out = data * gain * limiter_gain(peaks * gain, rate, ceiling_dbtp)
            current = _loudness(out, rate)
            if abs(current - target_lufs) < 0.2:
                break
            # Limiting takes a little loudness away; a few rounds settle on the target.
            gain *= 10 ** ((target_lufs - current) / 20)
    return np.clip(np.round(out * FULL_SCALE), -32768, 32767).astype("<i2").tobytes()
