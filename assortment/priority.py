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
* Chromium raises its display and IO threads to nice -8 whenever it may, which it may when it
  runs as root (a container's default user: root holds ``CAP_SYS_NICE``). Measured here: ten
  threads of the batch's Chromium at -8, ahead of every request of the dashboard, while the
  batch itself ran at 10. :func:`children_cannot_raise_priority` takes that capability out of
  the bounding set of the thread that starts Chromium, so what it starts cannot have it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
from pathlib import Path

__all__ = ["MAX_NICE", "children_cannot_raise_priority", "lower_priority"]

MAX_NICE = 19

_PR_CAPBSET_DROP = 24  # <linux/prctl.h>
_CAP_SYS_NICE = 23  # <linux/capability.h>


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


def children_cannot_raise_priority() -> bool:
    """Drop ``CAP_SYS_NICE`` from the calling thread's capability bounding set: programs this
    thread (or a thread it creates later) starts cannot raise their priority above ours, even
    as root. This process keeps what it has (it only ever lowers itself).

    Returns True when dropped; False where there is nothing to drop or no right to (not
    Linux, not root: then the children could not raise their priority anyway).
    """
    if not Path("/proc/self/task").is_dir():
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_CAPBSET_DROP, _CAP_SYS_NICE, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False
