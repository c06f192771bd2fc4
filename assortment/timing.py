"""Phase timings for benchmarks: ``ASSORTMENT_TIMING=1`` prints how long each named step took to stderr."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator


@contextlib.contextmanager
def phase(name: str) -> Iterator[None]:
    """Time the block; with ``ASSORTMENT_TIMING=1`` print ``timing <name> <seconds>`` to stderr."""
    if os.environ.get("ASSORTMENT_TIMING") != "1":
        yield
        return
    t0 = time.perf_counter()
    try:
        yield
    finally:
        print(f"timing {name} {time.perf_counter() - t0:.3f}", file=sys.stderr, flush=True)
