"""What every benchmark script shares: the machine line and rewriting its own section of BENCHMARKS.md."""

from __future__ import annotations

import os
import platform
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"


def machine() -> str:
    """Cores, CPU model, memory, OS and Python: where the figures came from."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, {platform.system()} {platform.machine()},"
        f" Python {platform.python_version()}"
    )


def write_section(text: str, path: Path = BENCHMARKS_MD) -> None:
    """Replace (or append) the section that ``text`` starts with (its ``## `` heading); others stay."""
    heading = text.splitlines()[0].rstrip()
    old = (
        path.read_text("utf-8")
        if path.exists()
        else "# Benchmarks\n\nLatest figures; each section is rewritten by its benchmark.\n"
    )
    start = old.find(heading + "\n")
    if start < 0:
        new = old.rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n"
    else:
        nxt = old.find("\n## ", start + len(heading))
        new = old[:start] + text.rstrip("\n") + "\n" + (old[nxt:] if nxt >= 0 else "")
    path.write_text(new.rstrip("\n") + "\n", "utf-8")
