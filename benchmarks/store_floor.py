"""The store floor: everything ``assortment classify`` does except the rules, as a fresh process.

Usage: python benchmarks/store_floor.py DB MONTH (a database classify has run MONTH on).

Opens the master under the writers' lock, reads month M's inputs exactly as classify does
(``job.read_inputs``), then replaces M's result tables and the follow-through tables of M-1
with the rows the last classify stored (one transaction each), stores M's follow-through as
classify does while M+1 is not counted (every line unknown, copied inside DuckDB), checkpoints
and publishes the read snapshot. Reading the stored rows back is not part of the floor: its
seconds are printed (``readback``, JSON on stdout) for the caller to take off. Imports only
what classify's own path imports, so that process start weighs the same on both.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from assortment import job, months, store
from assortment.config import Settings

TAGGED = ("style_health", "compliance", "actions", "stuck")  # tables with rules_fingerprint


def main(db: Path, month_text: str) -> None:
    settings = Settings(db_path=db)
    month = months.parse(month_text)
    rules = settings.rules()
    with store.writer(settings) as con:
        job.read_inputs(con, month, rules)
        t0 = time.perf_counter()
        results = {
            t: con.sql(
                f"select * exclude (month{', rules_fingerprint' if t in TAGGED else ''})"
                f" from {t} where month = $month",
                params={"month": month},
            ).pl()
            for t in job.RESULT_TABLES
        }
        # M-1's follow-through is judged by M's count (the rules: read back); while M+1 is not
        # counted, M's lines are all unknown and classify copies them inside DuckDB, as here
        counted = job.counted_months(con)
        judged = [m for m in (months.add(month, -1), month) if months.add(m, 1) in counted]
        follow = {
            (m, t): con.sql(
                f"select * exclude (month) from {t} where month = $month", params={"month": m}
            ).pl()
            for m in judged
            for t in job.FOLLOW_TABLES
        }
        readback = time.perf_counter() - t0
        job.write_results(con, month, rules, results, 0.0)
        for m in judged:
            con.execute("begin transaction")
            for t in job.FOLLOW_TABLES:
                job._replace_rows(con, t, m, follow[m, t])
            con.execute("commit")
        if month not in judged:
            job.write_follow_through(con, month, rules)
    print(json.dumps({"readback": readback}))


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
