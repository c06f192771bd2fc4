"""The batch's progress: a rich progress bar on a terminal, plain log lines otherwise (cron)."""

from __future__ import annotations

import sys
import threading
import time
from typing import IO, Any


class Progress:
    """Counts steps towards ``total``; safe to call from the browser's thread too.

    Args:
        label: Prefix of every line (``monthly 2026-10``).
        stream: Where to write (default: stderr, so stdout keeps only the final line).
        bar: Force the bar on (True) or off (False); default: on when ``stream`` is a terminal.
    """

    def __init__(
        self, label: str, *, stream: IO[str] | None = None, bar: bool | None = None
    ) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.bar = self.stream.isatty() if bar is None else bar
        self.total = 0
        self.done = 0
        self._lock = threading.Lock()
        self._t0 = time.perf_counter()
        self._rich: Any = None
        self._task: Any = None

    def __enter__(self) -> Progress:
        if self.bar:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeElapsedColumn,
            )
            from rich.progress import (
                Progress as RichProgress,
            )

            self._rich = RichProgress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.fields[step]}"),
                console=Console(file=self.stream),
                transient=False,
            )
            self._rich.start()
            self._task = self._rich.add_task(self.label, total=self.total or None, step="")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._rich is not None:
            self._rich.stop()
            self._rich = None

    def add(self, n: int) -> None:
        """Announce ``n`` more steps."""
        with self._lock:
            self.total += n
            if self._rich is not None:
                self._rich.update(self._task, total=self.total)

    def step(self, message: str) -> None:
        """One step done."""
        with self._lock:
            self.done += 1
            if self._rich is not None:
                self._rich.update(self._task, completed=self.done, step=message)
            else:
                elapsed = time.perf_counter() - self._t0
                print(
                    f"{self.label}: [{self.done}/{self.total}] {message} ({elapsed:.1f} s)",
                    file=self.stream,
                    flush=True,
                )
