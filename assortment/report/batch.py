"""The monthly batch: classify the month, then write every report into ``OUT/<YYYY-MM>/`` at once.

Files are written into a temporary folder beside the final one (``OUT/.<YYYY-MM>.tmp-<pid>``)
and the folder is moved into place only when everything is written: a run that fails or is
killed midway leaves the previous report (or none) in place, never a half-written one.
Re-running with the same data and rules writes the same bytes: no timestamps other than the
data's month, and every list in a fixed order.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import os
import re
import shutil
import tempfile
import time
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from plotly.offline import get_plotlyjs

from assortment import i18n, months, store
from assortment.config import Settings
from assortment.errors import UsageError
from assortment.job import classify, counted_months, is_current, resolve_month
from assortment.report.browser import Browser, find_chromium
from assortment.report.data import MonthData, Scope, load_month, scoped, status_counts
from assortment.report.excel import write_network_workbook, write_rep_workbook
from assortment.report.figures import WIDTH
from assortment.report.html import E, fmt_int, tag
from assortment.report.pages import (
    PLOTLY_FILE,
    build_page,
    document,
    interactive_html,
    print_html,
    scope_label,
)
from assortment.report.progress import Progress
from assortment.report.summary import add_files, build_summary, dumps
from assortment.report.visit_sheet import footer as sheet_footer
from assortment.report.visit_sheet import sheet_html
from assortment.visit import visit_lines

_UNSAFE = re.compile(r'[\x00-\x1f/\\:*?"<>|]+')
_STAGE = re.compile(r"^\.(\d{4}-\d{2})\.(?:tmp|old)-(\d+)$")
PDF_TIMEOUT_S = 600


@dataclass(frozen=True)
class MonthlyResult:
    """What a run wrote."""

    month: date
    folder: Path
    files: list[str]
    status_counts: dict[str, int]
    seconds: float

    def summary(self) -> str:
        """One line for the terminal."""
        counts = ", ".join(f"{k} {v}" for k, v in self.status_counts.items())
        return (
            f"{months.fmt(self.month)}: wrote {len(self.files)} files to {self.folder} "
            f"({counts}) in {self.seconds:.1f} s"
        )


def parse_lang(lang: str) -> tuple[str, ...]:
    """``en``, ``zh`` or ``both``; UsageError otherwise."""
    value = (lang or "").strip().lower()
    if value == "both":
        return i18n.LANGS
    if value in i18n.LANGS:
        return (value,)
    raise UsageError(f"--lang must be en, zh or both, got {lang!r}")


def safe_name(text: str, used: set[str]) -> str:
    """A file name stem from a region or rep name (Chinese kept), unique within ``used``."""
    base = _UNSAFE.sub("_", text).strip(" .") or "_"
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base}-{n}", n + 1
    used.add(name.lower())
    return name


@dataclass(frozen=True)
class Unit:
    """One report: a scope and where its files go (relative stem, e.g. ``reps/张伟``)."""

    scope: Scope
    stem: str


def plan_units(data: MonthData) -> list[Unit]:
    """Every report of the month: the network, each region, each rep (sorted, stable names)."""
    units = [Unit(Scope("network"), "network")]
    used: set[str] = set()
    units += [Unit(Scope("region", r), f"regions/{safe_name(r, used)}") for r in data.regions()]
    used = set()
    for rep in data.reps():
        units.append(Unit(Scope("rep", rep), f"reps/{safe_name(rep or 'no-rep', used)}"))
    return units


def run_monthly(
    settings: Settings,
    *,
    month: str | None = None,
    out: Path,
    lang: str = "both",
    progress: Progress | None = None,
) -> MonthlyResult:
    """Classify ``month`` (default: the latest counted) unless its results are current (this
    version of the product, the same rules, no load since: :func:`assortment.job.is_current`),
    and write its reports to ``out/<YYYY-MM>/``.

    Writes, per language: the network, every region and every rep as HTML (self-contained,
    works offline) and PDF; per rep and for the network an Excel workbook; and one
    ``summary.json``. See the README ("The monthly batch") for the folder layout.

    Raises:
        UsageError: Bad ``lang``; ``out`` is a file; no Chromium for the PDFs.
        NoDataError: The database is empty or ``month`` has no stock counts.
    """
    t0 = time.perf_counter()
    langs = parse_lang(lang)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {str(out)!r} is a file, not a folder")
    chromium = find_chromium()  # before the long part: a missing browser is a setup problem
    rules = settings.rules()

    with store.reader(settings) as con:
        m = resolve_month(con, month)
        current = is_current(con, m, rules)
        prev = months.add(m, -1)
        prev_fp = store.query(con, "job_run_state", month=prev)["rules_fingerprint"].to_list()
        redo_prev = prev in counted_months(con) and (not prev_fp or prev_fp[0] != rules.fingerprint)
    try:  # before classifying: a folder we cannot write to is the user's to fix
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create --out {str(out)!r}: {exc.strerror}") from None
    label = f"monthly {months.fmt(m)}"
    own_progress = progress is None
    progress = progress or Progress(label)
    progress.add(2 + int(redo_prev))
    with progress if own_progress else contextlib.nullcontext():
        if current:  # re-classifying would write the same results (and empty every cache)
            progress.step("results current: classified by this version, same rules, no load since")
        else:
            (result,) = classify(settings, month=months.fmt(m))
            progress.step(f"classified {result.n_locations:,} locations ({result.seconds:.1f} s)")
        if redo_prev:
            classify(settings, month=months.fmt(prev))
            progress.step(f"classified the previous month {months.fmt(prev)} for the trend")
        with store.reader(settings) as con:
            data = load_month(con, m)
        progress.step("read the results")

        final = out / months.fmt(m)
        _clean_stale(out)
        stage = out / f".{months.fmt(m)}.tmp-{os.getpid()}"
        stage.mkdir()
        try:
            write_reports(data, stage, langs=langs, progress=progress, chromium=chromium)
            summary = add_files(build_summary(data, langs=langs), stage)
            (stage / "summary.json").write_text(dumps(summary), "utf-8")
            _fsync_tree(stage)
            _swap_into_place(stage, final)
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
        files = sorted(p.relative_to(final).as_posix() for p in final.rglob("*") if p.is_file())
        res = MonthlyResult(
            month=m,
            folder=final,
            files=files,
            status_counts=status_counts(data.compliance),
            seconds=time.perf_counter() - t0,
        )
    if own_progress:
        print(res.summary(), flush=True)
    return res


def write_reports(
    data: MonthData,
    root: Path,
    *,
    langs: tuple[str, ...],
    progress: Progress,
    chromium: str | None = None,
) -> None:
    """Write every report of ``data`` under ``root`` (HTML, PDF, workbooks and the index).

    The browser renders figures and prints PDFs in its own thread while this one writes
    HTML and workbooks; every PDF is waited for before returning.
    """
    units = plan_units(data)
    (root / PLOTLY_FILE).write_text(get_plotlyjs(), "utf-8")
    (root / "regions").mkdir(exist_ok=True)
    (root / "reps").mkdir(exist_ok=True)
    progress.add(len(units) * len(langs) + len(langs))
    transfers = data.actions.filter(pl.col("action") == "transfer").sort(
        "location_id", "style", "colour", "size"
    )
    visits = month_visit_lines(data)
    visit_locations = data.compliance.filter(
        pl.col("location_id").is_in(visits["location_id"].unique().to_list())
    ).sort("location_id")
    if visit_locations.height:
        (root / "visits").mkdir()
        progress.add(len(langs))
    pending: list[Future[Any]] = []
    with (
        tempfile.TemporaryDirectory(prefix="assortment-print-") as scratch,
        Browser(chromium) as browser,
    ):
        for lang in langs:
            for unit in units:
                _raise_first_failure(pending)  # stop early when Chromium fails
                part = scoped(data, unit.scope)
                page = build_page(part, unit.scope, lang)
                plotly_src = "../" * unit.stem.count("/") + PLOTLY_FILE
                (root / f"{unit.stem}.{lang}.html").write_text(
                    interactive_html(page, plotly_src=plotly_src), "utf-8"
                )
                name = f"{unit.stem}.{lang}"
                fut = browser.page_pdf(
                    page.figures,
                    width=WIDTH,
                    make_html=functools.partial(print_html, page),
                    scratch=Path(scratch) / f"{len(pending):04d}.html",
                    out=root / f"{name}.pdf",
                    footer=f"{page.title} · {page.subtitle}",
                    month=data.month,
                )
                fut.add_done_callback(_step_when_done(progress, f"{name} (html, pdf)"))
                pending.append(fut)
                if unit.scope.kind == "rep":
                    write_rep_workbook(
                        root / f"{name}.xlsx",
                        part,
                        unit.scope,
                        lang,
                        transfers=transfers,
                        visits=visits.filter(
                            pl.col("location_id").is_in(part.compliance["location_id"].to_list())
                        ),
                    )
            if visit_locations.height:
                pending += _visit_sheets(
                    browser, data, visits, visit_locations, root, Path(scratch), lang
                )
                progress.step(f"visits/*.{lang}.pdf ({visit_locations.height:,} locations)")
            write_network_workbook(root / f"network.{lang}.xlsx", data, lang)
            progress.step(f"network.{lang}.xlsx and the reps' workbooks")
        (root / "index.html").write_text(index_html(data, units, langs), "utf-8")
        for fut in pending:
            fut.result(timeout=PDF_TIMEOUT_S)


def month_visit_lines(data: MonthData) -> pl.DataFrame:
    """Every location's visit list of the month (domain.md 6.5), sources named."""
    names = data.compliance.select(
        pl.col("location_id").alias("source_location_id"), pl.col("name").alias("source_name")
    )
    actions = data.actions.drop("name", strict=False).join(
        names, on="source_location_id", how="left"
    )
    return visit_lines(actions, data.styles)


def _visit_sheets(
    browser: Browser,
    data: MonthData,
    visits: pl.DataFrame,
    locations: pl.DataFrame,
    root: Path,
    scratch: Path,
    lang: str,
) -> list[Future[Any]]:
    """Print one visit sheet per location with actions: ``visits/<location_id>.<lang>.pdf``."""
    used: set[str] = set()
    pending: list[Future[Any]] = []
    by_location = visits.partition_by("location_id", as_dict=True, maintain_order=True)
    for loc in locations.iter_rows(named=True):
        lines = by_location[(loc["location_id"],)]
        sheet = sheet_html(loc, lines, month=data.month_str, lang=lang)
        out = root / "visits" / f"{safe_name(loc['location_id'], used)}.{lang}.pdf"
        fut = browser.page_pdf(
            {},
            width=WIDTH,
            make_html=functools.partial(_as_is, sheet),
            scratch=scratch / f"visit-{lang}-{len(pending):05d}.html",
            out=out,
            footer=sheet_footer(loc, month=data.month_str, lang=lang),
            month=data.month,
        )
        pending.append(fut)
    return pending


def _as_is(page: str, _svgs: dict[str, bytes]) -> str:
    """A page without figures, for ``Browser.page_pdf``."""
    return page


def _raise_first_failure(pending: list[Future[Any]]) -> None:
    for fut in pending:
        if fut.done() and not fut.cancelled() and fut.exception() is not None:
            fut.result()


def _step_when_done(progress: Progress, message: str) -> Any:
    def done(fut: Future[Any]) -> None:
        if not fut.cancelled() and fut.exception() is None:
            progress.step(message)

    return done


def index_html(data: MonthData, units: list[Unit], langs: tuple[str, ...]) -> str:
    """The month's front page: every report with its locations by status, and links to its files.

    Words in the first of ``langs``; a report's name in every language written.
    """
    lang = langs[0]
    title = i18n.t("app.title", lang) + " · " + i18n.t("report.monthly_report", lang)
    title += " " + data.month_str
    statuses = list(status_counts(data.compliance))
    head = "".join(tag("th", i18n.word("status", s, lang), cls="n") for s in statuses)
    head = tag("th", i18n.t("report.index_reports", lang)) + head
    head += tag("th", i18n.t("report.index_files", lang))
    rows = []
    for unit in units:
        label = " / ".join(dict.fromkeys(scope_label(lg, unit.scope) for lg in langs))
        counts = status_counts(scoped(data, unit.scope).compliance)
        cells = "".join(
            f'<td class="n"><span class="badge s-{E(s)}">{fmt_int(counts[s])}</span></td>'
            if counts.get(s) and s in ("fail", "warn")
            else f'<td class="n">{fmt_int(counts.get(s, 0))}</td>'
            for s in statuses
        )
        exts = ("html", "pdf", "xlsx") if unit.scope.kind in ("rep", "network") else ("html", "pdf")
        links = " · ".join(
            f'<a href="{E(unit.stem)}.{lg}.{x}">{"中文" if lg == "zh" else "EN"} {x.upper()}</a>'
            for lg in langs
            for x in exts
        )
        rows.append(f"<tr><td><b>{E(label)}</b></td>{cells}<td>{links}</td></tr>")
    body = (
        f"<header>{tag('h1', title)}"
        '<p class="meta"><a href="summary.json">summary.json</a></p></header>'
        f'<section class="wide"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )
    return document(lang, title, body)


# ------------------------------------------------------------------ the folder swap


def _clean_stale(out: Path) -> None:
    """Remove staging folders left by runs that were killed (their process is gone)."""
    for path in out.iterdir():
        m = _STAGE.match(path.name)
        if not m or not path.is_dir():
            continue
        pid = int(m.group(2))
        if pid != os.getpid() and _alive(pid):
            continue
        shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_tree(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())


def _swap_into_place(stage: Path, final: Path) -> None:
    """Move ``stage`` to ``final``; an existing ``final`` is swapped atomically where the OS can."""
    if not final.exists():
        os.rename(stage, final)
        return
    if _exchange(stage, final):
        shutil.rmtree(stage, ignore_errors=True)  # now holds the previous report
        return
    old = final.with_name(f".{final.name}.old-{os.getpid()}")
    os.rename(final, old)
    os.rename(stage, final)
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False when unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    try:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    rc = fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return rc == 0


__all__ = ["MonthlyResult", "parse_lang", "plan_units", "run_monthly", "write_reports"]
