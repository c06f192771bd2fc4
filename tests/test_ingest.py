"""Reading, validating and loading distributors' files (domain.md section 3)."""

from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter

from assortment.errors import ValidationError
from assortment.ingest import load_file, validate_file
from tests.conftest import TODAY, table_rows, write

HEADER = "month,location_id,sku,on_hand\n"


def load_stock(con, settings, path: Path):
    return load_file(con, settings, "stock", path, today=TODAY)


def rejected(con, settings, path: Path, kind: str = "stock") -> ValidationError:
    before = {t: table_rows(con, t) for t in ("stock", "sales", "stock_summary", "slice_source")}
    with pytest.raises(ValidationError) as info:
        load_file(con, settings, kind, path, today=TODAY)
    after = {t: table_rows(con, t) for t in before}
    assert after == before, "a rejected file must leave the store unchanged"
    return info.value


def only_error(exc: ValidationError) -> tuple[int, str, str, str]:
    assert len(exc.errors) == 1, exc.errors
    e = exc.errors[0]
    return e.row, e.column, e.value, e.reason


# ---------------------------------------------------------------- validation rules, one each


@pytest.mark.parametrize(
    ("line", "column", "value", "reason"),
    [
        ("2026-10,D09,S1-BLK-75B,1", "location_id", "D09", "is not a known location"),
        ("2026-10,D01,S9-XXX-75B,1", "sku", "S9-XXX-75B", "is not a known SKU"),
        ("2026-10,D01,S1-BLK-75B,-2", "on_hand", "-2", "is negative"),
        ("2026-10,D01,S1-BLK-75B,2.5", "on_hand", "2.5", "is not a whole number"),
        ("2026-10,D01,S1-BLK-75B,many", "on_hand", "many", "is not a number"),
        ("2026-10,D01,S1-BLK-75B,", "on_hand", "", "is empty"),
        ("2026-13,D01,S1-BLK-75B,1", "month", "2026-13", "is not a month"),
        ("Oct 2026,D01,S1-BLK-75B,1", "month", "Oct 2026", "is not a month"),
        ("2026-12,D01,S1-BLK-75B,1", "month", "2026-12", "is a future month"),
        (",D01,S1-BLK-75B,1", "month", "", "is empty"),
    ],
)
def test_each_bad_value_is_named_with_row_column_value_and_reason(
    con, loaded, tmp_path, line, column, value, reason
):
    path = write(tmp_path / "stock.csv", HEADER + "2026-10,D01,S1-BLK-80B,4\n" + line + "\n")
    row, col, val, why = only_error(rejected(con, loaded, path))
    assert (row, col, val) == (3, column, value)
    assert why.startswith(reason)


def test_duplicate_month_location_sku_names_both_rows(con, loaded, tmp_path):
    path = write(
        tmp_path / "dup.csv",
        HEADER + "2026-10,D01,S1-BLK-75B,1\n2026-10,D01,S1-BLK-80B,1\n2026-10, D01 ,S1-BLK-75B,2\n",
    )
    row, col, _, why = only_error(rejected(con, loaded, path))
    assert row == 4 and col == "sku" and "(row 2)" in why


def test_every_bad_row_is_reported_not_just_the_first(con, loaded, tmp_path):
    lines = "".join(f"2026-10,D01-S001,S1-BLK-75B,-{i}\n" for i in range(1, 40))
    exc = rejected(con, loaded, write(tmp_path / "many.csv", HEADER + lines))
    negative = [e for e in exc.errors if e.reason == "is negative"]
    assert [e.row for e in negative] == list(range(2, 41))


def test_missing_required_column_and_empty_file(con, loaded, tmp_path):
    exc = rejected(
        con,
        loaded,
        write(tmp_path / "nocol.csv", "month,location_id,sku\n2026-10,D01,S1-BLK-75B\n"),
    )
    assert exc.errors[0].column == "on_hand" and "missing" in exc.errors[0].reason
    exc = rejected(con, loaded, write(tmp_path / "empty.csv", HEADER))
    assert "no data rows" in exc.errors[0].reason
    exc = rejected(con, loaded, write(tmp_path / "zero.csv", ""))
    assert exc.errors


def test_rejected_file_keeps_earlier_data(con, loaded, tmp_path):
    load_stock(con, loaded, write(tmp_path / "ok.csv", HEADER + "2026-10,D01,S1-BLK-75B,5\n"))
    before = table_rows(con, "stock")
    bad = write(
        tmp_path / "bad.csv", HEADER + "2026-10,D01,S1-BLK-75B,3\n2026-10,D01,S1-BLK-80B,-1\n"
    )
    rejected(con, loaded, bad)
    assert table_rows(con, "stock") == before
    assert con.execute("select result from load_log order by load_id desc limit 1").fetchall() == [
        ("rejected",)
    ]


# ---------------------------------------------------------------- replacement and idempotency


def stock_of(con) -> dict[tuple[str, str, str], int]:
    rows = con.execute(
        "select strftime(s.month, '%Y-%m'), l.location_id, p.sku, s.on_hand from stock s"
        " join locations l using (location_key) join products p using (sku_key)"
    ).fetchall()
    return {(m, loc, sku): q for m, loc, sku, q in rows}


def test_a_file_replaces_each_month_location_slice_it_contains(con, loaded, tmp_path):
    load_stock(
        con,
        loaded,
        write(
            tmp_path / "a.csv",
            HEADER + "2026-10,D01,S1-BLK-75B,5\n2026-10,D01,S2-NUD-M,2\n"
            "2026-10,D01-S001,S1-BLK-75B,1\n2026-09,D01,S1-BLK-75B,9\n",
        ),
    )
    load_stock(con, loaded, write(tmp_path / "b.csv", HEADER + "2026-10,D01,S1-BLK-80B,7\n"))
    assert stock_of(con) == {
        ("2026-10", "D01", "S1-BLK-80B"): 7,  # the (2026-10, D01) slice was replaced whole
        ("2026-10", "D01-S001", "S1-BLK-75B"): 1,  # other slices untouched
        ("2026-09", "D01", "S1-BLK-75B"): 9,
    }
    summary = con.execute(
        "select active_styles, on_hand_units from stock_summary s join locations l using (location_key)"
        " where l.location_id = 'D01' and s.month = '2026-10-01'"
    ).fetchall()
    assert summary == [(1, 7)]


def test_loading_the_same_file_twice_changes_nothing(con, loaded, tmp_path):
    path = write(
        tmp_path / "a.csv", HEADER + "2026-10,D01,S1-BLK-75B,5\n2026-10,D01-S001,S2-NUD-M,2\n"
    )
    first = load_stock(con, loaded, path)
    before = {t: table_rows(con, t) for t in ("stock", "stock_summary", "slice_source")}
    second = load_stock(con, loaded, path)
    assert (first.result, second.result) == ("loaded", "unchanged")
    assert {t: table_rows(con, t) for t in before} == before


def test_reloading_an_older_file_after_a_correction_applies_it_again(con, loaded, tmp_path):
    old = write(tmp_path / "old.csv", HEADER + "2026-10,D01,S1-BLK-75B,5\n")
    new = write(tmp_path / "new.csv", HEADER + "2026-10,D01,S1-BLK-75B,6\n")
    load_stock(con, loaded, old)
    load_stock(con, loaded, new)
    assert load_stock(con, loaded, old).result == "loaded"
    assert stock_of(con) == {("2026-10", "D01", "S1-BLK-75B"): 5}


def test_sales_replace_slices_and_keep_amount(con, loaded, tmp_path):
    path = write(
        tmp_path / "s.csv", "月份,门店编码,条码,销量,金额\n2026-10,D01-S001,S1-BLK-75B,3,597\n"
    )
    load_file(con, loaded, "sales", path, today=TODAY)
    load_file(con, loaded, "sales", path, today=TODAY)
    assert con.execute("select units_sold, amount_cny from sales").fetchall() == [(3, 597.0)]


# ---------------------------------------------------------------- what distributors really send


def test_gb18030_with_chinese_headers_style_colour_size_and_messy_cells(con, loaded, tmp_path):
    text = "月份,门店编码,款号,颜色,尺码,期末库存\n2026年10月, D01-S002 ,S1,BLK,75B,12.0\n2026/10,D01-S002,S2,NUD,M,3\n"
    path = write(tmp_path / "gb.csv", text, "gb18030")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    result = load_stock(con, loaded, path)
    assert result.encoding == "gb18030"
    assert stock_of(con) == {
        ("2026-10", "D01-S002", "S1-BLK-75B"): 12,
        ("2026-10", "D01-S002", "S2-NUD-M"): 3,
    }


def test_utf8_bom_and_alternative_headers(con, loaded, tmp_path):
    text = "\ufeff网点编码,月份,SKU,盘点数\nD01,2026-10,S1-NUD-75B,4\n"
    result = load_stock(con, loaded, write(tmp_path / "bom.csv", text))
    assert result.encoding == "utf-8-bom"
    assert stock_of(con) == {("2026-10", "D01", "S1-NUD-75B"): 4}


def test_unknown_style_colour_size_is_named(con, loaded, tmp_path):
    text = "月份,门店编码,款号,颜色,尺码,库存\n2026-10,D01,S1,RED,75B,1\n"
    row, col, val, why = only_error(rejected(con, loaded, write(tmp_path / "x.csv", text)))
    assert (row, col, val) == (2, "款号", "S1") and "do not name a known SKU" in why


def test_chinese_header_is_named_in_errors(con, loaded, tmp_path):
    text = "月份,门店编码,条码,期末库存\n2026-10,D01,S1-BLK-75B,-1\n"
    row, col, val, _ = only_error(rejected(con, loaded, write(tmp_path / "x.csv", text, "gb18030")))
    assert (row, col, val) == (2, "期末库存", "-1")


def write_xlsx(path: Path, rows: list[list[object]], sheet: str = "盘点") -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            ws.write(r, c, value)
    wb.close()
    return path


def test_xlsx_first_sheet_numbers_as_floats(con, loaded, tmp_path):
    path = write_xlsx(
        tmp_path / "count.xlsx",
        [
            ["月份", "门店编码", "条码", "期末库存"],
            ["2026-10", "D01-S001", "S1-BLK-80B", 8.0],
            ["2026-10", "D01-S001", "S2-NUD-L", 2],
        ],
    )
    load_stock(con, loaded, path)
    assert stock_of(con) == {
        ("2026-10", "D01-S001", "S1-BLK-80B"): 8,
        ("2026-10", "D01-S001", "S2-NUD-L"): 2,
    }


def test_xlsx_bad_row_uses_spreadsheet_row_numbers(con, loaded, tmp_path):
    path = write_xlsx(
        tmp_path / "bad.xlsx",
        [
            ["month", "location_id", "sku", "on_hand"],
            ["2026-10", "D01", "S1-BLK-80B", 1],
            ["2026-10", "D01", "S1-BLK-75B", -3],
        ],
    )
    assert only_error(rejected(con, loaded, path))[:3] == (3, "on_hand", "-3")


def test_validate_only_stores_nothing(con, loaded, tmp_path):
    rows, result = validate_file(
        con, "stock", write(tmp_path / "a.csv", HEADER + "2026-10,D01,S1-BLK-75B,5\n"), today=TODAY
    )
    assert result.result == "checked" and rows.height == 1 and result.slices == [("2026-10", "D01")]
    assert table_rows(con, "stock") == []


# ---------------------------------------------------------------- products and locations


def test_products_style_fields_must_agree(con, loaded, tmp_path):
    text = (
        "sku,style,colour,size,category,launch_month,price\n"
        "A-1,A,BLK,75B,bra,2026-03,199\nA-2,A,BLK,80B,bra,2026-03,189\n"
    )
    exc = rejected(con, loaded, write(tmp_path / "p.csv", text), kind="products")
    assert {e.row for e in exc.errors} == {2, 3} and all(e.column == "style" for e in exc.errors)


def test_products_upsert_keeps_keys(con, loaded, tmp_path):
    keys = dict(con.execute("select sku, sku_key from products").fetchall())
    # a price change restates every SKU of the style (style-level fields agree with what is stored)
    text = (
        "sku,style,colour,size,category,launch_month,price\n"
        "S1-BLK-75B,S1,BLK,75B,bra,2026-03,209\nS1-BLK-80B,S1,BLK,80B,bra,2026-03,209\n"
        "S1-NUD-75B,S1,NUD,75B,bra,2026-03,209\nS3-RED-S,S3,RED,S,brief,2026-09,49\n"
    )
    load_file(con, loaded, "products", write(tmp_path / "p2.csv", text), today=TODAY)
    after = dict(con.execute("select sku, sku_key from products").fetchall())
    assert after["S1-BLK-75B"] == keys["S1-BLK-75B"] and after["S3-RED-S"] == max(keys.values()) + 1
    assert con.execute("select price_cny from products where sku = 'S1-BLK-75B'").fetchall() == [
        (209.0,)
    ]


def test_locations_rules(con, loaded, tmp_path):
    text = (
        "location_id,name,kind,distributor_id,region,province,city,rep,status\n"
        "D02,南方代理,distributor,D01,South,广东,广州,李娜,active\n"
        "D02-S001,广州一店,store,D99,South,广东,广州,李娜,active\n"
        "D02-S002,广州二店,shop,,South,广东,广州,李娜,gone\n"
    )
    exc = rejected(con, loaded, write(tmp_path / "l.csv", text), kind="locations")
    got = {(e.row, e.column) for e in exc.errors}
    assert got == {(2, "distributor_id"), (3, "distributor_id"), (4, "kind"), (4, "status")}


def test_products_reload_recounts_active_styles(con, loaded, tmp_path):
    load_stock(
        con,
        loaded,
        write(tmp_path / "a.csv", HEADER + "2026-10,D01,S1-BLK-75B,5\n2026-10,D01,S2-NUD-M,2\n"),
    )
    active = "select active_styles from stock_summary s join locations l using (location_key) where l.location_id = 'D01'"
    assert con.execute(active).fetchall() == [(2,)]
    # the catalogue moves SKU S2-NUD-M into style S1: D01 then holds one style, not two
    text = (
        "sku,style,colour,size,category,launch_month,price\nS2-NUD-M,S1,NUD,90E,bra,2026-03,199\n"
    )
    load_file(con, loaded, "products", write(tmp_path / "p.csv", text), today=TODAY)
    assert con.execute(active).fetchall() == [(1,)]


# ---------------------------------------------------------------- large files: values repeat


def _wide(text: str) -> str:
    """``text`` with its ASCII digits and '-' typed full-width, as Chinese input methods do."""
    return text.translate({**{ord(d): 0xFF10 + int(d) for d in "0123456789"}, ord("-"): 0xFF0D})


def test_values_repeated_over_many_rows_are_read_and_checked_row_by_row(con, loaded, tmp_path):
    """A month's file repeats few months, codes and quantities over many rows; each distinct
    value is cleaned and parsed once, and every bad row is still named on its own."""
    combos = [
        (m, loc, sku)
        for m in range(1, 11)
        for loc in (" D01", "D01-S001 ")
        for sku in ("S1-BLK-75B", "S1-BLK-80B", "S2-NUD-M")
    ]

    def qty(loc: str, sku: str, bad: bool) -> str:
        if bad and loc == "D01-S001 " and sku == "S2-NUD-M":
            return "-1"
        return _wide("12") if sku == "S1-BLK-75B" else "3.0"

    def text(bad: bool) -> str:
        return HEADER + "".join(
            f"{_wide(f'2026-{m:02d}')},{loc},{sku},{qty(loc, sku, bad)}\n" for m, loc, sku in combos
        )

    exc = rejected(con, loaded, write(tmp_path / "bad.csv", text(bad=True)))
    bad_rows = [i + 2 for i, (_, loc, sku) in enumerate(combos) if qty(loc, sku, True) == "-1"]
    assert len(bad_rows) == 10
    assert [(e.row, e.column, e.value, e.reason) for e in exc.errors] == [
        (row, "on_hand", "-1", "is negative") for row in bad_rows
    ]

    load_stock(con, loaded, write(tmp_path / "good.csv", text(bad=False)))
    expected = {
        (f"2026-{m:02d}", loc.strip(), sku): 12 if sku == "S1-BLK-75B" else 3
        for m, loc, sku in combos
    }
    assert stock_of(con) == expected
    summary = con.execute(
        "select strftime(month, '%Y-%m'), location_id, active_styles, on_hand_units, n_skus"
        " from stock_summary join locations using (location_key) order by 1, 2"
    ).fetchall()
    assert summary == [
        (f"2026-{m:02d}", loc, 2, 18, 3) for m in range(1, 11) for loc in ("D01", "D01-S001")
    ]


def test_repeats_are_found_in_any_row_order_and_with_large_keys():
    """The duplicate rule: the first row of each (month, location, SKU), whether the file is in
    key order or not, and whether the surrogate keys pack into one integer or not."""
    from datetime import date

    import polars as pl

    from assortment.ingest.validate import _first_fact_row

    oct_, sep = date(2026, 10, 1), date(2026, 9, 1)
    for big in (0, 2**21):  # 2**21: too large to pack, the three keys are grouped as they are
        frame = pl.DataFrame(
            {
                "_row": [2, 3, 4, 5, 6, 7],
                "month_date": [oct_, oct_, sep, oct_, oct_, None],
                "location_key": [big + 2, big + 1, big + 2, big + 2, big + 1, big + 1],
                "sku_key": [7, 7, 7, 7, 8, 7],
            },
            schema_overrides={"location_key": pl.Int32, "sku_key": pl.Int32},
        )
        assert _first_fact_row(frame).to_list() == [2, 3, 4, 2, 6, None]
        unique = frame.filter(pl.col("_row") != 5)
        assert _first_fact_row(unique).to_list() == [2, 3, 4, 6, None]
        ordered = unique.filter(pl.col("month_date").is_not_null()).sort(
            "month_date", "location_key", "sku_key"
        )
        assert _first_fact_row(ordered).to_list() == ordered["_row"].to_list()
