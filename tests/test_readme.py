"""The README's commands work as written, in order, from a fresh clone.

The slow test copies the tracked files (what ``git clone`` would give, with uncommitted edits
of tracked files) into a temp folder and runs every command of the README's ``bash`` blocks in
order there, as a new user would: ``make run`` (installs .venv, builds the demo, serves; the
test waits for the sign-in page and stops it), then the command-line examples. A ``$ command``
line of a ``text`` block is run too, and its output must be the one the README shows.

Not run, and why:

- ``make test``: it is the test suite this test belongs to (it would run itself).
- the ``cron`` block: a crontab line for a server (``/srv``, ``/var/log``), not a command.

``make run`` installs the dependencies from the package index (pip's cache makes it quick);
when the index cannot be reached the test is skipped with pip's message, since no command of
the README can work without the dependencies.

The fast test checks that every subcommand and option the README's command table names exists.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assortment.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PORT = 8141  # developer 4's range (8140-8149), see TEAM.md; the demo must not clash with 8050
NOT_RUN = {"make test"}
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)


def readme_steps(text: str) -> list[tuple[str, list[str] | None]]:
    """(command, expected output lines or None) in README order.

    Commands come from ``bash``/``sh`` blocks (one per line, comments dropped) and from the
    ``$ `` lines of ``text`` blocks (expected output: the lines up to the next ``$ ``).
    """
    steps: list[tuple[str, list[str] | None]] = []
    for lang, body in FENCE.findall(text):
        lines = body.splitlines()
        if lang in ("bash", "sh"):
            for line in lines:
                cmd = _strip_comment(line).strip()
                if cmd and cmd not in NOT_RUN:
                    steps.append((cmd, None))
        elif lang == "text":
            for i, line in enumerate(lines):
                if line.startswith("$ "):
                    out = []
                    for after in lines[i + 1 :]:
                        if after.startswith("$ "):
                            break
                        out.append(after)
                    steps.append((line[2:].strip(), out))
    return steps


def _strip_comment(line: str) -> str:
    """The line without a trailing ``# comment`` (a ``#`` inside quotes is kept)."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip()
    return line


def test_readme_steps_are_found() -> None:
    steps = readme_steps(README.read_text("utf-8"))
    cmds = [c for c, _ in steps]
    assert cmds[0] == "make run"
    assert "make test" not in cmds
    assert "assortment monthly --out reports" in cmds
    assert any(out for _, out in steps), "the rejected-file example is checked"
    assert _strip_comment("make run    # set up # twice") == "make run"
    assert _strip_comment("printf 'a # b' > f  # c") == "printf 'a # b' > f"


def test_every_command_and_option_in_the_readme_table_exists() -> None:
    text = README.read_text("utf-8")
    table = text.split("| command | what it does |", 1)[1].split("\n\n", 1)[0]
    runner = CliRunner()
    checked = 0
    for row in table.splitlines()[2:]:
        usage = row.split("|")[1].strip().strip("`")
        words = usage.split()
        assert words[0] == "assortment", row
        subs = [w for w in words[1:] if re.fullmatch(r"[a-z][a-z-]*(\\\|[a-z][a-z-]*)*", w)]
        options = set(re.findall(r"--[a-z][a-z-]*", usage))
        for variant in subs[-1].split("\\|") if subs else [""]:
            argv = [*subs[:-1], variant] if subs else []
            result = runner.invoke(app, [*argv, "--help"], terminal_width=200)
            assert result.exit_code == 0, (usage, result.output)
            missing = {o for o in options if o not in result.output}
            if variant == subs[-1].split("\\|")[0]:
                assert not missing, f"{usage}: {sorted(missing)} not in --help"
            checked += 1
    assert checked >= 12


def _fresh_clone(dest: Path) -> Path:
    """The tracked files of this checkout, as a fresh clone would have them."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: nothing to clone")
    for name in filter(None, listed.decode().split("\0")):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


def _new_user_env() -> dict[str, str]:
    """The environment of someone who just cloned: no project settings, no venv active."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ASSORTMENT_", "PYTEST", "VIRTUAL_ENV", "PYTHON", "COV_"))
    }
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if ".venv" not in p)
    env["ASSORTMENT_PORT"] = str(PORT)
    return env


def _wait_for(url: str, proc: subprocess.Popen[bytes], log: Path, *, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:]
            if "pip" in tail and ("connection" in tail.lower() or "resolve" in tail.lower()):
                pytest.skip(f"the package index cannot be reached:\n{tail}")
            pytest.fail(f"`make run` stopped (exit {proc.returncode}):\n{tail}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as r:
            if r.status == 200:
                return
        time.sleep(1)
    pytest.fail(f"`make run` did not serve {url} in {seconds:.0f} s:\n{log.read_text()[-3000:]}")


def _make_run(clone: Path, env: dict[str, str], log: Path) -> str:
    """Run `make run` until it serves the sign-in page, stop it; what it printed."""
    with (
        contextlib.suppress(OSError),
        urllib.request.urlopen(f"http://127.0.0.1:{PORT}/", timeout=2),
    ):
        pytest.fail(
            f"port {PORT} already answers (a server left over?): `make run` cannot be told apart"
        )
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            ["make", "run"],
            cwd=clone,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for(f"http://127.0.0.1:{PORT}/login", proc, log, seconds=1200)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    return log.read_text(errors="replace")


@pytest.mark.slow
@pytest.mark.clone
def test_readme_commands_work_in_order_from_a_fresh_clone(tmp_path: Path) -> None:
    clone = _fresh_clone(tmp_path / "clone")
    env = _new_user_env()
    prelude: list[str] = []  # `source` and `export` lines carry over, as in one terminal
    for cmd, expected in readme_steps(README.read_text("utf-8")):
        if cmd == "make run":
            text = _make_run(clone, env, tmp_path / "make-run.log")
            assert "admin-demo" in text, "make run prints the demo logins"
            demo = clone / "data/demo/assortment.duckdb"
            assert demo.is_file() and "products.csv" in text  # it built the demo
            # a second start keeps the demo (and what was uploaded into it)
            kept = clone / "data/demo/uploaded-in-the-demo"
            kept.write_text("x")
            again = _make_run(clone, env, tmp_path / "make-run-again.log")
            assert kept.exists() and "products.csv" not in again and "admin-demo" in again
            continue
        if cmd.startswith(("source ", "export ", ". ")):
            prelude.append(cmd)
        script = "\n".join(["set -e", *prelude, cmd])
        result = subprocess.run(
            ["bash", "-c", script],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if expected is None:
            assert result.returncode == 0, f"$ {cmd}\n{result.stdout}\n{result.stderr}"
        else:
            got = (result.stdout + result.stderr).rstrip("\n").splitlines()
            assert got == expected, f"$ {cmd} printed:\n" + "\n".join(got)
    assert (clone / "reports/2026-10/summary.json").is_file()
    assert (clone / "reports/2026-10/network.zh.pdf").is_file()
    assert (clone / "compliance.csv").read_text("utf-8").startswith("month,location_id,")
