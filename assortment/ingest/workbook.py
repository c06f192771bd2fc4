"""Refuse a workbook before it is parsed when parsing it would take unbounded memory.

An XLSX file is a zip archive of XML parts. Two kinds of file make a spreadsheet reader
allocate far more than the file's size:

* a *size bomb*: parts that unpack to gigabytes (a 1 MB file can unpack to 1 GB);
* a *span bomb*: a few cells far apart (``A1`` and ``XFD1048576``), for which the
  reader allocates the whole rectangle between them (17 billion cells: the process
  aborts).

:func:`check_workbook` unpacks every part in 1 MB chunks (constant memory), counting the
real bytes rather than trusting the sizes the archive claims (Python's zip reader stops at
the claimed size and then fails the CRC check, so a lying header is caught too), and
scans the worksheets' cell references for the rectangle the reader would allocate.
Choices:

* the limit is ``max_unpacked_mb`` (domain.md section 3, rules file); the span limit is
  :data:`MIN_SPAN_CELLS` cells or one cell per :data:`BYTES_PER_SPAN_CELL` bytes of the
  worksheet's XML, whichever is larger: the reader holds 32 bytes per cell of the
  rectangle, so memory stays within a small multiple of the unpacked size;
* cells normally name their place (``r="B7"``), and a fast scan of the references finds
  the rectangle; a sheet with cells that do not is parsed as XML (streaming) and its
  cells placed one after another, as readers do.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from typing import IO
from xml.parsers import expat

from assortment.errors import RowError, ValidationError

MIN_SPAN_CELLS = 4_000_000
BYTES_PER_SPAN_CELL = 4
_MAX_PARTS = 10_000
_CHUNK = 1 << 20
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,9})"')
_ROW_REF = re.compile(rb'\br="([0-9]{1,9})"')
_CELL_OPEN = re.compile(rb"<c[\s>/]")
_ROW_OPEN = re.compile(rb"<row[\s>/]")


def is_zip(data: bytes) -> bool:
    """True for a zip archive (XLSX, XLSM)."""
    return data[:4] == b"PK\x03\x04"


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


class _Span:
    """The rectangle of cells a worksheet's XML names, from chunks of its text.

    Each chunk is scanned with the last bytes of the previous one in front, so that a
    reference split between two chunks is seen; counts subtract what that overlap alone
    holds (seen with the previous chunk already).
    """

    _OVERLAP = 32

    def __init__(self) -> None:
        self.max_row = 0
        self.max_col = 0
        self.n_refs = 0
        self.n_cells = 0
        self.n_rows = 0
        self.n_row_refs = 0
        self.max_row_ref = 0
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        window, overlap = self._tail + chunk, self._tail
        refs = _CELL_REF.findall(window)
        cols = {letters for letters, _ in refs}
        for letters in cols:
            self.max_col = max(self.max_col, _col_number(letters))
        if refs:
            self.max_row = max(self.max_row, max(int(d) for _, d in refs))
        row_refs = _ROW_REF.findall(window)
        if row_refs:
            self.max_row_ref = max(self.max_row_ref, max(int(d) for d in row_refs))
        self.n_refs += len(refs) - len(_CELL_REF.findall(overlap))
        self.n_row_refs += len(row_refs) - len(_ROW_REF.findall(overlap))
        self.n_cells += len(_CELL_OPEN.findall(window)) - len(_CELL_OPEN.findall(overlap))
        self.n_rows += len(_ROW_OPEN.findall(window)) - len(_ROW_OPEN.findall(overlap))
        self._tail = window[-self._OVERLAP :]

    @property
    def exact(self) -> bool:
        """True when every cell names its place (``r="B7"``): the rectangle is then known."""
        return self.n_cells <= self.n_refs

    def cells(self) -> int:
        """The rectangle's cell count (when :attr:`exact`)."""
        return self.max_row * self.max_col


def _placed_cells(fh: IO[bytes]) -> tuple[int, int]:
    """(rows, columns) of the rectangle, placing cells without ``r`` one after another
    (a streaming XML parse: slower than the scan, used only for such sheets)."""
    parser = expat.ParserCreate()
    at = {"row": 0, "col": 0, "max_row": 0, "max_col": 0}

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rsplit(":", 1)[-1]
        if local == "row":
            ref = attrs.get("r", "")
            at["row"] = int(ref) if ref.isdigit() else at["row"] + 1
            at["col"] = 0
        elif local == "c":
            m = re.fullmatch(r"([A-Z]{1,3})([0-9]{1,9})", attrs.get("r", ""))
            if m:
                at["col"], at["row"] = _col_number(m[1].encode()), int(m[2])
            else:
                at["col"] += 1
            at["max_row"] = max(at["max_row"], at["row"])
            at["max_col"] = max(at["max_col"], at["col"])

    parser.StartElementHandler = start
    while chunk := fh.read(_CHUNK):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)
    return at["max_row"], at["max_col"]


def _refuse(file_name: str, reason: str, **params: object) -> ValidationError:
    return ValidationError(file_name, [RowError(0, "", "", reason, code="too_big", params=params)])


def check_workbook(data: bytes, file_name: str, *, max_unpacked_mb: float) -> None:
    """Raise ValidationError when ``data`` (a zip) unpacks to more than ``max_unpacked_mb``,
    or its cells span a rectangle too large to hold; a corrupt archive is refused too."""
    limit = int(max_unpacked_mb * 1024 * 1024)
    too_big = (
        f"the workbook unpacks to more than {max_unpacked_mb:g} MB (the limit, max_unpacked_mb "
        "in the rules file); it was not read. Save it as CSV, or split it"
    )
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        parts = book.infolist()
        if len(parts) > _MAX_PARTS:
            raise _refuse(
                file_name,
                f"the workbook has {len(parts):,} parts; it was not read",
                what="parts",
                parts=f"{len(parts):,}",
            )
        if sum(p.file_size for p in parts) > limit:
            raise _refuse(file_name, too_big, what="unpacked", mb=f"{max_unpacked_mb:g}")
        total = 0
        for part in parts:
            is_sheet = part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml")
            span = _Span() if is_sheet else None
            size = 0
            with book.open(part) as fh:
                while chunk := fh.read(_CHUNK):
                    size += len(chunk)
                    total += len(chunk)
                    if total > limit:
                        raise _refuse(
                            file_name, too_big, what="unpacked", mb=f"{max_unpacked_mb:g}"
                        )
                    if span is not None:
                        span.feed(chunk)
            if span is not None:
                allowed = max(MIN_SPAN_CELLS, size // BYTES_PER_SPAN_CELL)
                if not span.exact:
                    with book.open(part) as fh:
                        span.max_row, span.max_col = _placed_cells(fh)
                if span.cells() > allowed:
                    raise _refuse(
                        file_name,
                        f"the sheet {part.filename.rsplit('/', 1)[-1]!r} has cells as far apart "
                        f"as row {span.max_row:,} and column {span.max_col:,}: reading it would "
                        "need far more memory than its content; delete the stray cells far "
                        "from the table, or save it as CSV",
                        what="span",
                        row=f"{span.max_row:,}",
                        col=f"{span.max_col:,}",
                    )
    except ValidationError:
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        expat.ExpatError,
        EOFError,
        NotImplementedError,
        RuntimeError,
        ValueError,
        OSError,
    ) as exc:
        reason = f"the workbook cannot be read (a damaged file?): {exc}"
        raise ValidationError(file_name, [RowError(0, "", "", reason, code="unreadable")]) from None
