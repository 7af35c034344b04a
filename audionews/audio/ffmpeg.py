"""Find an ffmpeg binary: a system one when present, else the one in the imageio-ffmpeg wheel."""

from __future__ import annotations

import functools
import shutil
import warnings


@functools.cache
def ffmpeg_path() -> str:
    """Return the ffmpeg executable and point pydub at it."""
    path = shutil.which("ffmpeg")
    if path is None:
        import imageio_ffmpeg

        path = imageio_ffmpeg.get_ffmpeg_exe()
    with warnings.catch_warnings():
        # pydub warns at import when ffmpeg is not on PATH; we set it right below.
        warnings.simplefilter("ignore", RuntimeWarning)
        from pydub import AudioSegment

    AudioSegment.converter = path
    AudioSegment.ffmpeg = path
    return path
