"""The monthly batch end to end on a real small network: classification, Chromium, every file.

Needs Debian's chromium and a CJK font (``make test`` installs them); marked slow, so
``make test-fast`` stays browser-free. PDFs are read with a small parser below (page objects,
and the ToUnicode maps that say which characters the fonts draw), so no PDF library is needed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zlib
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from plotly.offline import get_plotlyjs

from assortment import i18n, store, vocab
from assortment.config import Settings
from assortment.export import export_frame
from assortment.ingest import load_file, load_frame
from assortment.report import run_monthly
from assortment.report.progress import Progress
from assortment.sample import generate
from tests.conftest import TODAY

pytestmark = pytest.mark.slow


def pdf_pages(pdf: bytes) -> int:
    """Page objects in a PDF."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def pdf_characters(pdf: bytes) -> set[str]:
    """Every character the PDF's fonts map to Unicode (their ToUnicode CMaps)."""
    chars: set[str] = set()
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            data = zlib.decompress(m.group(1))
        except zlib.error:
            continue
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
            hexes = re.findall(rb"<([0-9A-Fa-f]*)>", block)
            chars.update(
                bytes.fromhex(h.decode()).decode("utf-16-be", "replace") for h in hexes[1::2]
            )
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
            for lo, hi, dst in re.findall(
                rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
            ):
                start = int(dst, 16)
                chars.update(chr(start + i) for i in range(int(hi, 16) - int(lo, 16) + 1))
    return chars


@pytest.fixture(scope="module")
def network(tmp_path_factory) -> Settings:
    """A generated network of 2 distributors and 15 stores over 4 months, loaded."""
    root = tmp_path_factory.mktemp("net")
    net = generate(seed=7, distributors=2, stores=15, styles=60, months=4)
    settings = Settings(db_path=root / "data" / "assortment.duckdb")
    store.init(settings)
    with store.writer(settings) as con:
        for kind, frame in (("products", net.products), ("locations", net.locations)):
            frame.write_csv(root / f"{kind}.csv")
            load_file(con, settings, kind, root / f"{kind}.csv", today=TODAY)
        for month in net.months:
            load_frame(con, "stock", net.stock(month), file_name=f"stock_{month}")
            load_frame(con, "sales", net.sales(month), file_name=f"sales_{month}")
    return settings


@pytest.fixture(scope="module")
def run(network, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    result = run_monthly(network, out=out, lang="both", progress=Progress("t", bar=False))
    return result


def test_every_file_is_written(run):
    folder = run.folder
    assert folder.name == "2026-10"
    files = set(run.files)
    regions = {p.split("/")[1].split(".")[0] for p in files if p.startswith("regions/")}
    reps = {p.split("/")[1].split(".")[0] for p in files if p.startswith("reps/")}
    assert regions and reps
    for lang in ("en", "zh"):
        for stem in ["network", *(f"regions/{r}" for r in regions), *(f"reps/{r}" for r in reps)]:
            assert {f"{stem}.{lang}.html", f"{stem}.{lang}.pdf"} <= files
        assert {f"network.{lang}.xlsx", *(f"reps/{r}.{lang}.xlsx" for r in reps)} <= files
    assert {"summary.json", "index.html"} <= files
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]  # nothing left staged


def test_summary_numbers_match_the_compliance_export(network, run):
    summary = json.loads((run.folder / "summary.json").read_text("utf-8"))
    with store.reader(network) as con:
        _, comp = export_frame(con, "compliance", "2026-10")
    assert summary["locations"] == comp.height
    assert summary["by_status"] == {
        s: comp.filter(pl.col("status") == s).height for s in vocab.STATUSES
    }
    reasons = comp.select(pl.col("reasons").str.split(";").explode()).filter(
        pl.col("reasons") != ""
    )
    assert summary["by_reason"] == {
        r: reasons.filter(pl.col("reasons") == r).height for r in vocab.COMPLIANCE_REASONS
    }
    for region, block in summary["by_region"].items():
        part = comp.filter(pl.col("region") == region)
        assert block["by_status"] == {
            s: part.filter(pl.col("status") == s).height for s in vocab.STATUSES
        }
    assert sum(b["locations"] for b in summary["by_rep"].values()) == comp.height
    assert summary["by_status"]["fail"] > 0  # the planted troubles show
    listed = {f["path"] for f in summary["files"]}
    assert listed == set(run.files) - {"summary.json"}


def test_every_failing_location_is_in_its_reps_workbook(network, run):
    with store.reader(network) as con:
        _, comp = export_frame(con, "compliance", "2026-10")
    failing = comp.filter(pl.col("status").is_in(["fail", "warn"]))
    assert failing.height
    for lang in ("en", "zh"):
        for rep, part in failing.group_by("rep"):
            wb = openpyxl.load_workbook(
                run.folder / "reps" / f"{rep[0]}.{lang}.xlsx", read_only=True
            )
            for loc in part["location_id"].to_list():
                assert loc in wb.sheetnames
                first = next(wb[loc].iter_rows(max_row=1, values_only=True))
                assert str(first[0]).startswith(loc)
            wb.close()


def test_pdfs_have_pages_and_the_chinese_ones_chinese_text(run):
    title_zh = i18n.t("app.title", "zh")
    for path in sorted(run.folder.rglob("*.pdf")):
        pdf = path.read_bytes()
        assert pdf.startswith(b"%PDF-") and pdf_pages(pdf) >= 1, path
        chars = pdf_characters(pdf)
        if path.name.endswith(".zh.pdf"):
            assert set(title_zh) <= chars, path  # 货品结构健康, drawn in a CJK font
        else:
            assert set("Assortment Health") - {" "} <= chars, path


def test_html_works_offline(run):
    bundle_head = get_plotlyjs()[:300]
    for path in run.folder.rglob("*.html"):
        text = path.read_text("utf-8")
        assert not re.search(r"https?://", text.replace(get_plotlyjs(), "")), path
        sources = re.findall(r'<script[^>]+src="([^"]+)"', text)
        assert bundle_head not in text, path  # not embedded: one shared copy in the folder
        for src in sources:  # only the folder's own copy of plotly.js, nothing fetched
            assert src.endswith("plotly.min.js") and not src.startswith(("http", "/")), path
            assert (path.parent / src).resolve() == (run.folder / "plotly.min.js").resolve()
        if "Plotly.newPlot" in text:
            assert len(sources) == 1, path
    assert (run.folder / "plotly.min.js").read_text("utf-8") == get_plotlyjs()


def test_a_rerun_writes_the_same_bytes(network, run, tmp_path):
    # Chinese only, to keep the test short: every Chinese file must match the first run's
    again = run_monthly(network, out=tmp_path, lang="zh", progress=Progress("t", bar=False))
    same_set = [f for f in again.files if f not in ("summary.json", "index.html", "plotly.min.js")]
    assert same_set == [f for f in run.files if ".zh." in f]
    for rel in same_set:
        assert (again.folder / rel).read_bytes() == (run.folder / rel).read_bytes(), rel


def _cli(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSORTMENT_DB": str(db)}
    return subprocess.run(
        [sys.executable, "-m", "assortment", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_cli_errors_are_one_clear_line(tmp_path, network):
    empty = Settings(db_path=tmp_path / "empty" / "assortment.duckdb")
    store.init(empty)
    r = _cli("monthly", "--out", str(tmp_path / "out"), db=empty.db_path)
    assert r.returncode == 1 and r.stderr.strip().startswith(
        "error: no stock counts are loaded yet"
    ), r.stderr
    r = _cli("monthly", "--out", str(tmp_path / "out"), "--month", "2025-01", db=network.db_path)
    assert (
        r.returncode == 1
        and "no stock counts for 2025-01" in r.stderr
        and "Traceback" not in r.stderr
    )
    r = _cli("monthly", "--out", str(tmp_path / "out"), "--lang", "fr", db=network.db_path)
    assert r.returncode == 2 and "--lang must be en, zh or both" in r.stderr


def test_a_visit_sheet_per_location_with_actions_and_a_visit_list_sheet(network, run):
    """visits/<location>.<lang>.pdf for each location with action lines (A4, its lines in
    order), and the rep's workbook lists the same lines on its Visit list sheet."""
    with store.reader(network) as con:
        _, actions = export_frame(con, "actions", "2026-10")
        _, comp = export_frame(con, "compliance", "2026-10")
    with_actions = sorted(actions["location_id"].unique().to_list())
    assert with_actions
    files = set(run.files)
    for lang in ("en", "zh"):
        assert {f"visits/{loc}.{lang}.pdf" for loc in with_actions} <= files
    assert not [
        f
        for f in files
        if f.startswith("visits/") and f.split("/")[1].split(".")[0] not in with_actions
    ]
    loc = with_actions[0]
    text = subprocess.run(
        ["pdftotext", "-layout", str(run.folder / "visits" / f"{loc}.en.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Visit sheet" in text and loc in text
    if actions.filter((pl.col("location_id") == loc) & (pl.col("action") != "clearance")).height:
        assert "×" in text
    rep = comp.filter(pl.col("location_id") == loc)["rep"][0]
    wb = openpyxl.load_workbook(run.folder / "reps" / f"{rep}.zh.xlsx", read_only=True)
    assert "巡店清单" in wb.sheetnames
    rows = list(wb["巡店清单"].iter_rows(min_row=5, values_only=True))
    assert loc in {r[0] for r in rows}
    wb.close()
