"""Background work at a lower CPU priority, so the dashboard's requests go first on a shared
machine.

Choices:

* ``nice`` rather than cgroups or CPU shares: it needs no privileges, works inside any
  container, and is what an operator expects of a batch (``nice assortment monthly`` does the
  same from the shell). A niced process still gets every idle cycle: the batch is slower only
  while the dashboard is busy.
* Linux keeps the nice value per *thread*, and a thread created later inherits its creator's
  value. Imports may already have started threads (thread pools), so every thread of the
  process is lowered, not only the calling one; children started afterwards (Chromium for
  the PDFs) inherit the lowered value.
* Lowering only: a value already above the wanted one (the batch started under ``nice -n 15``)
  stays. Raising the priority back would need privileges, so it is never attempted.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

__all__ = ["MAX_NICE", "lower_priority"]

MAX_NICE = 19


def _threads() -> list[int]:
    """Thread ids of this process (just this one where /proc is missing)."""
    try:
        return [int(p.name) for p in Path("/proc/self/task").iterdir() if p.name.isdigit()]
    except OSError:
        return [0]


def lower_priority(nice: int) -> int:
    """Lower this process (each of its threads) to at least ``nice`` (0-19); returns the nice
    value of the calling thread afterwards. ``0`` leaves the priority as it is."""
    nice = max(0, min(MAX_NICE, nice))
    if nice > 0:
        for tid in _threads():
            # a thread that ended meanwhile, or a platform without per-thread values: skip
            with contextlib.suppress(OSError):
                if os.getpriority(os.PRIO_PROCESS, tid) < nice:
                    os.setpriority(os.PRIO_PROCESS, tid, nice)
    return os.getpriority(os.PRIO_PROCESS, 0)
