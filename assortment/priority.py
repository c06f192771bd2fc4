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
* A thread's nice value only weighs against threads of the same *session* where the kernel
  groups sessions (``CONFIG_SCHED_AUTOGROUP``, on by default in Debian's and Ubuntu's
  kernels; ``/proc/sys/kernel/sched_autogroup_enabled``): each session (a cron job, a login
  shell, a service started by a script) gets an equal share of the CPU, whatever its threads'
  nice values. Measured here: two busy loops on one core, one at nice 0 and one at nice 19 in
  another session, got 50% each; with the second session's group at nice 19, 98% and 1%.
  :func:`session_priority` lowers the session's group too, for as long as the batch runs,
  and puts back what it found, unless the session has a terminal (someone's shell: a batch
  killed with SIGKILL there could not put it back, and the shell would stay lowered).
  Chromium starts in a session of its own (choreographer does that):
  :func:`child_session_like_ours` gives its group the batch's priority.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "MAX_NICE",
    "background",
    "child_session_like_ours",
    "children_cannot_raise_priority",
    "lower_priority",
    "session_priority",
]

MAX_NICE = 19

#: This process's session group ("/autogroup-770 nice 0"); absent without autogroup support.
AUTOGROUP = Path("/proc/self/autogroup")

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


def _session_nice(group: Path = AUTOGROUP) -> int | None:
    """The nice value of a session group (default: this process's), None where there is
    none to read."""
    try:
        return int(group.read_text().split()[-1])
    except (OSError, ValueError, IndexError):
        return None


def _has_terminal() -> bool:
    """Whether this process's session has a controlling terminal (``tty_nr`` in /proc)."""
    try:
        return int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[4]) != 0
    except (OSError, ValueError, IndexError):
        return True  # unknown: leave the session alone


def _set_session_nice(nice: int, group: Path = AUTOGROUP) -> bool:
    try:
        group.write_text(str(nice))
    except OSError:
        return False
    return True


def child_session_like_ours(pid: int) -> int | None:
    """Lower the session group of child process ``pid``, started in a session of its own (as
    choreographer starts Chromium), to this thread's priority or this process's session
    group's, whichever is lower; returns the child's group's nice value afterwards (None
    without autogroup). Lowering only: a child's group already lower stays as it is."""
    nice = max(os.getpriority(os.PRIO_PROCESS, 0), _session_nice() or 0)
    group = Path(f"/proc/{pid}/autogroup")
    current = _session_nice(group)
    if current is None or nice <= current:
        return current
    return nice if _set_session_nice(nice, group) else current


@contextlib.contextmanager
def session_priority(nice: int) -> Iterator[int | None]:
    """Lower this process's session group (Linux autogroup) to at least ``nice`` (0-19) for
    the block, then put back the value found; yields the group's nice value inside the block
    (None without autogroup). Lowering only, as :func:`lower_priority`: a group already above
    ``nice`` stays, and ``0`` changes nothing. Any user may lower its own group; putting back
    a value of 0 or more needs no privilege either.

    Every process of the session shares the group, so a session with a terminal (a shell
    someone types in) is left as it is: a batch killed there with SIGKILL could not put the
    value back. Cron, systemd and scripts start the batch without a terminal; in a shell,
    ``setsid -w assortment monthly ...`` gives it a session of its own."""
    nice = max(0, min(MAX_NICE, nice))
    before = _session_nice()
    if before is None or nice <= before or _has_terminal() or not _set_session_nice(nice):
        yield before
        return
    try:
        yield nice
    finally:
        _set_session_nice(before)


@contextlib.contextmanager
def background(nice: int) -> Iterator[None]:
    """Run the block as background work at ``nice``: every thread of this process
    (:func:`lower_priority`, for good) and its session group (:func:`session_priority`, for
    the block)."""
    lower_priority(nice)
    with session_priority(nice):
        yield
