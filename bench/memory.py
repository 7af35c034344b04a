"""memory: peak memory of rendering the long article with espeak, in a fresh subprocess.

The child (`python -m bench.memory DIR`) imports what a render needs, notes its memory (the
baseline), renders bench.article.long_article with espeak into an empty Storage in DIR and
reports `getrusage(RUSAGE_SELF).ru_maxrss` and `getrusage(RUSAGE_CHILDREN).ru_maxrss`.

Both ru_maxrss figures mislead on Linux: a process's ru_maxrss starts at the RSS its parent had
when it forked the process that exec'd it (so the child's figure is at least the benchmark
runner's size, and every ffmpeg child's at least the renderer's), and RUSAGE_CHILDREN is the
largest single child, not a sum. So the child also reports VmHWM from /proc/self/status (the
peak of its own address space, reset by exec) and samples, every 20 ms, the summed VmHWM of its
live child processes (up to two ffmpeg chunk encoders run at the same time).
Goal: VmHWM of the render process + the sampled children peak < 400 MB.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from . import Row, fmt, say

NAME = "memory"
GOAL_MB = 400.0
SAMPLE_SECONDS = 0.020


def _kb(field: str, pid: str = "self") -> int:
    """Return a VmRSS-style field of /proc/<pid>/status in kB (0 if unreadable)."""
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _comm(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _children() -> list[str]:
    """Return the pids of this process's children that have exec'd (ffmpeg).

    A child caught between fork and exec still shares this process's memory (Python's
    subprocess uses vfork), so it would count this process twice.
    """
    own = _comm("self")
    pids: list[str] = []
    for task in Path("/proc/self/task").iterdir():
        try:
            pids += (task / "children").read_text().split()
        except OSError:
            continue
    return [pid for pid in pids if _comm(pid) not in ("", own)]


class Sampler(threading.Thread):
    """Track the peak of the summed RSS of this process's children."""

    def __init__(self) -> None:
        super().__init__(name="rss-sampler", daemon=True)
        self.stop = threading.Event()
        self.children_peak_kb = 0
        self.most_children = 0

    def run(self) -> None:
        while not self.stop.wait(SAMPLE_SECONDS):
            pids = _children()
            total = sum(_kb("VmHWM", pid) for pid in pids)
            self.children_peak_kb = max(self.children_peak_kb, total)
            self.most_children = max(self.most_children, len(pids))


def child(workdir: Path) -> dict[str, Any]:
    """Render the long article with espeak here and return the memory figures (kB)."""
    import time

    from audionews.render.renderer import Renderer
    from audionews.render.storage import Storage
    from audionews.tts import EngineChain, create

    from . import settings
    from .article import long_article

    after_imports = {
        "rss_kb": _kb("VmRSS"),
        "hwm_kb": _kb("VmHWM"),
        "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }
    sampler = Sampler()
    sampler.start()
    start = time.perf_counter()
    engine = create("espeak", settings())
    output = Renderer(Storage(workdir), EngineChain(engine, None, 300)).render(
        long_article().render_input("langer-artikel")
    )
    seconds = time.perf_counter() - start
    sampler.stop.set()
    sampler.join()
    return {
        "after_imports": after_imports,
        "self_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "self_hwm_kb": _kb("VmHWM"),
        "children_maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        "children_sampled_sum_peak_kb": sampler.children_peak_kb,
        "most_children_at_once": sampler.most_children,
        "render_seconds": seconds,
        "episode_seconds": output.durations["episode"],
        "segments": output.synthesized,
    }


def run() -> list[Row]:
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        proc = subprocess.run(
            [sys.executable, "-m", "bench.memory", tmp],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"memory child failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    mb = 1 / 1024
    base = data["after_imports"]["hwm_kb"] * mb
    own = data["self_hwm_kb"] * mb
    own_maxrss = data["self_maxrss_kb"] * mb
    children = data["children_maxrss_kb"] * mb
    sampled = data["children_sampled_sum_peak_kb"] * mb
    after = data["after_imports"]
    say(
        f"  child rendered {data['episode_seconds']:.1f} s of audio ({data['segments']} segments) "
        f"in {data['render_seconds']:.1f} s"
    )
    say(
        f"  after imports: VmRSS {fmt(after['rss_kb'] * mb, 'MB')}, VmHWM {fmt(base, 'MB')}, "
        f"ru_maxrss {fmt(after['maxrss_kb'] * mb, 'MB')} (inherited from the runner at exec); "
        f"peak: VmHWM {fmt(own, 'MB')}, ru_maxrss self {fmt(own_maxrss, 'MB')}, "
        f"RUSAGE_CHILDREN {fmt(children, 'MB')}, sampled children at once {fmt(sampled, 'MB')} "
        f"(up to {data['most_children_at_once']} processes)"
    )
    goal = f"value < {GOAL_MB:g} MB"
    return [
        Row(
            NAME,
            "long espeak render: self + children",
            own + sampled,
            base,
            "MB",
            limit=GOAL_MB,
            goal_on="value",
            goal=goal,
            notes=data,
        ),
        Row(NAME, "  self, VmHWM", own, base, "MB", goal="info"),
        Row(NAME, "  children at once, sampled VmHWM", sampled, base, "MB", goal="info"),
        Row(
            NAME,
            "  self, RUSAGE_SELF ru_maxrss",
            own_maxrss,
            after["maxrss_kb"] * mb,
            "MB",
            goal="info: includes the runner",
        ),
        Row(
            NAME,
            "  children, RUSAGE_CHILDREN",
            children,
            base,
            "MB",
            goal="info: largest one, pre-exec",
        ),
    ]


if __name__ == "__main__":
    print(json.dumps(child(Path(sys.argv[1]))))
