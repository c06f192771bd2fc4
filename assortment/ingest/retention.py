"""Folders of files kept for a while (rejected files, uploads awaiting confirmation), held
within a count, an age and a total size: the oldest files go first.

Files that were loaded are kept for good in ``archive/`` (the archive rebuilds every
month); this module never touches it.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from pathlib import Path

from assortment.config import KeepLimits


def safe_name(file_name: str) -> str:
    """A file name that is safe in any folder (letters, digits, CJK, ``.-_``)."""
    return re.sub(r"[^\w.\-\u4e00-\u9fff]+", "_", Path(file_name).name)[:120] or "file"


def prune(
    folder: Path,
    limits: KeepLimits,
    *,
    room_for: int = 0,
    room_files: int | None = None,
    now: float | None = None,
) -> None:
    """Delete files of ``folder`` (and its subfolders) beyond ``limits``, oldest first,
    leaving room for ``room_files`` more files (default: one when ``room_for`` is given)
    of ``room_for`` bytes. Files that vanish meanwhile (another process pruning) are
    skipped."""
    now = time.time() if now is None else now
    files: list[tuple[float, int, Path]] = []
    for path in folder.rglob("*"):
        with contextlib.suppress(OSError):
            st = path.stat()
            if path.is_file():
                files.append((st.st_mtime, st.st_size, path))
    files.sort(key=lambda f: f[0], reverse=True)  # newest first
    kept_n = room_files if room_files is not None else (1 if room_for else 0)
    kept_bytes = room_for
    for mtime, size, path in files:
        keep = (
            now - mtime <= limits.max_age_s
            and kept_n < limits.max_files
            and kept_bytes + size <= limits.max_bytes
        )
        if keep:
            kept_n += 1
            kept_bytes += size
        else:
            with contextlib.suppress(OSError):
                path.unlink()


def keep(folder: Path, name: str, data: bytes, limits: KeepLimits) -> Path | None:
    """Keep ``data`` as ``folder/name`` within ``limits`` (older files make room); None when
    it is larger than the whole allowance or cannot be written (keeping is best effort)."""
    if len(data) > limits.max_bytes or limits.max_files < 1:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        prune(folder, limits, room_for=len(data))
        target = folder / name
        tmp = folder / f".{name}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, target)
    except OSError:
        return None
    return target
