"""The monthly batch: per region and rep HTML, PDF and Excel, a network summary, summary.json.

``run_monthly`` is what ``assortment monthly`` calls. The stages, one module each:
``data`` (read a month's results from a snapshot, cut them by region and rep), ``pages``
(HTML), ``figures`` (plotly), ``browser`` (one Chromium: figures to SVG, pages to PDF),
``excel`` (workbooks), ``summary`` (summary.json), ``batch`` (the run, staged and moved into
place), ``progress`` (bar or log lines), ``i18n`` (English and Chinese).
"""

from __future__ import annotations

from assortment.report.batch import MonthlyResult, parse_lang, run_monthly

__all__ = ["MonthlyResult", "parse_lang", "run_monthly"]
