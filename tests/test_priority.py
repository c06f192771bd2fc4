"""The monthly batch runs at a lower CPU priority than the dashboard (ASSORTMENT_BATCH_NICE)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assortment import cli, config, priority
from assortment.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_batch_nice_is_10_by_default_and_read_from_the_environment(monkeypatch) -> None:
    monkeypatch.delenv("ASSORTMENT_BATCH_NICE", raising=False)
    assert config.batch_nice() == 10
    monkeypatch.setenv("ASSORTMENT_BATCH_NICE", "0")
    assert config.batch_nice() == 0
    monkeypatch.setenv("ASSORTMENT_BATCH_NICE", "19")
    assert config.batch_nice() == 19


@pytest.mark.parametrize("bad", ["20", "-1", "low"])
def test_a_nice_value_out_of_range_is_a_config_error_naming_it(monkeypatch, bad: str) -> None:
    monkeypatch.setenv("ASSORTMENT_BATCH_NICE", bad)
    with pytest.raises(ConfigError, match="ASSORTMENT_BATCH_NICE"):
        config.batch_nice()


def test_the_monthly_command_lowers_its_priority_before_it_starts(monkeypatch, tmp_path) -> None:
    order: list[tuple[str, object]] = []
    monkeypatch.setenv("ASSORTMENT_BATCH_NICE", "7")
    monkeypatch.setattr(priority, "lower_priority", lambda nice: order.append(("nice", nice)))
    import assortment.report as report

    def run(*args: object, **kwargs: object) -> None:
        order.append(("run", kwargs["out"]))
        order.append(("session", priority._session_nice()))  # noqa: SLF001 - under test

    monkeypatch.setattr(report, "run_monthly", run)
    before = priority._session_nice()  # noqa: SLF001 - under test
    result = CliRunner().invoke(cli.app, ["monthly", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    # the session group is lowered while the batch runs (where the kernel groups sessions)
    lowers = before is not None and GROUPS_SESSIONS and not priority._has_terminal()  # noqa: SLF001
    inside = max(before, 7) if lowers else before
    assert order == [("nice", 7), ("run", tmp_path), ("session", inside)]
    assert priority._session_nice() == before  # noqa: SLF001 - put back afterwards


def _nice_of_threads(code: str, env: dict[str, str] | None = None) -> list[int]:
    """Run ``code`` in a fresh interpreter that has a second thread already running, then
    print the nice value of each of the process's threads."""
    script = textwrap.dedent(
        """
        import os, threading, time
        from pathlib import Path
        go = threading.Event()
        worker = threading.Thread(target=go.wait, daemon=True)
        worker.start()  # a pool's thread, started before the priority is lowered
        {code}
        print(" ".join(
            Path(f"/proc/self/task/{{t}}/stat").read_text().rsplit(")", 1)[1].split()[16]
            for t in os.listdir("/proc/self/task")
        ))
        go.set()
        """
    ).format(code=code)
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    return [int(v) for v in out.stdout.split()]


LINUX = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")


@LINUX
def test_every_thread_of_the_process_is_lowered() -> None:
    own = os.getpriority(os.PRIO_PROCESS, 0)
    niced = _nice_of_threads("from assortment.priority import lower_priority; lower_priority(7)")
    assert niced == [max(own, 7)] * 2


@LINUX
def test_zero_leaves_the_priority_and_a_lower_one_is_never_raised() -> None:
    own = os.getpriority(os.PRIO_PROCESS, 0)
    same = _nice_of_threads("from assortment.priority import lower_priority; lower_priority(0)")
    assert same == [own] * 2
    # the main thread already at 15 (nice -n 15): it stays there, the other one goes to 5
    mixed = _nice_of_threads(
        "os.setpriority(os.PRIO_PROCESS, 0, 15)\n"
        "from assortment.priority import lower_priority\n"
        "assert lower_priority(5) == 15"
    )
    assert sorted(mixed) == sorted([max(own, 15), max(own, 5)])


#: A kernel that groups sessions (autogroup), with the group's nice value ours to set.
GROUPS_SESSIONS = priority.AUTOGROUP.exists() and os.access(priority.AUTOGROUP, os.W_OK)
AUTOGROUP = pytest.mark.skipif(
    not GROUPS_SESSIONS, reason="needs a kernel that groups sessions (autogroup), writable"
)


def _in_own_session(code: str) -> list[str]:
    """Run ``code`` in a fresh interpreter that leads a session of its own (as a cron job
    does); what it prints, split."""
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        start_new_session=True,
    ).stdout.split()


@AUTOGROUP
def test_the_session_group_is_lowered_for_the_block_and_put_back() -> None:
    """A thread's nice value does not weigh against other sessions: the batch's session
    group is lowered too (two busy loops on one core, nice 0 and nice 19 in another session,
    got 50% each before)."""
    code = (
        "from assortment.priority import session_priority, _session_nice\n"
        "before = _session_nice()\n"
        "with session_priority(12) as inside:\n"
        "    print(before, inside, _session_nice())\n"
        "    with session_priority(5) as nested:\n"  # lowering only: 5 leaves 12
        "        print(nested, _session_nice())\n"
        "print(_session_nice())\n"
    )
    assert _in_own_session(code) == ["0", "12", "12", "12", "12", "0"]


@AUTOGROUP
def test_a_session_with_a_terminal_is_left_as_it_is() -> None:
    """A shell's session (it has a terminal): a batch SIGKILLed there could not put the value
    back, so the group is not touched; here the child gets a pseudo-terminal as its
    controlling terminal, as a shell's job has."""
    code = (
        "import os, fcntl, termios\n"
        "from assortment.priority import session_priority, _session_nice, _has_terminal\n"
        "parent, child = os.openpty()\n"
        "fcntl.ioctl(child, termios.TIOCSCTTY, 0)\n"  # our session's controlling terminal
        "with session_priority(12) as inside:\n"
        "    print(_has_terminal(), inside, _session_nice())\n"
    )
    assert _in_own_session(code) == ["True", "0", "0"]


@AUTOGROUP
def test_zero_leaves_the_session_group_as_it_is() -> None:
    code = (
        "from assortment.priority import session_priority, _session_nice\n"
        "with session_priority(0) as inside:\n"
        "    print(inside, _session_nice())\n"
    )
    assert _in_own_session(code) == ["0", "0"]


@AUTOGROUP
def test_a_child_in_a_session_of_its_own_gets_no_more_weight_than_its_parent() -> None:
    """choreographer starts Chromium in a new session: its group gets the batch's nice."""
    code = (
        "import subprocess\n"
        "from assortment.priority import child_session_like_ours, lower_priority, _session_nice\n"
        "from pathlib import Path\n"
        "lower_priority(6)\n"
        "child = subprocess.Popen(['sleep', '30'], start_new_session=True)\n"
        "group = Path(f'/proc/{child.pid}/autogroup')\n"
        "try:\n"
        "    print(_session_nice(group), child_session_like_ours(child.pid), _session_nice(group))\n"
        "finally:\n"
        "    child.kill()\n"
    )
    own = os.getpriority(os.PRIO_PROCESS, 0)
    assert _in_own_session(code) == ["0", str(max(own, 6)), str(max(own, 6))]


def _nice_values(pid: int) -> list[int]:
    """The nice value of every thread of ``pid`` and of its descendants (-100 for a thread in
    a real-time class, which ``ps`` shows as '-': it runs ahead of any nice value)."""
    out = subprocess.run(
        ["ps", "-eLo", "pid=,ppid=,ni="], capture_output=True, text=True, check=True
    ).stdout
    rows = [
        tuple(-100 if v == "-" else int(v) for v in line.split())
        for line in out.splitlines()
        if line.strip()
    ]
    family, grew = {pid}, True
    while grew:
        more = {p for p, parent, _ in rows if parent in family} - family
        grew = bool(more)
        family |= more
    return [ni for p, _, ni in rows if p in family]


@LINUX
@pytest.mark.skipif(os.geteuid() != 0, reason="only root may raise a priority: nothing to stop")
def test_the_reports_chromium_never_runs_ahead_of_the_dashboard() -> None:
    """Chromium as root raised ten of its threads to nice -8 (ahead of every dashboard request,
    the batch itself at 10): the browser thread gives up CAP_SYS_NICE before starting it."""
    from assortment.report.browser import Browser, find_chromium

    try:
        find_chromium()
    except Exception:
        pytest.skip("no Chromium here (make e2e-deps)")
    own = os.getpriority(os.PRIO_PROCESS, 0)
    with Browser(print_tabs=1) as browser:
        pid = browser._browser.subprocess.pid  # noqa: SLF001 - the process under test
        time.sleep(1.0)  # Chromium sets its threads' priorities as they start
        values = _nice_values(pid)
    assert len(values) > 5, values
    assert min(values) >= own, sorted(values)


def test_the_capability_drop_is_per_thread_and_keeps_this_process_whole() -> None:
    """What the browser thread gives up, the process (and its other threads) keeps."""
    code = (
        "import threading\n"
        "from assortment.priority import children_cannot_raise_priority as drop\n"
        "caps = lambda: next(l for l in open('/proc/thread-self/status') if l.startswith('CapBnd'))\n"
        "before = caps(); out = []\n"
        "t = threading.Thread(target=lambda: out.append((drop(), caps()))); t.start(); t.join()\n"
        "print(before.split()[1], out[0][0], out[0][1].split()[1], caps().split()[1])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.split()
    main_before, dropped, thread_after, main_after = out
    assert main_after == main_before
    if dropped == "True":
        assert int(thread_after, 16) == int(main_before, 16) & ~(1 << 23)
