"""The loading campaign (issue 10), kept as fast property tests: valid files are mutated
(bytes, encodings, line endings, headers, numbers, sizes, workbooks) and loaded through
the library, the command line and the upload page's check. Whatever the file:

* never a traceback and never exit 3: only the project's own errors, in words;
* either a complete, correct load or nothing changed at all.

A mutation that keeps the meaning (another encoding, Chinese or full-width headers,
``12.0`` for 12, columns in another order) must load exactly what the original loads.

Cases per run (``make test``): see ``CASES``; together well under a minute on the 2-core
development machine.
"""

from __future__ import annotations

import io
import random
import sys
import unicodedata
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assortment import store
from assortment.config import Settings
from assortment.errors import AssortmentError
from assortment.ingest import load_file, validate_file
from tests.conftest import LOCATIONS_CSV, PRODUCTS_CSV, TODAY

# examples per property; the sum is the number of cases a run tries
CASES = {
    "same_meaning": 30,
    "hostile_stock": 80,
    "hostile_sales": 30,
    "hostile_master": 40,
    "hostile_workbook": 30,
    "cli": 20,
    "web_check": 20,
}
SETTINGS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}

SKUS = ["S1-BLK-75B", "S1-BLK-80B", "S1-NUD-75B", "S2-NUD-M", "S2-NUD-L"]
LOCS = ["D01", "D01-S001", "D01-S002"]
STOCK_ROWS = [
    (m, loc, sku, q)
    for m, loc, sku, q in [
        ("2026-10", "D01", "S1-BLK-75B", 5),
        ("2026-10", "D01", "S1-BLK-80B", 0),
        ("2026-10", "D01", "S2-NUD-M", 3),
        ("2026-10", "D01-S001", "S1-NUD-75B", 2),
        ("2026-10", "D01-S001", "S2-NUD-L", 1),
        ("2026-09", "D01-S002", "S1-BLK-75B", 7),
        ("2026-09", "D01-S002", "S2-NUD-M", 0),
    ]
]
SALES_ROWS = [
    ("2026-10", "D01-S001", "S1-BLK-75B", 2, "398"),
    ("2026-10", "D01-S001", "S2-NUD-M", 1, "59"),
    ("2026-09", "D01", "S1-NUD-75B", 4, ""),
]
HOSTILE_VALUES = [
    "",
    " ",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "1e400",
    "-1",
    "-0",
    "1.5",
    "12.0",
    "1,200",
    "１２",
    "１，２００",
    "٢٠٢٦-١٠",
    "١٢",
    "２０２６-１０",
    "2026-１０",
    "2026-13",
    "2026-00",
    "2026/10",
    "2026年10月",
    "202610",
    "2026-10-01 00:00:00",
    "9999-12",
    "0x10",
    "1_000",
    "1000000000",
    "1000000001",
    "2147483648",
    "9" * 40,
    "=1+1",
    "@SUM(A1)",
    '"',
    '"a,b"',
    "\x00",
    "\u200b",
    "\ufeff",
    "D01",
    "d01",
    "Ｄ０１",
    "S1-BLK-75B",
    "S1-BLK-75B ",
    "x" * 3000,
    "true",
    "是",
]


# ---------------------------------------------------------------- a store reset per example


class Store:
    """A writer connection on the tiny network, reset to its baseline after every case."""

    def __init__(self, settings: Settings, con: duckdb.DuckDBPyConnection) -> None:
        self.settings = settings
        self.con = con
        for table in ("products", "locations"):
            con.execute(f"create temp table base_{table} as select * from {table}")

    def reset(self) -> None:
        con = self.con
        for table in ("stock", "sales", "stock_summary", "slice_source"):
            con.execute(f"delete from {table}")
        for table in ("products", "locations"):
            con.execute(f"delete from {table}")
            con.execute(f"insert into {table} select * from base_{table}")

    def state(self) -> dict[str, list[tuple]]:
        return {
            t: sorted(self.con.execute(f"select * from {t}").fetchall(), key=repr)
            for t in ("stock", "sales", "stock_summary", "slice_source", "products", "locations")
        }


@pytest.fixture(scope="module")
def fuzz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("fuzz")
    s = Settings(db_path=folder / "data" / "assortment.duckdb")
    store.init(s)
    (folder / "p.csv").write_text(PRODUCTS_CSV, "utf-8")
    (folder / "l.csv").write_text(LOCATIONS_CSV, "utf-8")
    with store.writer(s, publish=False) as con:
        load_file(con, s, "products", folder / "p.csv", today=TODAY)
        load_file(con, s, "locations", folder / "l.csv", today=TODAY)
        yield Store(s, con)


# ---------------------------------------------------------------- files and their mutations


def csv_text(header: list[str], rows: list[tuple], *, sep: str = ",", eol: str = "\n") -> str:
    def cell(v: object) -> str:
        text = str(v)
        return f'"{text}"' if (sep in text or '"' in text or "\n" in text) and text != '"' else text

    lines = [sep.join(header)] + [sep.join(cell(v) for v in r) for r in rows]
    return eol.join(lines) + eol


ALIASES = {
    "month": ["month", "月份", "Month", " MONTH ", "ｍｏｎｔｈ", "盘点月份"],
    "location_id": ["location_id", "门店编码", "网点编码", "Location ID", "location-id"],
    "sku": ["sku", "SKU", "条码", "ＳＫＵ"],
    "on_hand": ["on_hand", "期末库存", "库存", "盘点数", "OnHand", "ｏｎ＿ｈａｎｄ"],
    "units_sold": ["units_sold", "销量", "销售数量"],
    "amount": ["amount", "金额"],
}


@st.composite
def same_meaning(draw: st.DrawFn) -> tuple[str, bytes, str]:
    """A stock file written in another way that means the same rows: (name, bytes, how)."""
    cols = ["month", "location_id", "sku", "on_hand"]
    order = draw(st.permutations(range(4)))
    header = [draw(st.sampled_from(ALIASES[cols[i]])) for i in order]
    rows = []
    for row in STOCK_ROWS:
        m, loc, sku, q = row
        m = draw(
            st.sampled_from(
                [
                    m,
                    m.replace("-", "/"),
                    m.replace("-", ""),
                    f"{m[:4]}年{int(m[5:])}月",
                    unicodedata.normalize("NFKC", m).translate(
                        str.maketrans("0123456789-", "０１２３４５６７８９－")
                    ),
                ]
            )
        )
        q_text = draw(
            st.sampled_from(
                [
                    str(q),
                    f"{q}.0",
                    f" {q} ",
                    str(q).translate(str.maketrans("0123456789", "０１２３４５６７８９")),
                ]
            )
        )
        loc = draw(
            st.sampled_from(
                [
                    loc,
                    f" {loc} ",
                    loc.translate(str.maketrans("D0123456789-S", "Ｄ０１２３４５６７８９－Ｓ")),
                ]
            )
        )
        values = (m, loc, sku, q_text)
        rows.append(tuple(values[i] for i in order))
    extra = draw(st.booleans())
    if extra:
        header.append("备注")
        rows = [(*r, "ok") for r in rows]
    sep = draw(st.sampled_from([",", ";", "\t"]))
    eol = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = csv_text(header, rows, sep=sep, eol=eol) + draw(st.sampled_from(["", eol, eol * 3]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
    how = f"{encoding} sep={sep!r} eol={eol!r} header={header}"
    if draw(st.integers(0, 4)) == 0:
        return "count.xlsx", xlsx_bytes(header, rows), how + " xlsx"
    return "count.csv", text.encode(encoding), how


def xlsx_bytes(header: list[str], rows: list[tuple], *, numbers: bool = True) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("盘点")
    for c, h in enumerate(header):
        sheet.write_string(0, c, h)
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            text = str(v)
            if numbers and text.strip().isascii() and text.strip().isdigit():
                sheet.write_number(r, c, float(text))
            else:
                sheet.write_string(r, c, text)
    book.close()
    return buf.getvalue()


def expected_stock() -> dict[tuple[str, str, str], int]:
    return {(m, loc, sku): q for m, loc, sku, q in STOCK_ROWS}


def stored_stock(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str, str], int]:
    rows = con.execute(
        "select strftime(s.month, '%Y-%m'), l.location_id, p.sku, s.on_hand from stock s"
        " join locations l using (location_key) join products p using (sku_key)"
    ).fetchall()
    return {(m, loc, sku): q for m, loc, sku, q in rows}


@st.composite
def mutated(draw: st.DrawFn, kind: str) -> tuple[str, bytes]:
    """A valid file of ``kind`` with a few hostile mutations: (name, bytes)."""
    if kind == "stock":
        header = ["month", "location_id", "sku", "on_hand"]
        rows: list[list[str]] = [[str(v) for v in r] for r in STOCK_ROWS]
    elif kind == "sales":
        header = ["month", "location_id", "sku", "units_sold", "amount"]
        rows = [[str(v) for v in r] for r in SALES_ROWS]
    elif kind == "products":
        lines = PRODUCTS_CSV.strip().split("\n")
        header, rows = lines[0].split(","), [ln.split(",") for ln in lines[1:]]
    else:
        lines = LOCATIONS_CSV.strip().split("\n")
        header, rows = (
            lines[0].split(",") + ["min_styles"],
            [ln.split(",") + [""] for ln in lines[1:]],
        )
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    multiplied = False  # "many" once a file: four in a row made 200**4 times the rows (OOM)
    for _ in range(draw(st.integers(0, 4))):
        op = draw(
            st.sampled_from(
                [
                    "cell",
                    "cell",
                    "cell",
                    "header",
                    "dup_row",
                    "drop_row",
                    "dup_col",
                    "drop_col",
                    "many",
                ]
            )
        )
        if op == "cell" and rows:
            r, c = rng.randrange(len(rows)), rng.randrange(len(header))
            if c < len(rows[r]):
                rows[r][c] = draw(st.sampled_from(HOSTILE_VALUES))
        elif op == "header":
            c = rng.randrange(len(header))
            header[c] = draw(
                st.sampled_from(
                    [
                        *sum(ALIASES.values(), []),
                        "",
                        "x",
                        header[c].upper(),
                        header[(c + 1) % len(header)],
                    ]
                )
            )
        elif op == "dup_row" and rows:
            rows.append(list(rows[rng.randrange(len(rows))]))
        elif op == "drop_row" and rows:
            rows.pop(rng.randrange(len(rows)))
        elif op == "dup_col":
            c = rng.randrange(len(header))
            header.append(header[c])
            for row in rows:
                row.append(row[c] if c < len(row) else "")
        elif op == "drop_col" and len(header) > 1:
            c = rng.randrange(len(header))
            header.pop(c)
            for row in rows:
                if c < len(row):
                    row.pop(c)
        elif op == "many" and rows and not multiplied:
            rows = rows * draw(st.sampled_from([2, 30, 200]))
            multiplied = True
    fmt = draw(st.sampled_from(["csv", "csv", "csv", "xlsx"]))
    if fmt == "xlsx":
        data = xlsx_bytes(header, [tuple(r) for r in rows], numbers=draw(st.booleans()))
        name = f"{kind}.xlsx"
    else:
        enc = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16", "latin-1"]))
        eol = draw(st.sampled_from(["\n", "\r\n", "\r"]))
        text = csv_text(header, [tuple(r) for r in rows], eol=eol)
        data = text.encode(enc, errors="replace")
        name = f"{kind}.csv"
    # byte-level damage
    for _ in range(draw(st.integers(0, 2))):
        op = draw(st.sampled_from(["flip", "cut", "insert", "none"]))
        if op == "flip" and data:
            at = rng.randrange(len(data))
            data = data[:at] + bytes([rng.randrange(256)]) + data[at + 1 :]
        elif op == "cut" and data:
            data = data[: rng.randrange(len(data))]
        elif op == "insert":
            at = rng.randrange(len(data) + 1)
            junk = draw(
                st.sampled_from([b"\x00", b"\r", b'"', b",", b"\xff\xfe", b"PK\x03\x04", b"\n\n"])
            )
            data = data[:at] + junk + data[at:]
    return name, data


# ---------------------------------------------------------------- the properties


def _load(fuzz: Store, kind: str, name: str, data: bytes, *, accept_drop: bool = False) -> None:
    """Load and check the outcome: a complete correct load, or nothing changed."""
    con = fuzz.con
    before = fuzz.state()
    try:
        result = load_file(
            con, fuzz.settings, kind, data, file_name=name, today=TODAY, accept_drop=accept_drop
        )
    except AssortmentError as exc:
        assert fuzz.state() == before, f"{type(exc).__name__} but the store changed"
        assert str(exc)  # a message in words
        return
    after = fuzz.state()
    # the file's typed rows (a stock or sales load leaves what they are checked against as it was)
    rows, _ = validate_file(con, kind, data, file_name=name, today=TODAY)
    if kind in ("stock", "sales"):
        table = kind
        qty = "on_hand" if kind == "stock" else "units_sold"
        got = sorted(
            con.execute(
                f"select month, location_key, sku_key, {qty} from {table}"  # noqa: S608
            ).fetchall()
        )
        slices = set(rows.select("month", "location_key").unique().iter_rows())
        kept = sorted(r[:4] for r in before[table] if (r[0], r[1]) not in slices)
        want = sorted(
            kept
            + [tuple(r) for r in rows.select("month", "location_key", "sku_key", "qty").iter_rows()]
        )
        assert got == want, "the slices of the file are not exactly its rows"
        assert all(0 <= r[3] <= 1_000_000_000 for r in got)
        assert all(r[0] <= date(TODAY.year, TODAY.month, 1) for r in got)
        if kind == "stock":
            recount = sorted(
                con.execute(
                    "select s.month, s.location_key, count(distinct p.style) filter (where s.on_hand > 0),"
                    " sum(s.on_hand), count(*) from stock s join products p using (sku_key)"
                    " group by all"
                ).fetchall()
            )
            assert sorted(after["stock_summary"]) == recount
        assert result.result in ("loaded", "unchanged")
    else:
        assert result.result == "loaded"
        prices = [r[7] for r in after["products"]]
        assert all(p == p and 0 <= p <= 1_000_000_000 for p in prices)  # no NaN, in range
        kinds = {r[1]: r[3] for r in after["locations"]}
        for r in after["locations"]:
            if r[3] == "store":
                assert kinds.get(r[4]) == "distributor", "a store without a distributor"


@settings(max_examples=CASES["same_meaning"], **SETTINGS)
@given(case=same_meaning())
def test_a_file_written_another_way_loads_the_same_rows(fuzz: Store, case) -> None:
    name, data, how = case
    fuzz.reset()
    try:
        result = load_file(fuzz.con, fuzz.settings, "stock", data, file_name=name, today=TODAY)
        assert result.result == "loaded", how
        assert stored_stock(fuzz.con) == expected_stock(), how
    finally:
        fuzz.reset()


@settings(max_examples=CASES["hostile_stock"], **SETTINGS)
@given(case=mutated("stock"), preload=st.booleans(), accept=st.booleans())
def test_a_damaged_stock_file_loads_completely_or_changes_nothing(fuzz, case, preload, accept):
    fuzz.reset()
    if preload:
        good = csv_text(["month", "location_id", "sku", "on_hand"], STOCK_ROWS).encode()
        load_file(fuzz.con, fuzz.settings, "stock", good, file_name="good.csv", today=TODAY)
    try:
        _load(fuzz, "stock", *case, accept_drop=accept)
    finally:
        fuzz.reset()


@settings(max_examples=CASES["hostile_sales"], **SETTINGS)
@given(case=mutated("sales"))
def test_a_damaged_sales_file_loads_completely_or_changes_nothing(fuzz, case):
    fuzz.reset()
    try:
        _load(fuzz, "sales", *case)
        amounts = fuzz.con.execute("select amount_cny from sales").fetchall()
        assert all(a is None or (a == a and 0 <= a <= 1_000_000_000) for (a,) in amounts)
    finally:
        fuzz.reset()


@settings(max_examples=CASES["hostile_master"], **SETTINGS)
@given(kind=st.sampled_from(["products", "locations"]), data=st.data())
def test_a_damaged_products_or_locations_file_loads_completely_or_changes_nothing(fuzz, kind, data):
    case = data.draw(mutated(kind))
    fuzz.reset()
    try:
        _load(fuzz, kind, *case)
    finally:
        fuzz.reset()


@settings(max_examples=CASES["hostile_workbook"], **SETTINGS)
@given(data=st.data())
def test_a_damaged_workbook_is_refused_in_words_or_loaded(fuzz, data):
    header = ["month", "location_id", "sku", "on_hand"]
    book = bytearray(xlsx_bytes(header, STOCK_ROWS))
    rng = random.Random(data.draw(st.integers(0, 2**32 - 1)))
    for _ in range(data.draw(st.integers(1, 6))):
        at = rng.randrange(len(book))
        book[at] = rng.randrange(256)
    if data.draw(st.booleans()):
        book = book[: rng.randrange(len(book))]
    fuzz.reset()
    try:
        _load(fuzz, "stock", "count.xlsx", bytes(book))
    finally:
        fuzz.reset()


@settings(max_examples=CASES["cli"], **SETTINGS)
@given(kind=st.sampled_from(["stock", "sales"]), data=st.data())
def test_the_command_line_never_exits_3(tmp_path_factory, kind, data):
    name, raw = data.draw(mutated(kind))
    folder = _cli_store(tmp_path_factory)
    path = folder / name
    path.write_bytes(raw)
    code, out, err = _run_cli(
        ["--db", str(folder / "data" / "assortment.duckdb"), "load", kind, str(path)]
    )
    assert code in (0, 1, 2), (code, err[-400:])
    assert "Traceback" not in out + err and "internal error" not in err


_CLI_FOLDER: dict[str, Path] = {}


def _cli_store(factory: pytest.TempPathFactory) -> Path:
    if "f" not in _CLI_FOLDER:
        folder = factory.mktemp("fuzzcli")
        s = Settings(db_path=folder / "data" / "assortment.duckdb")
        store.init(s)
        (folder / "p.csv").write_text(PRODUCTS_CSV, "utf-8")
        (folder / "l.csv").write_text(LOCATIONS_CSV, "utf-8")
        with store.writer(s) as con:
            load_file(con, s, "products", folder / "p.csv", today=TODAY)
            load_file(con, s, "locations", folder / "l.csv", today=TODAY)
        _CLI_FOLDER["f"] = folder
    return _CLI_FOLDER["f"]


def _run_cli(args: list[str]) -> tuple[int, str, str]:
    """The console entry point in this process: (exit code, stdout, stderr)."""
    import contextlib
    import os

    from assortment import cli

    out, err = io.StringIO(), io.StringIO()
    old_argv, old_today = sys.argv, os.environ.get("ASSORTMENT_TODAY")
    sys.argv = ["assortment", *args]
    os.environ["ASSORTMENT_TODAY"] = TODAY.isoformat()
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            cli.main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = old_argv
        if old_today is None:
            os.environ.pop("ASSORTMENT_TODAY", None)
        else:
            os.environ["ASSORTMENT_TODAY"] = old_today
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory):
    from dashboard.data import Data

    folder = _cli_store(tmp_path_factory)
    return Data(Settings(db_path=folder / "data" / "assortment.duckdb"))


@settings(max_examples=CASES["web_check"], **SETTINGS)
@given(kind=st.sampled_from(["stock", "sales"]), data=st.data())
def test_the_upload_check_answers_in_words(web, kind, data):
    from assortment.i18n import row_problem
    from assortment.users import User
    from dashboard import uploads

    name, raw = data.draw(mutated(kind))
    for user in (User("admin", "admin"), User("dist", "distributor", "D01")):
        found = uploads.check(web, user, kind, name, raw, today=TODAY)
        assert found.ok or found.errors or found.problem or found.out_of_scope
        for e in found.errors[:50]:
            for lang in ("en", "zh"):
                assert row_problem(e.code, e.reason, e.params, lang, loads_master_data=False)
        uploads.drop(web.settings, found.token)
