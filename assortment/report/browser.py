"""One headless Chromium for a whole run: plotly figures to SVG and report pages to PDF.

The browser is Debian's (``BROWSER_PATH`` if set, else ``chromium`` on PATH), never a downloaded
one, driven through choreographer, the DevTools layer kaleido 1.x is built on. We do not call
``kaleido.calc_fig``: kaleido reloads its page (4.8 MB of plotly.js) after every figure, about
0.4 s a figure on this machine. Instead one *figure tab* loads the installed plotly.min.js once
(from a local file, nothing from the network) and runs ``Plotly.toImage(..., {format: "svg"})``
per figure (about 0.03 s); *print tabs* load each report's print page (figures as SVG images,
no script) and ``Page.printToPDF`` it.

The browser lives in a background thread running an asyncio loop; the batch submits work and
gets ``concurrent.futures.Future`` back, so Python builds the next report and writes
workbooks while Chromium renders and prints: both cores stay busy.

Chromium stamps the print time and DOM node ids into a PDF; they are rewritten (same length, so
the cross-reference offsets stay valid; see :func:`stable_pdf`), so re-running gives the same bytes.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import html
import os
import re
import shutil
import tempfile
import threading
import urllib.parse
from collections.abc import Callable, Coroutine
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import plotly
import plotly.graph_objects as go
import plotly.io as pio

from assortment.errors import UsageError
from assortment.priority import child_session_like_ours, children_cannot_raise_priority

T = TypeVar("T")
_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_PDF_DATE = re.compile(rb"(/(?:CreationDate|ModDate) \(D:)(\d{14})")
_PDF_NODE_ID = re.compile(rb"\(node(\d+)\)")
A4_IN = (8.27, 11.69)
LOAD_TIMEOUT_S = 120.0


class BrowserMissingError(UsageError):
    """No Chromium to render the PDFs with."""


def find_chromium() -> str:
    """The browser: ``BROWSER_PATH``, else Chromium on PATH; BrowserMissingError otherwise."""
    explicit = os.environ.get("BROWSER_PATH")
    if explicit:
        if Path(explicit).is_file() and os.access(explicit, os.X_OK):
            return explicit
        raise BrowserMissingError(f"BROWSER_PATH={explicit!r} is not an executable file")
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserMissingError(
        "the PDF reports need Chromium and a CJK font: install Debian's packages with "
        "`make e2e-deps` (chromium, fonts-noto-cjk) or set BROWSER_PATH to a Chromium binary"
    )


def stable_pdf(pdf: bytes, month: date) -> bytes:
    """The same PDF with nothing that changes from run to run, every byte offset unchanged.

    Chromium writes the print time as ``/CreationDate`` and ``/ModDate`` (set to the first of
    ``month`` instead), and tags each structure element of the tagged PDF with the renderer's
    DOM node id, ``(node00003933)``, which depends on what the tab showed before: the ids are
    renumbered 1, 2, 3... in their order (so the ID tree stays sorted) at the same width.
    """
    stamp = month.strftime("%Y%m%d").encode() + b"000000"
    pdf = _PDF_DATE.sub(lambda m: m[1] + stamp, pdf)
    ids = sorted({int(x) for x in _PDF_NODE_ID.findall(pdf)})
    renumber = {old: new for new, old in enumerate(ids, start=1)}  # new <= old: never wider
    return _PDF_NODE_ID.sub(
        lambda m: b"(node" + str(renumber[int(m[1])]).zfill(len(m[1])).encode() + b")", pdf
    )


class Browser:
    """A Chromium kept open for the run (a context manager).

    Args:
        path: The Chromium binary (default: :func:`find_chromium`).
        print_tabs: Tabs printing pages in parallel.
    """

    def __init__(self, path: str | None = None, *, print_tabs: int = 2) -> None:
        self.path = path or find_chromium()
        self.print_tabs = print_tabs
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._browser: Any = None
        self._figure_tab: Any = None
        self._figure_lock: asyncio.Lock | None = None
        self._free_print_tabs: asyncio.Queue[Any] | None = None
        self._tmp = tempfile.TemporaryDirectory(prefix="assortment-browser-")
        self._submitted: list[concurrent.futures.Future[Any]] = []

    # -- lifecycle

    def __enter__(self) -> Browser:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        """Start the loop thread and the browser (blocks until the figure tab has plotly.js)."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run_loop, name="report-browser", daemon=True)
        self._thread.start()
        try:
            self._submit(self._open()).result(timeout=LOAD_TIMEOUT_S)
        except BaseException:
            self.close()
            raise

    async def _open(self) -> None:
        import choreographer

        self._browser = choreographer.Browser(path=self.path, headless=True)
        await self._browser.open()
        # Chromium runs in a session of its own: its session group must not weigh more than
        # the batch that started it (see assortment.priority)
        child_session_like_ours(self._browser.subprocess.pid)
        plotly_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
        page = Path(self._tmp.name) / "figures.html"
        page.write_text(
            '<!DOCTYPE html><html><head><meta charset="utf-8">'
            f'<script src="{plotly_js.as_uri()}"></script></head><body></body></html>',
            "utf-8",
        )
        self._figure_tab = await self._new_tab()
        await _navigate(self._figure_tab, page)
        ready = await self._figure_tab.send_command(
            "Runtime.evaluate", params={"expression": "typeof Plotly", "returnByValue": True}
        )
        if _value(ready) != "object":
            raise RuntimeError(f"plotly.js did not load from {plotly_js}")
        self._figure_lock = asyncio.Lock()
        self._free_print_tabs = asyncio.Queue()
        for _ in range(self.print_tabs):
            await self._free_print_tabs.put(await self._new_tab())

    async def _new_tab(self) -> Any:
        tab = await self._browser.create_tab("")
        _check(await tab.send_command("Page.enable"))
        return tab

    def _run_loop(self) -> None:
        # Chromium is started from this thread: as root it would raise its threads to nice -8,
        # ahead of the dashboard's requests (see assortment.priority)
        children_cannot_raise_priority()
        assert self._loop is not None
        self._loop.run_forever()

    def close(self) -> None:
        """Close the browser and stop the loop thread (safe to call twice)."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        for fut in self._submitted:  # work still queued when the batch failed
            fut.cancel()
        try:
            if self._browser is not None:
                asyncio.run_coroutine_threadsafe(self._browser.close(), loop).result(timeout=60)
        except Exception:  # best effort on the way out: the process ends with the batch anyway
            pass
        finally:
            self._browser = None
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=30)
            loop.close()
            self._loop = self._thread = None
            self._tmp.cleanup()

    def _submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        if self._loop is None:
            raise RuntimeError("the browser is not open")
        fut = asyncio.run_coroutine_threadsafe(coro, self._loop)
        self._submitted = [f for f in self._submitted if not f.done()] + [fut]
        return fut

    # -- work

    async def _svgs(self, figs: dict[str, go.Figure], width: int) -> dict[str, bytes]:
        assert self._figure_lock is not None
        out = {}
        async with self._figure_lock:
            for name, fig in figs.items():
                spec = pio.to_json(fig, validate=False)
                height = int(fig.layout.height or 450)
                opts = f'{{"format": "svg", "width": {int(width)}, "height": {height}}}'
                response = await self._figure_tab.send_command(
                    "Runtime.evaluate",
                    params={
                        "expression": f"Plotly.toImage({spec}, {opts})",
                        "awaitPromise": True,
                        "returnByValue": True,
                    },
                )
                url = _value(response)
                if not isinstance(url, str) or "," not in url:
                    raise RuntimeError(f"figure {name!r} did not render: {response}")
                out[name] = urllib.parse.unquote(url.split(",", 1)[1]).encode()
        return out

    def page_pdf(
        self,
        figs: dict[str, go.Figure],
        *,
        width: int,
        make_html: Callable[[dict[str, bytes]], str],
        scratch: Path,
        out: Path,
        footer: str,
        month: date,
    ) -> concurrent.futures.Future[int]:
        """Render a page's figures, build its print HTML with them, print it to ``out``.

        ``make_html`` gets the figures as SVG and returns the page; it runs in the browser's
        thread. The page is written to ``scratch`` (removed after printing). The future gives
        the PDF's size in bytes.
        """
        return self._submit(self._page_pdf(figs, width, make_html, scratch, out, footer, month))

    async def _page_pdf(
        self,
        figs: dict[str, go.Figure],
        width: int,
        make_html: Callable[[dict[str, bytes]], str],
        scratch: Path,
        out: Path,
        footer: str,
        month: date,
    ) -> int:
        svgs = await self._svgs(figs, width) if figs else {}
        await asyncio.to_thread(scratch.write_text, make_html(svgs), "utf-8")
        try:
            return await self._pdf(scratch, out, footer, month)
        finally:
            scratch.unlink(missing_ok=True)

    async def _pdf(self, html_path: Path, out: Path, footer: str, month: date) -> int:
        assert self._free_print_tabs is not None
        tab = await self._free_print_tabs.get()
        try:
            await _navigate(tab, html_path)
            response = await tab.send_command(
                "Page.printToPDF",
                params={
                    "printBackground": True,
                    "preferCSSPageSize": True,
                    "paperWidth": A4_IN[0],
                    "paperHeight": A4_IN[1],
                    "displayHeaderFooter": True,
                    "headerTemplate": "<span></span>",
                    "footerTemplate": (
                        '<div style="font-size:7px;width:100%;text-align:center;color:#7b8794;'
                        f'font-family:sans-serif">{html.escape(footer)} · '
                        '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
                    ),
                },
            )
            _check(response)
            pdf = stable_pdf(base64.b64decode(response["result"]["data"]), month)
        finally:
            await self._free_print_tabs.put(tab)
        await asyncio.to_thread(out.write_bytes, pdf)
        return len(pdf)


async def _navigate(tab: Any, path: Path) -> None:
    """Load a local file in ``tab`` and wait for its load event."""
    loaded = tab.subscribe_once("Page.loadEventFired")
    while loaded.done():  # an event left over from an earlier page
        loaded = tab.subscribe_once("Page.loadEventFired")
    _check(await tab.send_command("Page.navigate", params={"url": path.resolve().as_uri()}))
    await asyncio.wait_for(loaded, timeout=LOAD_TIMEOUT_S)


def _value(response: dict[str, Any]) -> Any:
    _check(response)
    result = response.get("result", {})
    if "exceptionDetails" in result:
        raise RuntimeError(f"Chromium: {result['exceptionDetails']}")
    return result.get("result", {}).get("value")


def _check(response: dict[str, Any]) -> None:
    if "error" in response:
        raise RuntimeError(f"Chromium: {response['error']}")
