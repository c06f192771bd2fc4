"""Read what distributors send: CSV in UTF-8 / UTF-8 with BOM / GB18030, or XLSX; English or Chinese headers.

Every cell is read as text; typing and checking is the validator's job, so that a bad
value can be reported exactly as the user wrote it. Choices (domain.md section 3):

* headers and cells are normalised with Unicode NFKC, so full-width characters typed by
  Chinese input methods (``１２``, ``２０２６-１０``, ``ｏｎ＿ｈａｎｄ``) read as ASCII;
* line endings may be ``\n``, ``\r\n`` or ``\r`` alone (old Mac spreadsheets);
* a column given twice (the same header, or two aliases of it) rejects the file;
* a workbook is checked before it is parsed (:mod:`assortment.ingest.workbook`);
* a CSV that is already UTF-8 is handed to polars as it is (no decoding into a Python
  string and back), and cells are cleaned once per distinct value (:func:`by_value`).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from assortment.errors import RowError, UsageError, ValidationError
from assortment.ingest.workbook import check_workbook, is_zip

# canonical column -> accepted headers (compared after normalising: lower case, no spaces/_/-)
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "sku": ("sku", "条码", "sku码", "商品条码", "skucode"),
    "style": ("style", "款号", "款式编号", "款式", "stylecode"),
    "colour": ("colour", "color", "颜色", "色号", "颜色编码"),
    "size": ("size", "尺码", "码", "尺寸"),
    "month": ("month", "月份", "盘点月份", "销售月份"),
    "location_id": (
        "location_id",
        "locationid",
        "location",
        "门店编码",
        "网点编码",
        "门店代码",
        "网点代码",
    ),
    "on_hand": ("on_hand", "onhand", "stock", "库存", "期末库存", "盘点数", "库存数量", "盘点数量"),
    "units_sold": ("units_sold", "unitssold", "units", "销量", "销售数量", "销售量"),
    "amount": ("amount", "amount_cny", "金额", "销售金额"),
    "category": ("category", "品类", "类别"),
    "launch_month": ("launch_month", "上市月份", "上市时间"),
    "price": ("price", "price_cny", "价格", "吊牌价", "零售价"),
    "style_name": ("style_name", "款名", "名称", "款式名称"),
    "season": ("season", "季节", "波段"),
    "is_core_size": ("is_core_size", "核心尺码", "是否核心码"),
    "name": ("name", "门店名称", "网点名称", "名称"),
    "kind": ("kind", "类型", "网点类型"),
    "distributor_id": ("distributor_id", "代理商编码", "经销商编码", "所属代理"),
    "region": ("region", "大区", "区域"),
    "province": ("province", "省份", "省"),
    "city": ("city", "城市", "市"),
    "rep": ("rep", "业务员"),
    "min_styles": ("min_styles", "最低款数"),
    "status": ("status", "状态"),
}

_ENCODINGS = ("utf-8-sig", "gb18030")
DEFAULT_MAX_UNPACKED_MB = 200.0
_EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}


def _norm(header: str) -> str:
    text = unicodedata.normalize("NFKC", header.replace("\ufeff", ""))
    return re.sub(r"[\s_\-]+", "", text).lower()


_ALIAS_INDEX: dict[str, dict[str, str]] = {}


def _alias_index(wanted: tuple[str, ...]) -> dict[str, str]:
    key = ",".join(wanted)
    if key not in _ALIAS_INDEX:
        index: dict[str, str] = {}
        for canon in wanted:
            for alias in HEADER_ALIASES.get(canon, (canon,)):
                index.setdefault(_norm(alias), canon)
        _ALIAS_INDEX[key] = index
    return _ALIAS_INDEX[key]


@dataclass(frozen=True)
class RawTable:
    """A file's cells as text, with canonical column names.

    Attributes:
        file_name: The name the user knows the file by.
        frame: One String column per recognised header (canonical name), plus ``_row``:
            the row number as a spreadsheet shows it (header = 1).
        headers: canonical name -> header as written in the file (for error messages).
        encoding: How the file was decoded ('xlsx' for workbooks).
        columns: Every header of the file as written (recognised or not), in order.
    """

    file_name: str
    frame: pl.DataFrame
    headers: dict[str, str]
    encoding: str
    columns: tuple[str, ...] = field(default=())


def decode(data: bytes, file_name: str) -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 (with or without BOM), else GB18030 (a superset of GBK).

    Returns the text and the encoding used. Raises ValidationError when neither fits.
    """
    for enc in _ENCODINGS:
        try:
            return data.decode(enc), ("utf-8-bom" if data.startswith(b"\xef\xbb\xbf") else enc)
        except UnicodeDecodeError:
            continue
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
        if best is not None and best.encoding:
            return data.decode(best.encoding), best.encoding
    except (UnicodeDecodeError, LookupError):
        pass
    raise ValidationError(
        file_name,
        [
            RowError(
                0,
                "",
                "",
                "the file is not text in UTF-8 or GB18030/GBK; save it as CSV or XLSX",
                code="not_text",
            )
        ],
    )


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _utf8_bytes(data: bytes, file_name: str) -> tuple[bytes, str]:
    """The file as UTF-8 bytes without a BOM and with ``\n`` line endings, and its encoding.

    A file that is already UTF-8 (most are, and ASCII always is) is not decoded into a
    Python string and encoded back: checking it is enough.
    """
    if data.isascii():
        text_bytes, encoding = data, "utf-8-sig"  # the name decode() gives it
    else:
        try:
            data.decode("utf-8")  # validity check only
            bom = data.startswith(b"\xef\xbb\xbf")
            text_bytes, encoding = data, "utf-8-bom" if bom else "utf-8-sig"
        except UnicodeDecodeError:
            text, encoding = decode(data, file_name)
            text_bytes = text.encode("utf-8")
    while text_bytes.startswith(b"\xef\xbb\xbf"):  # BOMs, also one written twice
        text_bytes = text_bytes[3:]
    if b"\r" in text_bytes:  # \r\n (Windows) and \r alone (old Mac) both end a line
        text_bytes = re.sub(rb"\r\n?", b"\n", text_bytes)
    return text_bytes, encoding


def _read_csv(data: bytes, file_name: str) -> tuple[list[str], pl.DataFrame, str]:
    """(headers, data rows as text columns named c0, c1 ..., encoding)."""
    text_bytes, encoding = _utf8_bytes(data, file_name)
    if not text_bytes.strip() or (
        len(text_bytes) < 4096 and not text_bytes.decode("utf-8").strip()
    ):  # nothing but (Unicode) white space
        return [], pl.DataFrame(), encoding
    first_line = text_bytes.split(b"\n", 1)[0].decode("utf-8")
    delimiter = _sniff_delimiter(first_line)
    try:
        frame = _cells(text_bytes, delimiter, ragged=False)
    except pl.exceptions.PolarsError as exc:
        unreadable = ValidationError(
            file_name,
            [
                RowError(
                    0,
                    "",
                    "",
                    f"the file is not a readable CSV table: {_first_line(exc)}",
                    code="unreadable",
                )
            ],
        )
        ragged = _ragged_rows(text_bytes, delimiter) if "more fields" in str(exc) else None
        if ragged is None:
            raise unreadable from None
        if ragged:
            raise ValidationError(file_name, ragged) from None
        # rows longer than the header only by empty cells (a trailing comma): read as written
        try:
            frame = _cells(text_bytes, delimiter, ragged=True)
        except pl.exceptions.PolarsError:
            raise unreadable from None
    return _split_header(frame), frame.slice(1), encoding


def _cells(text_bytes: bytes, delimiter: str, *, ragged: bool) -> pl.DataFrame:
    """Every line's cells as text, header included (``ragged``: cells past the widest
    column of the first lines are dropped instead of refused)."""
    return pl.read_csv(
        text_bytes,
        separator=delimiter,
        infer_schema=False,
        has_header=False,
        raise_if_empty=False,
        truncate_ragged_lines=ragged,
        quote_char='"',
    )


def _ragged_rows(text_bytes: bytes, delimiter: str) -> list[RowError] | None:
    """The rows with more values than the header has columns, one problem each (a stray
    delimiter shifts every value after it: the row cannot be read column by column).

    Returns:
        The problems; empty when every longer row is longer only by empty cells (a trailing
        comma, as some spreadsheets write); None when no row is longer than the header (the
        file is unreadable for another reason).
    """
    reader = csv.reader(io.StringIO(text_bytes.decode("utf-8")), delimiter=delimiter)
    width = 0
    found = False
    problems: list[RowError] = []
    for number, cells in enumerate(reader, start=1):
        if number == 1:
            width = len(cells)
            continue
        if len(cells) <= width:
            continue
        found = True
        extra = [(i, c) for i, c in enumerate(cells) if i >= width and c.strip()]
        if extra:
            place, value = extra[0]
            problems.append(
                RowError(
                    number,
                    _column_letter(place),  # no header above it: the sheet's column letter
                    value,
                    f"the row has {len(cells)} values but the header has {width} columns "
                    "(a stray delimiter?)",
                    code="extra_values",
                    params={"values": len(cells), "columns": width},
                )
            )
    return problems if found else None


def _column_letter(index: int) -> str:
    """A 0-based column position as a spreadsheet names it: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _split_header(frame: pl.DataFrame) -> list[str]:
    """The first row's cells as headers; the frame's columns renamed c0, c1 ... in place."""
    if frame.height == 0:
        return []
    headers = ["" if v is None else str(v) for v in frame.row(0)]
    frame.columns = [f"c{i}" for i in range(frame.width)]
    return headers


def _read_excel(data: bytes, file_name: str, sheet: str | None) -> tuple[list[str], pl.DataFrame]:
    """(headers, data rows as text columns named c0, c1 ...) of a workbook's sheet."""
    import fastexcel

    try:
        reader = fastexcel.read_excel(data)
        names = reader.sheet_names
        if sheet is not None and sheet not in names:
            raise ValidationError(
                file_name,
                [
                    RowError(
                        0, "sheet", sheet, f"no such sheet; the workbook has {', '.join(names)}"
                    )
                ],
            )
        ws = reader.load_sheet(sheet if sheet is not None else 0, header_row=None, dtypes="string")
        frame = ws.to_polars()
    except ValidationError:
        raise
    except Exception as exc:  # fastexcel raises its own error types for corrupt files
        raise ValidationError(
            file_name,
            [
                RowError(
                    0,
                    "",
                    "",
                    f"the workbook cannot be read: {_first_line(exc)}",
                    code="unreadable",
                )
            ],
        ) from None
    frame = frame.with_columns(pl.all().cast(pl.String))
    return _split_header(frame), frame.slice(1)


_STRIP = " \t\r\n\u3000\u00a0\u200b\ufeff"


def by_value(frame: pl.DataFrame, col: str, expr: pl.Expr) -> pl.Series:
    """``expr`` (a function of column ``col`` alone that maps null to null), computed once per
    distinct value of ``col`` and spread back to every row; named ``col``.

    A month's count repeats a few thousand codes and one month over millions of rows:
    normalising or parsing each distinct value once is what keeps checking a large file
    close to the cost of reading it. A column of mostly distinct values (amounts) is
    computed row by row.
    """
    column = frame.get_column(col)
    distinct = column.drop_nulls().unique()
    if distinct.len() * 4 > column.len():
        return frame.select(expr.alias(col)).to_series()
    table = distinct.to_frame().with_columns(expr.alias("_new"))
    if table["_new"].dtype == column.dtype and bool(table["_new"].eq_missing(distinct).all()):
        return column  # nothing changes (a clean file)
    return (
        column.to_frame()
        .join(table, on=col, how="left", maintain_order="left")
        .get_column("_new")
        .alias(col)
    )


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def clean_cells(frame: pl.DataFrame) -> pl.DataFrame:
    """Every (String) cell as the rules read it: NFKC (full-width digits and letters read as
    ASCII), stray whitespace stripped (full-width spaces too), empty cells null."""
    return frame.with_columns(
        by_value(
            frame, c, pl.col(c).str.normalize("NFKC").str.strip_chars(_STRIP).replace("", None)
        )
        for c in frame.columns
    )


def read_table(
    source: Path | bytes,
    *,
    wanted: tuple[str, ...],
    file_name: str | None = None,
    sheet: str | None = None,
    max_unpacked_mb: float = DEFAULT_MAX_UNPACKED_MB,
) -> RawTable:
    """Read a CSV or XLSX file into text columns named canonically.

    Args:
        source: A path, or the file's bytes (web upload).
        wanted: Canonical columns this kind of file may have; others are ignored.
        file_name: Name for messages (default: the path's name).
        sheet: Sheet name for workbooks (default: the first sheet).
        max_unpacked_mb: A workbook unpacking to more is refused before it is parsed.

    Raises:
        ValidationError: unreadable or too large a file, or a column given twice.
    """
    name = file_name or (source.name if isinstance(source, Path) else "upload")
    is_excel = Path(name).suffix.lower() in _EXCEL_SUFFIXES
    if isinstance(source, Path):
        try:
            data = source.read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read {str(source)!r}: {exc.strerror}") from None
    else:
        data = source
    if is_zip(data):
        is_excel = True  # an .xlsx saved with a .csv name
        check_workbook(data, name, max_unpacked_mb=max_unpacked_mb)
    elif is_excel and len(data) > max_unpacked_mb * 1024 * 1024:
        raise ValidationError(
            name,
            [
                RowError(
                    0,
                    "",
                    "",
                    f"the workbook is larger than {max_unpacked_mb:g} MB (max_unpacked_mb "
                    "in the rules file); it was not read. Save it as CSV, or split it",
                    code="too_big",
                    params={"what": "size", "mb": f"{max_unpacked_mb:g}"},
                )
            ],
        )
    if is_excel:
        raw_headers, frame = _read_excel(data, name, sheet)
        encoding = "xlsx"
    else:
        raw_headers, frame, encoding = _read_csv(data, name)
    del data

    index = _alias_index(wanted)
    written = [unicodedata.normalize("NFKC", h.replace("\ufeff", "")).strip() for h in raw_headers]
    headers: dict[str, str] = {}
    rename: dict[str, str] = {}
    twice: list[RowError] = []
    for i, header in enumerate(written):
        canon = index.get(_norm(header))
        if canon is None:
            continue
        if canon in headers:
            twice.append(
                RowError(
                    1,
                    header,
                    header,
                    f"column {canon!r} is given twice ({headers[canon]!r} and {header!r}); "
                    "keep one",
                    code="column_twice",
                    params={"column": canon, "first": headers[canon]},
                )
            )
            continue
        headers[canon] = header
        rename[f"c{i}"] = canon
    if twice:
        raise ValidationError(name, twice)
    frame = clean_cells(frame.select(list(rename)).rename(rename))
    # drop rows that are entirely empty (trailing lines of spreadsheets)
    if frame.width:
        frame = frame.with_row_index("_row", offset=2).filter(
            ~pl.all_horizontal(pl.exclude("_row").is_null())
        )
    else:
        frame = frame.with_row_index("_row", offset=2)
    frame = frame.with_columns(pl.col("_row").cast(pl.Int64))
    return RawTable(
        file_name=name, frame=frame, headers=headers, encoding=encoding, columns=tuple(written)
    )


__all__ = [
    "DEFAULT_MAX_UNPACKED_MB",
    "HEADER_ALIASES",
    "RawTable",
    "clean_cells",
    "decode",
    "read_table",
]
