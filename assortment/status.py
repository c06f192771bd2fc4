"""`assortment status`: what is loaded, what is missing, and who loaded last."""

from __future__ import annotations

from assortment import months, store
from assortment.config import Settings


def status_report(settings: Settings) -> str:
    """A plain-text report of the store's contents (read from the current snapshot)."""
    with store.reader(settings) as con:
        counts = store.query(con, "status_counts").row(0)
        by_month = store.query(con, "status_months")
        last = store.query(con, "status_last_loads")
        missing = None
        if by_month.height:
            latest = str(by_month["month"].max())
            missing = store.query(con, "status_missing", month=months.parse(latest))
    skus, styles, n_dist, n_stores, closed = counts
    lines = [
        f"database: {settings.db_path}",
        f"products: {skus:,} SKUs in {styles:,} styles",
        f"locations: {n_dist} distributors, {n_stores} stores ({closed} closed)",
        "",
    ]
    if by_month.height == 0:
        lines.append("no stock or sales loaded yet")
        return "\n".join(lines)
    lines.append(f"{'month':<8} {'counted':>8} {'missing':>8} {'w/ sales':>9} {'units sold':>11}")
    for r in by_month.iter_rows(named=True):
        lines.append(
            f"{r['month']:<8} {r['n_counted']:>8,} {r['n_missing']:>8,} {r['n_with_sales']:>9,} {r['units_sold']:>11,}"
        )
    if missing is not None and missing.height:
        lines += [
            "",
            f"not counted in {latest} ({missing.height} active locations):",
        ]
        for dist in missing["distributor_id"].unique(maintain_order=True):
            locs = missing.filter(missing["distributor_id"] == dist)["location_id"].to_list()
            shown = ", ".join(locs[:8]) + (f" ... (+{len(locs) - 8})" if len(locs) > 8 else "")
            lines.append(f"  {dist}: {shown}")
    lines += ["", f"{'distributor':<12} {'last count':<10} {'last load':<20} file"]
    for r in last.iter_rows(named=True):
        when = r["last_loaded_at"].strftime("%Y-%m-%d %H:%M") if r["last_loaded_at"] else "-"
        lines.append(
            f"{r['distributor_id']:<12} {r['last_counted_month'] or '-':<10} {when:<20} {r['last_file'] or '-'}"
        )
    return "\n".join(lines)
