"""Hostile and clumsy files (issue 10): each defect found by hostile testing, on the tiny
network of conftest.py (products S1 with 3 SKUs, S2 with 2; distributor D01, stores
D01-S001 and D01-S002)."""

from __future__ import annotations

import io
import json
import math
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from assortment import store
from assortment.config import Settings
from assortment.errors import ValidationError
from assortment.ingest import load_file, validate_file
from tests.conftest import TODAY, table_rows, write

HEADER = "month,location_id,sku,on_hand\n"
FACTS = ("stock", "sales", "stock_summary", "slice_source")


def rejected(con, settings, path: Path, kind: str = "stock", **kw) -> ValidationError:
    before = {t: table_rows(con, t) for t in (*FACTS, "products", "locations")}
    with pytest.raises(ValidationError) as info:
        load_file(con, settings, kind, path, today=TODAY, **kw)
    assert {t: table_rows(con, t) for t in before} == before, "a rejected file changes nothing"
    return info.value


def count_drop_error() -> type[Exception]:
    from assortment.ingest.load import CountDropError  # imported late: absent before the guard

    return CountDropError


def stock_of(con) -> dict[tuple[str, str, str], int]:
    rows = con.execute(
        "select strftime(s.month, '%Y-%m'), l.location_id, p.sku, s.on_hand from stock s"
        " join locations l using (location_key) join products p using (sku_key)"
    ).fetchall()
    return {(m, loc, sku): q for m, loc, sku, q in rows}


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    """The console entry point in this process: (exit code, stdout, stderr)."""
    from assortment import cli

    old = sys.argv
    sys.argv = ["assortment", *args]
    try:
        cli.main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = old
    out = capsys.readouterr()
    return code, out.out, out.err


# ---------------------------------------------------------------- 2. workbooks that explode


_CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target='
    '"xl/workbook.xml"/></Relationships>'
)
_WB = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WB_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
    '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/'
    'sheet1.xml"/></Relationships>'
)


def cell(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def workbook(rows_xml: str) -> bytes:
    """A minimal XLSX whose one sheet holds ``rows_xml``."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.'
        f'org/spreadsheetml/2006/main"><sheetData>{rows_xml}</sheetData></worksheet>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return buf.getvalue()


def header_row() -> str:
    cols = zip("ABCD", ("month", "location_id", "sku", "on_hand"), strict=True)
    return '<row r="1">' + "".join(cell(f"{c}1", v) for c, v in cols) + "</row>"


def data_rows(n: int) -> str:
    return "".join(
        f'<row r="{i}">'
        + cell(f"A{i}", "2026-10")
        + cell(f"B{i}", "D01")
        + cell(f"C{i}", "S1-BLK-75B")
        + cell(f"D{i}", "1")
        + "</row>"
        for i in range(2, n + 2)
    )


def small_limit(tmp_path: Path, settings: Settings, mb: float) -> Settings:
    rules = tmp_path / "rules.toml"
    rules.write_text(f"max_unpacked_mb = {mb}\n", "utf-8")
    return Settings(db_path=settings.db_path, rules_path=rules)


def test_a_workbook_unpacking_beyond_the_limit_is_refused_before_it_is_parsed(
    con, loaded, tmp_path, monkeypatch
):
    bomb = workbook(header_row() + data_rows(20_000))  # ~2.4 MB of XML
    assert len(bomb) < 512 * 1024  # the file itself is well under the limit
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bomb)
    settings = small_limit(tmp_path, loaded, 1)
    import fastexcel

    def never(*_a, **_k):
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(fastexcel, "read_excel", never)
    exc = rejected(con, settings, path)
    assert "unpacks to more than 1 MB" in str(exc) and "max_unpacked_mb" in str(exc)
    # ... and the same bytes under another name, or through the web check's path
    with pytest.raises(ValidationError, match="unpacks to more than 1 MB"):
        validate_file(
            con, "stock", bomb, file_name="count.csv", today=TODAY, rules=settings.rules()
        )


def _lie_about_sizes(data: bytes, member: str, size: int) -> bytes:
    """The zip with ``member``'s uncompressed size claimed to be ``size`` in both headers."""
    out = bytearray(data)
    name = member.encode()
    for sig, offset, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        at = out.find(sig)
        while at != -1:
            if out[at + name_at : at + name_at + len(name)] == name:
                struct.pack_into("<I", out, at + offset, size)
            at = out.find(sig, at + 4)
    return bytes(out)


def test_a_workbook_lying_about_its_unpacked_size_is_refused(con, loaded, tmp_path):
    honest = workbook(header_row() + data_rows(20_000))
    liar = _lie_about_sizes(honest, "xl/worksheets/sheet1.xml", 1000)
    settings = small_limit(tmp_path, loaded, 1)
    exc = rejected(con, settings, write_bytes(tmp_path / "liar.xlsx", liar))
    assert "cannot be read" in str(exc) or "unpacks to more than" in str(exc)


def write_bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


SPAN_BOMB = workbook(
    header_row()
    + '<row r="2">'
    + cell("A2", "2026-10")
    + cell("B2", "D01")
    + cell("C2", "S1-BLK-75B")
    + cell("D2", "1")
    + '</row><row r="1048576">'
    + cell("XFD1048576", "x")
    + "</row>"
)


def test_a_workbook_whose_cells_span_the_whole_sheet_is_refused_not_a_crash(tmp_path):
    """Two cells at A1 and XFD1048576: the reader would allocate 17 billion cells and abort
    the process (the web server with it). Run in a child process: before the fix it died."""
    data = tmp_path / "data" / "assortment.duckdb"
    env = {"ASSORTMENT_DB": str(data), "ASSORTMENT_TODAY": TODAY.isoformat()}
    path = write_bytes(tmp_path / "span.xlsx", SPAN_BOMB)
    proc = subprocess.run(
        [sys.executable, "-m", "assortment", "load", "stock", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, **env},
    )
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-500:])
    assert "cells as far apart as row 1,048,576 and column 16,384" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_workbook_with_a_few_far_cells_but_little_memory_is_read(con, loaded, tmp_path):
    """A stray note a few hundred rows below the table is fine (the rectangle is small)."""
    rows = header_row() + data_rows(1) + '<row r="500">' + cell("F500", "checked by 王") + "</row>"
    path = write_bytes(tmp_path / "note.xlsx", workbook(rows))
    assert load_file(con, loaded, "stock", path, today=TODAY).result == "loaded"


def test_cells_without_their_place_are_placed_one_after_another(con, loaded, tmp_path):
    rows = (
        "<row>"
        + "".join(
            f"<c t='inlineStr'><is><t>{v}</t></is></c>"
            for v in ("month", "location_id", "sku", "on_hand")
        )
        + "</row><row>"
        + "".join(
            f"<c t='inlineStr'><is><t>{v}</t></is></c>"
            for v in ("2026-10", "D01", "S1-BLK-75B", "3")
        )
        + "</row>"
    )
    path = write_bytes(tmp_path / "norefs.xlsx", workbook(rows))
    load_file(con, loaded, "stock", path, today=TODAY)
    assert stock_of(con) == {("2026-10", "D01", "S1-BLK-75B"): 3}


def test_the_web_check_refuses_a_bomb_in_words(tmp_path):
    from assortment.users import User
    from dashboard import uploads
    from dashboard.data import Data
    from tests.e2e.helpers import build_with_users

    net = build_with_users(tmp_path / "net")
    found = uploads.check(
        Data(net.settings), User("admin", "admin"), "stock", "span.xlsx", SPAN_BOMB, today=TODAY
    )
    assert not found.ok and found.errors[0].code == "too_big"
    assert not any((net.settings.data_dir / "uploads").glob("*.bin")), "nothing kept of it"


# ---------------------------------------------------------------- 3. full-width characters


def test_full_width_digits_and_letters_read_as_ascii_in_every_column(con, loaded, tmp_path):
    text = (
        "ｍｏｎｔｈ,location_id,sku,on_hand\n"
        "２０２６-１０,D01,S1-BLK-75B,１２\n"
        "2026-１０,Ｄ０１,S1-BLK-80B,３\n"
        "２０２６年９月,D01,S2-NUD-M,１，２００\n"
    )
    load_file(con, loaded, "stock", write(tmp_path / "fw.csv", text), today=TODAY)
    assert stock_of(con) == {
        ("2026-10", "D01", "S1-BLK-75B"): 12,
        ("2026-10", "D01", "S1-BLK-80B"): 3,
        ("2026-09", "D01", "S2-NUD-M"): 1200,
    }


def test_full_width_launch_month_and_price(con, loaded, tmp_path):
    text = (
        "sku,style,colour,size,category,launch_month,price\n"
        "S9-RED-S,S9,RED,S,brief,２０２６-１０,５９\n"
    )
    load_file(con, loaded, "products", write(tmp_path / "p.csv", text), today=TODAY)
    got = con.execute(
        "select strftime(launch_month, '%Y-%m'), price_cny from products where sku = 'S9-RED-S'"
    ).fetchall()
    assert got == [("2026-10", 59.0)]


@pytest.mark.parametrize("month", ["٢٠٢٦-١٠", "२०२६-१०", "2026-᠑"])
def test_digits_of_other_scripts_are_not_a_month_not_a_crash(con, loaded, tmp_path, month):
    exc = rejected(con, loaded, write(tmp_path / "x.csv", HEADER + f"{month},D01,S1-BLK-75B,1\n"))
    assert [(e.column, e.code) for e in exc.errors] == [("month", "month")]


# ---------------------------------------------------------------- 4. numbers out of range


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("NaN", "not_number"),
        ("nan", "not_number"),
        ("inf", "too_large"),
        ("-inf", "negative"),
        ("1e400", "too_large"),
        ("1000000001", "too_large"),
        ("2147483648", "too_large"),
    ],
)
def test_quantities_out_of_range_are_invalid_rows(con, loaded, tmp_path, value, code):
    exc = rejected(
        con, loaded, write(tmp_path / "q.csv", HEADER + f"2026-10,D01,S1-BLK-75B,{value}\n")
    )
    assert [(e.row, e.column, e.value, e.code) for e in exc.errors] == [(2, "on_hand", value, code)]


def test_a_quantity_of_a_billion_is_the_largest_allowed(con, loaded, tmp_path):
    load_file(
        con,
        loaded,
        "stock",
        write(tmp_path / "q.csv", HEADER + "2026-10,D01,S1-BLK-75B,1e9\n"),
        today=TODAY,
    )
    assert stock_of(con) == {("2026-10", "D01", "S1-BLK-75B"): 1_000_000_000}


@pytest.mark.parametrize("value", ["1e10", "2147483648", "inf", "NaN", "-1", "2.5", "-inf"])
def test_min_styles_out_of_range_is_an_invalid_row(con, loaded, tmp_path, value):
    text = (
        "location_id,name,kind,distributor_id,region,province,city,rep,min_styles\n"
        f"D01-S009,九店,store,D01,North,河北,石家庄,张伟,{value}\n"
    )
    exc = rejected(con, loaded, write(tmp_path / "l.csv", text), kind="locations")
    assert [(e.row, e.column) for e in exc.errors] == [(2, "min_styles")]


@pytest.mark.parametrize("value", ["NaN", "inf", "1e400", "-inf", "-1"])
def test_prices_must_be_finite_and_not_negative(con, loaded, tmp_path, value):
    text = (
        "sku,style,colour,size,category,launch_month,price\n"
        f"S9-RED-S,S9,RED,S,brief,2026-09,{value}\n"
    )
    exc = rejected(con, loaded, write(tmp_path / "p.csv", text), kind="products")
    assert [(e.row, e.column) for e in exc.errors] == [(2, "price")]


@pytest.mark.parametrize("value", ["NaN", "inf", "1e400", "-5"])
def test_sales_amounts_must_be_finite_and_not_negative(con, loaded, tmp_path, value):
    text = f"month,location_id,sku,units_sold,amount\n2026-10,D01,S1-BLK-75B,1,{value}\n"
    exc = rejected(con, loaded, write(tmp_path / "s.csv", text), kind="sales")
    assert [(e.row, e.column) for e in exc.errors] == [(2, "amount")]


def test_summary_json_and_workbooks_never_carry_nan(tmp_path):
    import polars as pl

    from assortment.export import write_frame
    from assortment.report.summary import dumps

    text = dumps({"value_cny": float("nan"), "by": [float("inf"), 1.5], "n": 3})
    assert json.loads(text) == {"value_cny": None, "by": [None, 1.5], "n": 3}
    frame = pl.DataFrame({"style": ["S1", "S2"], "value_cny": [float("nan"), math.inf]})
    write_frame(frame, tmp_path / "x.xlsx")
    with zipfile.ZipFile(tmp_path / "x.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "#NUM!" not in sheet and "NaN" not in sheet and "inf" not in sheet.lower()


# ---------------------------------------------------------------- 7. one column, one meaning


@pytest.mark.parametrize(
    "header",
    [
        "month,location_id,sku,on_hand,on_hand",
        "month,location_id,sku,on_hand,ON_HAND ",
        "month,月份,location_id,sku,on_hand",
        "month,location_id,sku,库存,on_hand",
    ],
)
def test_a_column_given_twice_is_invalid(con, loaded, tmp_path, header):
    n = header.count(",") + 1
    row = ",".join(["2026-10", "D01", "S1-BLK-75B", "1", "1"][:n])
    if header.startswith("month,月份"):
        row = "2026-10,2026-10,D01,S1-BLK-75B,1"
    exc = rejected(con, loaded, write(tmp_path / "twice.csv", f"{header}\n{row}\n"))
    assert [e.code for e in exc.errors] == ["column_twice"]
    assert "given twice" in exc.errors[0].reason


def test_a_workbook_column_given_twice_is_invalid(con, loaded, tmp_path):
    rows = (
        '<row r="1">'
        + "".join(
            cell(f"{c}1", v)
            for c, v in zip(
                "ABCDE", ("month", "location_id", "sku", "on_hand", "on_hand"), strict=True
            )
        )
        + '</row><row r="2">'
        + "".join(
            cell(f"{c}2", v)
            for c, v in zip("ABCDE", ("2026-10", "D01", "S1-BLK-75B", "1", "2"), strict=True)
        )
        + "</row>"
    )
    exc = rejected(con, loaded, write_bytes(tmp_path / "twice.xlsx", workbook(rows)))
    assert [e.code for e in exc.errors] == ["column_twice"]


# ---------------------------------------------------------------- 8. consistency with what is stored


def test_a_one_row_products_file_may_not_give_a_style_a_second_category(con, loaded, tmp_path):
    text = "sku,style,colour,size,category,launch_month,price\nS1-RED-75B,S1,RED,75B,brief,2026-05,199\n"
    exc = rejected(con, loaded, write(tmp_path / "p.csv", text), kind="products")
    assert [(e.row, e.column, e.code) for e in exc.errors] == [(2, "style", "style_stored")]
    assert "category bra, launch_month 2026-03" in exc.errors[0].reason


def test_a_products_file_may_restate_every_sku_of_a_style(con, loaded, tmp_path):
    text = (
        "sku,style,colour,size,category,launch_month,price\n"
        "S2-NUD-M,S2,NUD,M,brief,2025-10,69\nS2-NUD-L,S2,NUD,L,brief,2025-10,69\n"
    )
    load_file(con, loaded, "products", write(tmp_path / "p.csv", text), today=TODAY)
    assert con.execute("select distinct price_cny from products where style = 'S2'").fetchall() == [
        (69.0,)
    ]


def test_a_new_sku_may_not_repeat_a_stored_style_colour_and_size(con, loaded, tmp_path):
    text = "sku,style,colour,size,category,launch_month,price\nS1-BLK-75B-2,S1,BLK,75B,bra,2026-03,199\n"
    exc = rejected(con, loaded, write(tmp_path / "p.csv", text), kind="products")
    assert [(e.column, e.code) for e in exc.errors] == [("size", "scs_stored")]


def test_a_one_row_locations_file_may_not_orphan_the_stores_of_a_distributor(con, loaded, tmp_path):
    text = (
        "location_id,name,kind,distributor_id,region,province,city,rep\n"
        "D01,北方代理,store,D01-S001,North,河北,石家庄,张伟\n"
    )
    exc = rejected(con, loaded, write(tmp_path / "l.csv", text), kind="locations")
    orphan = [e for e in exc.errors if e.code == "orphans"]
    assert [(e.row, e.column) for e in orphan] == [(2, "kind")]
    assert "2 store(s) name it: D01-S001, D01-S002" in orphan[0].reason


def test_a_locations_file_may_move_stores_and_then_change_the_distributor(con, loaded, tmp_path):
    text = (
        "location_id,name,kind,distributor_id,region,province,city,rep\n"
        "D02,南方代理,distributor,,South,广东,广州,李娜\n"
        "D01,北方代理,store,D02,North,河北,石家庄,张伟\n"
        "D01-S001,石家庄一店,store,D02,North,河北,石家庄,张伟\n"
        "D01-S002,石家庄二店,store,D02,North,河北,石家庄,张伟\n"
    )
    load_file(con, loaded, "locations", write(tmp_path / "l.csv", text), today=TODAY)
    assert con.execute("select kind from locations where location_id = 'D01'").fetchall() == [
        ("store",)
    ]


# ---------------------------------------------------------------- 9. the completeness guard

FULL = HEADER + "2026-10,D01-S001,S1-BLK-75B,2\n2026-10,D01-S001,S2-NUD-M,1\n"
EMPTIED = HEADER + "2026-10,D01-S001,S1-BLK-75B,0\n"


def test_a_first_count_into_an_empty_store_is_never_held(con, loaded, tmp_path):
    # months of history at once, shrinking: nothing stored to compare with
    text = (
        HEADER
        + "2026-08,D01-S001,S1-BLK-75B,2\n2026-08,D01-S001,S2-NUD-M,1\n2026-09,D01-S001,S1-BLK-75B,0\n"
    )
    result = load_file(con, loaded, "stock", write(tmp_path / "h.csv", text), today=TODAY)
    assert result.result == "loaded" and result.drops == []


def test_a_count_that_empties_a_location_is_held_until_confirmed(con, loaded, tmp_path):
    load_file(con, loaded, "stock", write(tmp_path / "full.csv", FULL), today=TODAY)
    before = {t: table_rows(con, t) for t in FACTS}
    short = write(tmp_path / "short.csv", EMPTIED)
    with pytest.raises(count_drop_error()) as info:
        load_file(con, loaded, "stock", short, today=TODAY)
    assert "D01-S001 2026-10: 2 -> 0 styles in stock" in str(info.value)
    assert {t: table_rows(con, t) for t in FACTS} == before
    assert con.execute("select result from load_log order by load_id desc limit 1").fetchall() == [
        ("held",)
    ]

    result = load_file(con, loaded, "stock", short, today=TODAY, accept_drop=True)
    assert result.result == "loaded"
    assert stock_of(con) == {("2026-10", "D01-S001", "S1-BLK-75B"): 0}
    logged = con.execute(
        "select result, confirmed_drops from load_log order by load_id desc limit 1"
    ).fetchall()
    assert logged == [("loaded", '[["2026-10", "D01-S001", 2, 0]]')]


def test_a_new_month_is_compared_with_the_latest_count_before_it(con, loaded, tmp_path):
    load_file(con, loaded, "stock", write(tmp_path / "full.csv", FULL), today=TODAY)
    nov = HEADER + "2026-11,D01-S001,S1-BLK-75B,0\n2026-11,D01-S002,S1-BLK-75B,0\n"
    with pytest.raises(count_drop_error()) as info:
        load_file(con, loaded, "stock", write(tmp_path / "nov.csv", nov), today=TODAY)
    # D01-S002 was never counted: nothing to compare with
    assert [(d.location_id, d.month, d.before, d.after) for d in info.value.drops] == [
        ("D01-S001", "2026-11", 2, 0)
    ]


def test_a_half_count_is_not_a_drop(con, loaded, tmp_path):
    load_file(con, loaded, "stock", write(tmp_path / "full.csv", FULL), today=TODAY)
    half = HEADER + "2026-10,D01-S001,S2-NUD-M,4\n"  # 1 of 2 styles: exactly the share
    assert load_file(con, loaded, "stock", write(tmp_path / "h.csv", half), today=TODAY).drops == []


def test_cli_holds_a_drop_names_both_counts_and_loads_with_accept_drop(
    loaded, tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("ASSORTMENT_TODAY", TODAY.isoformat())
    db = ["--db", str(loaded.db_path)]
    assert run_cli([*db, "load", "stock", str(write(tmp_path / "full.csv", FULL))], capsys)[0] == 0
    short = str(write(tmp_path / "short.csv", EMPTIED))
    code, _, err = run_cli([*db, "load", "stock", short, "--check"], capsys)
    assert code == 1 and "D01-S001 2026-10: 2 -> 0 styles" in err and "--accept-drop" in err
    code, _, err = run_cli([*db, "load", "stock", short], capsys)
    assert code == 1 and "held, nothing was stored" in err
    code, out, _ = run_cli([*db, "load", "stock", short, "--accept-drop"], capsys)
    assert code == 0 and "loaded (fewer styles confirmed: D01-S001 2026-10: 2 -> 0" in out


# ---------------------------------------------------------------- 10. bounded disk


def test_rejected_files_are_kept_bounded_and_loaded_ones_forever(
    loaded, tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("ASSORTMENT_TODAY", TODAY.isoformat())
    monkeypatch.setenv("ASSORTMENT_REJECTED_MAX_FILES", "2")
    db = ["--db", str(loaded.db_path)]
    for i in range(4):
        bad = write(tmp_path / f"bad{i}.csv", HEADER + f"2026-10,D01,S1-BLK-75B,-{i + 1}\n")
        assert run_cli([*db, "load", "stock", str(bad)], capsys)[0] == 1
    good = write(tmp_path / "good.csv", HEADER + "2026-10,D01,S1-BLK-75B,1\n")
    assert run_cli([*db, "load", "stock", str(good)], capsys)[0] == 0
    kept = sorted(p.name.split("__")[1] for p in (loaded.rejected_dir / "stock").iterdir())
    assert kept == ["bad2.csv", "bad3.csv"]  # the newest two
    archived = [p.name.split("__")[1] for p in (loaded.archive_dir / "stock").iterdir()]
    assert archived == ["good.csv"]


def test_a_huge_rejected_file_is_not_kept(loaded, tmp_path, monkeypatch):
    monkeypatch.setenv("ASSORTMENT_REJECTED_MAX_MB", "1")
    junk = write_bytes(tmp_path / "junk.csv", b"x" * (2 * 1024 * 1024))
    with store.writer(loaded) as con, pytest.raises(ValidationError):
        load_file(con, loaded, "stock", junk, today=TODAY)
    assert not list(loaded.rejected_dir.rglob("*junk*"))
    assert not list(loaded.archive_dir.rglob("*junk*"))


def test_web_checks_keep_no_rejected_bytes_and_a_bounded_stash(tmp_path, monkeypatch):
    from assortment.users import User
    from dashboard import uploads
    from dashboard.data import Data
    from tests.e2e.helpers import build_with_users

    net = build_with_users(tmp_path / "net")
    data, admin = Data(net.settings), User("admin", "admin")
    folder = net.settings.data_dir / "uploads"
    bad = b"month,location_id,sku,on_hand\n2026-10,D01,NOPE,1\n" + b"#" * 100_000
    found = uploads.check(data, admin, "stock", "bad.csv", bad, today=TODAY)
    assert found.errors and not list(folder.glob("*.bin"))
    name, problems = uploads.problems(net.settings, admin, found.token)
    assert name == "bad.csv" and [p.code for p in problems] == [e.code for e in found.errors]
    monkeypatch.setenv("ASSORTMENT_UPLOADS_MAX_FILES", "4")  # two uploads: .bin + .json each
    good = b"month,location_id,sku,on_hand\n"
    for i in range(5):
        uploads.stash(net.settings, admin, "stock", f"g{i}.csv", good)
    assert len(list(folder.iterdir())) <= 4


# ---------------------------------------------------------------- 11. the user's environment


def test_an_archive_that_cannot_be_written_is_a_message_naming_it(
    loaded, tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("ASSORTMENT_TODAY", TODAY.isoformat())
    loaded.archive_dir.mkdir(parents=True, exist_ok=True)
    blocker = loaded.archive_dir / "stock"
    blocker.write_text("not a folder")  # like a read-only or full folder: it cannot hold files
    good = write(tmp_path / "good.csv", HEADER + "2026-10,D01,S1-BLK-75B,1\n")
    code, _, err = run_cli(["--db", str(loaded.db_path), "load", "stock", str(good)], capsys)
    assert code == 2 and str(blocker) in err and "internal error" not in err
    with store.reader(loaded) as con:
        assert con.execute("select count(*) from stock").fetchall() == [(0,)]


def test_a_full_disk_while_archiving_is_a_message(loaded, tmp_path, capsys, monkeypatch):
    import errno
    import os

    monkeypatch.setenv("ASSORTMENT_TODAY", TODAY.isoformat())
    real = os.fsync

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    good = write(tmp_path / "good.csv", HEADER + "2026-10,D01,S1-BLK-75B,1\n")
    code, _, err = run_cli(["--db", str(loaded.db_path), "load", "stock", str(good)], capsys)
    monkeypatch.setattr(os, "fsync", real)
    assert code == 2 and "No space left on device" in err and "free some disk space" in err
    assert str(loaded.archive_dir / "stock") in err


def test_errors_out_pointing_at_a_folder_is_a_usage_error(loaded, tmp_path, capsys):
    bad = write(tmp_path / "bad.csv", HEADER + "2026-10,D01,S1-BLK-75B,-1\n")
    code, _, err = run_cli(
        ["--db", str(loaded.db_path), "load", "stock", str(bad), "--errors-out", str(tmp_path)],
        capsys,
    )
    assert code == 2 and str(tmp_path) in err and "is a folder" in err


@pytest.mark.parametrize("where", ["file", "dev"])
def test_a_database_path_that_cannot_be_written_is_a_message(tmp_path, capsys, where):
    if where == "file":
        (tmp_path / "plain").write_text("x")
        db = tmp_path / "plain" / "assortment.duckdb"  # a folder that is a file
    else:
        db = Path("/proc/assortment-test/assortment.duckdb")
    good = write(tmp_path / "good.csv", HEADER + "2026-10,D01,S1-BLK-75B,1\n")
    code, _, err = run_cli(["--db", str(db), "load", "stock", str(good)], capsys)
    assert code in (1, 2) and "internal error" not in err and str(db.parent) in err, err


def test_an_unwritable_database_file_is_a_message(tmp_path, capsys, monkeypatch):
    import duckdb

    def refuse(*_a, **_k):
        raise duckdb.IOException('IO Error: Cannot open file "x": Read-only file system')

    monkeypatch.setattr(duckdb, "connect", refuse)
    code, _, err = run_cli(["--db", str(tmp_path / "d" / "a.duckdb"), "init"], capsys)
    assert code == 2 and "cannot open the database" in err and "Read-only file system" in err


# ---------------------------------------------------------------- 12. the small ones


def test_old_mac_line_endings_are_read(con, loaded, tmp_path):
    text = HEADER.replace("\n", "\r") + "2026-10,D01,S1-BLK-75B,5\r2026-10,D01,S2-NUD-M,2\r"
    load_file(con, loaded, "stock", write(tmp_path / "mac.csv", text), today=TODAY)
    assert stock_of(con) == {("2026-10", "D01", "S1-BLK-75B"): 5, ("2026-10", "D01", "S2-NUD-M"): 2}


def test_a_half_second_lock_timeout_says_half_a_second(loaded, monkeypatch):
    from assortment.errors import StoreBusyError

    with (
        store._file_lock(loaded.lock_path, 5),  # noqa: SLF001
        pytest.raises(StoreBusyError) as info,
        store._file_lock(loaded.lock_path, 0.5),  # noqa: SLF001
    ):
        pass
    assert "after 0.5 s" in str(info.value)


# ---------------------------------------------------------------- issue 8: what the upload page says


def test_a_stock_file_chosen_as_sales_says_so(con, loaded, tmp_path):
    text = "月份,门店编码,条码,期末库存\n2026-10,D01,S1-BLK-75B,3\n"
    exc = rejected(con, loaded, write(tmp_path / "s.csv", text), kind="sales")
    assert [(e.code, e.params["kind"]) for e in exc.errors] == [("looks_like", "stock")]
    assert "looks like a stock file" in exc.errors[0].reason and "期末库存" in exc.errors[0].reason
    text = "month,location_id,sku,units_sold\n2026-10,D01,S1-BLK-75B,3\n"
    exc = rejected(con, loaded, write(tmp_path / "t.csv", text), kind="stock")
    assert exc.errors[0].code == "looks_like" and exc.errors[0].params["kind"] == "sales"


def test_one_problem_is_one_problem(con, loaded, tmp_path):
    exc = rejected(con, loaded, write(tmp_path / "x.csv", HEADER + "2026-10,D01,S1-BLK-75B,-1\n"))
    assert "(1 problem)" in str(exc)


def test_a_row_with_a_stray_delimiter_is_named_not_the_whole_file(con, loaded, tmp_path):
    """A row with more values than the header has columns cannot be read column by column:
    it is named with its row, the sheet's column letter and the stray value; a short row is
    named for what it lacks; nothing is stored."""
    before = stock_of(con)
    exc = rejected(
        con,
        loaded,
        write(
            tmp_path / "ragged.csv",
            HEADER
            + "2026-10,D01,S1-BLK-75B,3\n"
            + "2026-10,D01,S1-BLK-80B,1,5\n"
            + "2026-10,D01,S1-NUD-75B\n",
        ),
    )
    assert [(e.row, e.column, e.value, e.code) for e in exc.errors] == [
        (3, "E", "5", "extra_values")
    ]
    assert "the row has 5 values but the header has 4 columns" in str(exc.errors[0])
    assert stock_of(con) == before
    # once the stray value is gone, the short row is named for the quantity it lacks
    exc = rejected(
        con,
        loaded,
        write(
            tmp_path / "short.csv",
            HEADER + "2026-10,D01,S1-BLK-75B,3\n" + "2026-10,D01,S1-NUD-75B\n",
        ),
    )
    assert [(e.row, e.column, e.code) for e in exc.errors] == [(3, "on_hand", "required")]


def test_a_trailing_comma_on_every_row_is_read_as_written(con, loaded, tmp_path):
    """Some spreadsheets end each row with a delimiter: an empty extra cell is no value."""
    load_file(
        con,
        loaded,
        "stock",
        write(tmp_path / "trailing.csv", HEADER + "2026-10,D01,S1-BLK-75B,3,\n"),
        today=TODAY,
    )
    assert stock_of(con)[("2026-10", "D01", "S1-BLK-75B")] == 3


def test_a_row_naming_a_sku_and_another_style_colour_or_size_is_invalid(con, loaded, tmp_path):
    """A stock row may name its SKU by style, colour and size instead of sku (domain.md 3);
    a row that gives both must not contradict itself: which one was counted?"""
    header = "month,location_id,sku,style,colour,size,on_hand\n"
    exc = rejected(
        con,
        loaded,
        write(
            tmp_path / "both.csv",
            header
            + "2026-10,D01,S1-BLK-75B,S1,BLK,75B,3\n"  # its own: fine
            + "2026-10,D01,S1-BLK-80B,,,,2\n"  # left out: fine
            + "2026-10,D01,S1-NUD-75B,S2,NUD,M,1\n",  # another SKU's style and size
        ),
    )
    assert sorted((e.row, e.column, e.value, e.code) for e in exc.errors) == [
        (4, "size", "M", "sku_disagrees"),
        (4, "style", "S2", "sku_disagrees"),
    ]
