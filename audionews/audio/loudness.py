"""Broadcast loudness: ITU-R BS.1770 loudness and true peak, and segment normalization.

Podcasts aim at -16 LUFS as heard on two speakers, which for a mono file is -19 LUFS on its one
channel, with true peaks at or below -1 dBTP. Every cached segment is brought to that loudness
when it is synthesized. A joined file still lands a few tenths low (blocks that straddle its
pauses count, and LAME plays 0.45 dB quieter than its input), so `render.assemble` measures each
file as a whole with `FileMeter` and corrects it with `apply_gain` at assembly.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

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
APPLY_GAIN_FLOOR_DB = 6.0
BLOCK_SAMPLES = 1 << 17  # about 6 s at 22.05 kHz
# The limiter's ceiling for a file's gain at assembly, as for the segments: -1.5 was tried, and
# at -16 LUFS LAME's overshoot took files to -0.95 dBTP.
ASSEMBLY_CEILING_DBTP = PEAK_CEILING_DBTP


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
    # Far from every peak over the ceiling the gain is 1: work only on the stretches around
    # them (with margins wider than both filters, so the result is the same as over the whole).
    margin = 3 * window + 2
    over = np.flatnonzero(wanted < 1.0)
    breaks = np.flatnonzero(np.diff(over) > 2 * margin)
    gains = np.ones_like(peaks)
    for first, last in zip(
        np.concatenate([[0], breaks + 1]), np.concatenate([breaks, [over.size - 1]]), strict=True
    ):
        start, stop = max(0, over[first] - margin), min(peaks.size, over[last] + margin + 1)
        part = wanted[start:stop]
        # The gain starts falling one window before a peak and recovers one window after it;
        # averaging a minimum over twice the window never lets the gain rise above what a peak
        # needs.
        held = minimum_filter1d(part, size=2 * window + 1, mode="nearest")
        smooth = uniform_filter1d(held, size=window, mode="nearest")
        gains[start:stop] = np.minimum(smooth, held)
    return gains


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


def _raw(pcm: bytes) -> np.ndarray:
    """Return s16le `pcm` as an int16 view (no copy)."""
    return np.frombuffer(pcm, dtype="<i2")


def _regions(count: int, margin: int) -> Iterator[tuple[int, int, int, int]]:
    """Yield (start, stop, lo, hi): BLOCK_SAMPLES blocks of `count` and their `margin`-wide context.

    A whole chunk's audio in float64 would cost 8 bytes a sample several times over (a chunk
    may hold minutes); a block at a time keeps it a few MB, with context wide enough that the
    result is what the whole would give.
    """
    for start in range(0, count, BLOCK_SAMPLES):
        stop = min(count, start + BLOCK_SAMPLES)
        yield start, stop, max(0, start - margin), min(count, stop + margin)


def peak_of(pcm: bytes) -> float:
    """Return the true peak of s16le `pcm` as a magnitude (1.0 = full scale; 4x oversampled).

    Only samples within a few dB of the loudest are oversampled: a speech signal's true peak
    lies a fraction of a dB above its samples.
    """
    raw = _raw(pcm)
    if not raw.size:
        return 0.0
    loudest = float(np.max(np.abs(raw.astype(np.int32)))) / FULL_SCALE
    floor = loudest * 10 ** (-APPLY_GAIN_FLOOR_DB / 20)
    peak = 0.0
    for start, stop, lo, hi in _regions(raw.size, _TAPS):
        peaks = _peaks(raw[lo:hi].astype(np.float64) / FULL_SCALE, floor)
        peak = max(peak, float(peaks[start - lo : stop - lo].max()))
    return peak


def limits(peak: float, gain_db: float, ceiling_dbtp: float = ASSEMBLY_CEILING_DBTP) -> bool:
    """Return whether `apply_gain` limits audio of true peak `peak` (`peak_of`) at `gain_db`."""
    if peak <= 0:
        return False
    return 20 * math.log10(peak) + gain_db > ceiling_dbtp


def apply_gain(
    pcm: bytes,
    rate: int,
    gain_db: float,
    ceiling_dbtp: float = ASSEMBLY_CEILING_DBTP,
    peak: float | None = None,
) -> bytes:
    """Return s16le mono `pcm` scaled by `gain_db`, true peaks limited to `ceiling_dbtp`.

    The gain a file gets at assembly (its loudness measured as a whole, see `FileMeter`):
    the cached segments stay as they are. Audio whose true peaks (`peak`, if known: `peak_of`)
    stay under the ceiling is only scaled. Works a block at a time (`_regions`).
    """
    raw = _raw(pcm)
    if not raw.size or not gain_db:
        return pcm
    gain = 10 ** (gain_db / 20)
    limit = limits(peak_of(pcm) if peak is None else peak, gain_db, ceiling_dbtp)
    # The gain is fixed here: only samples within a few dB of the ceiling can have true peaks
    # over it. The limiter reaches 3 windows and the oversampling 12 taps around a sample.
    floor = 10 ** ((ceiling_dbtp - APPLY_GAIN_FLOOR_DB) / 20)
    margin = 3 * max(1, int(rate * LOOKAHEAD_S)) + 2 + _TAPS
    out = np.empty(raw.size, dtype="<i2")
    for start, stop, lo, hi in _regions(raw.size, margin if limit else 0):
        block = raw[lo:hi].astype(np.float64) * (gain / FULL_SCALE)
        if limit:
            block *= limiter_gain(_peaks(block, floor), rate, ceiling_dbtp)
        kept = block[start - lo : stop - lo]
        out[start:stop] = np.clip(np.round(kept * FULL_SCALE), -32768, 32767)
    return out.tobytes()


# Integrated loudness of a whole file, streamed ---------------------------------------------
#
# BS.1770 gates 400 ms blocks every 100 ms. A file is measured from the energy of its
# K-weighted samples in short granules (a fifth of a step, 20 ms), summed per chunk of PCM
# and placed where the chunk plays; blocks are sums of granules. A chunk's granules are
# computed once (the filter starts at rest: every chunk follows tens of milliseconds of
# silence, in which the filter's response dies out) and kept in a small memory cache, so a
# re-render that changed one sentence filters one chunk again, not the whole article.

BLOCK_SECONDS = 0.4
STEPS_PER_BLOCK = 4
GRANULES_PER_STEP = 5
ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0


def _k_weighting(rate: int) -> np.ndarray:
    """Return the K-weighting filter at `rate` as second-order sections (as pyloudnorm's)."""
    from pyloudnorm.iirfilter import IIRfilter

    shelf = IIRfilter(4.0, 1 / math.sqrt(2), 1500.0, rate, "high_shelf")
    high_pass = IIRfilter(0.0, 0.5, 38.0, rate, "high_pass")
    return np.array([np.concatenate([f.b, f.a]) for f in (shelf, high_pass)])


def granule_samples(rate: int) -> int:
    """Return the samples of one granule: a fifth of a 100 ms step (the step if it won't split)."""
    step = round(rate * BLOCK_SECONDS / STEPS_PER_BLOCK)
    return step // GRANULES_PER_STEP if step % GRANULES_PER_STEP == 0 else step


def granule_energies(pcm: bytes, rate: int) -> np.ndarray:
    """Return the K-weighted energy (sum of squares) of each granule of s16le mono `pcm`."""
    from scipy.signal import sosfilt

    raw = _raw(pcm)
    size = granule_samples(rate)
    if not raw.size:
        return np.zeros(0)
    sos = _k_weighting_cached(rate)
    state = np.zeros((sos.shape[0], 2))  # the filter carries on from block to block
    block = size * (BLOCK_SAMPLES // size)
    sums = []
    for start in range(0, raw.size, block):
        data = raw[start : start + block].astype(np.float64) / FULL_SCALE
        weighted, state = sosfilt(sos, data, zi=state)
        count = -(-data.size // size)
        squares = np.zeros(count * size)
        squares[: data.size] = weighted * weighted
        sums.append(squares.reshape(count, size).sum(axis=1))
    return np.concatenate(sums)


_FILTERS: dict[int, np.ndarray] = {}


def _k_weighting_cached(rate: int) -> np.ndarray:
    if rate not in _FILTERS:
        _FILTERS[rate] = _k_weighting(rate)
    return _FILTERS[rate]


class FileMeter:
    """The integrated loudness of one file put together from pieces at known positions."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.granule = granule_samples(rate)
        self.per_step = round(rate * BLOCK_SECONDS / STEPS_PER_BLOCK) // self.granule
        self.samples = 0
        self._energy = np.zeros(0)

    def _grow(self, granules: int) -> None:
        if granules > self._energy.size:
            grown = np.zeros(max(granules, 2 * self._energy.size))
            grown[: self._energy.size] = self._energy
            self._energy = grown

    def add(self, position: int, energies: np.ndarray, samples: int) -> None:
        """Add a piece of `samples` at sample `position` whose granules have `energies`."""
        self.samples = max(self.samples, position + samples)
        if not energies.size:
            return
        first, offset = divmod(position, self.granule)
        self._grow(first + energies.size + 1)
        # A granule of the piece straddles two of the file: share its energy out by overlap.
        later = offset / self.granule
        self._energy[first : first + energies.size] += energies * (1 - later)
        self._energy[first + 1 : first + 1 + energies.size] += energies * later

    def loudness(self) -> float:
        """Return the integrated loudness in LUFS as BS.1770-4 gates it (-inf for silence)."""
        block = round(BLOCK_SECONDS * self.rate)
        if self.samples <= block:
            return -math.inf
        steps = round((self.samples / self.rate - BLOCK_SECONDS) / (BLOCK_SECONDS / 4)) + 1
        width = self.per_step * STEPS_PER_BLOCK
        energy = np.zeros(steps * self.per_step + width)
        used = min(self._energy.size, energy.size)
        energy[:used] = self._energy[:used]
        sums = np.concatenate([[0.0], np.cumsum(energy)])
        starts = np.arange(steps) * self.per_step
        z = (sums[starts + width] - sums[starts]) / block
        with np.errstate(divide="ignore"):
            levels = -0.691 + 10 * np.log10(z)
        above = z[levels >= ABSOLUTE_GATE_LUFS]
        if not above.size:
            return -math.inf
        relative = -0.691 + 10 * math.log10(float(above.mean())) + RELATIVE_GATE_LU
        gated = z[(levels > relative) & (levels > ABSOLUTE_GATE_LUFS)]
        if not gated.size:
            return -math.inf
        return -0.691 + 10 * math.log10(float(gated.mean()))
