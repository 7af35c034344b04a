"""memory: peak memory of rendering a two-hour article with espeak, in a fresh subprocess.

Each child (`python -m bench.memory DIR ARTICLE`) imports what a render needs, notes its memory,
renders one article with espeak into an empty Storage in DIR and reports
`getrusage(RUSAGE_SELF).ru_maxrss` and `getrusage(RUSAGE_CHILDREN).ru_maxrss`. Three children, one
after the other: the seed article (a minute or two: the baseline), bench.article.long_article
(over 30 minutes) and the two-hour article (long_article with TWO_HOUR_COPIES copies of the
samples, every sentence distinct). Peak memory must not grow with the article's length: the
two-hour render is compared with the goal and with the seed article's peak.

Both ru_maxrss figures mislead on Linux: a process's ru_maxrss starts at the RSS its parent had
when it forked the process that exec'd it (so the child's figure is at least the benchmark
runner's size, and every ffmpeg child's at least the renderer's), and RUSAGE_CHILDREN is the
largest single child, not a sum. So the child also reports VmHWM from /proc/self/status (the
peak of its own address space, reset by exec) and samples, every 20 ms, the summed VmHWM of its
live child processes (up to two ffmpeg chunk encoders run at the same time).
Goal: VmHWM of the render process + the sampled children peak < 400 MB for the two-hour article.
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


ARTICLES = ("seed", "long", "two-hour")


def child(workdir: Path, which: str = "long") -> dict[str, Any]:
    """Render article `which` (ARTICLES) with espeak here and return the memory figures (kB)."""
    import time

    from audionews.render.renderer import Renderer
    from audionews.render.storage import Storage
    from audionews.tts import EngineChain, create

    from . import settings
    from .article import TWO_HOUR_COPIES, long_article, sample

    article = {
        "seed": sample,
        "long": long_article,
        "two-hour": lambda: long_article(TWO_HOUR_COPIES),
    }[which]()

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
        article.render_input("langer-artikel")
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
        "characters": len(article.summary) + len(article.body),
    }


def measure(which: str) -> dict[str, Any]:
    """Render article `which` in a fresh child process; return its figures (MB added)."""
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        proc = subprocess.run(
            [sys.executable, "-m", "bench.memory", tmp, which],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"memory child failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    data: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    mb = 1 / 1024
    data["own_mb"] = data["self_hwm_kb"] * mb
    data["sampled_mb"] = data["children_sampled_sum_peak_kb"] * mb
    data["peak_mb"] = data["own_mb"] + data["sampled_mb"]
    after = data["after_imports"]
    say(
        f"  {which}: {data['characters']} characters, {data['episode_seconds']:.1f} s of audio "
        f"({data['segments']} segments) in {data['render_seconds']:.1f} s"
    )
    say(
        f"    after imports: VmRSS {fmt(after['rss_kb'] * mb, 'MB')}, VmHWM "
        f"{fmt(after['hwm_kb'] * mb, 'MB')}, ru_maxrss {fmt(after['maxrss_kb'] * mb, 'MB')} "
        f"(inherited from the runner at exec); peak: VmHWM {fmt(data['own_mb'], 'MB')}, "
        f"ru_maxrss self {fmt(data['self_maxrss_kb'] * mb, 'MB')}, RUSAGE_CHILDREN "
        f"{fmt(data['children_maxrss_kb'] * mb, 'MB')}, sampled children at once "
        f"{fmt(data['sampled_mb'], 'MB')} (up to {data['most_children_at_once']} processes); "
        f"self + children {fmt(data['peak_mb'], 'MB')}"
    )
    return data


def run() -> list[Row]:
    results = {which: measure(which) for which in ARTICLES}
    seed, two_hours = results["seed"], results["two-hour"]
    peak = two_hours["peak_mb"]
    say(
        f"  two-hour article: peak {fmt(peak, 'MB')} = {peak / GOAL_MB:.2f} of the "
        f"{GOAL_MB:g} MB goal, {peak / seed['peak_mb']:.2f}x the seed article's "
        f"{fmt(seed['peak_mb'], 'MB')}"
    )
    goal = f"value < {GOAL_MB:g} MB"
    base = seed["peak_mb"]
    return [
        Row(
            NAME,
            f"two-hour espeak render ({two_hours['episode_seconds'] / 60:.0f} min): "
            "self + children",
            peak,
            base,
            "MB",
            limit=GOAL_MB,
            goal_on="value",
            goal=goal,
            notes=results,
        ),
        Row(
            NAME, "  two-hour: self, VmHWM", two_hours["own_mb"], seed["own_mb"], "MB", goal="info"
        ),
        Row(
            NAME,
            "  two-hour: children at once, sampled VmHWM",
            two_hours["sampled_mb"],
            seed["sampled_mb"],
            "MB",
            goal="info",
        ),
        Row(
            NAME,
            f"long espeak render ({results['long']['episode_seconds'] / 60:.0f} min): "
            "self + children",
            results["long"]["peak_mb"],
            base,
            "MB",
            goal="info",
        ),
    ]


if __name__ == "__main__":
    print(json.dumps(child(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "long")))
