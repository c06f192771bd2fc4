"""summary.json: the month's run in numbers for other systems (no timestamps: re-runs match)."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any

import polars as pl

from assortment import months
from assortment.report.data import (
    MonthData,
    Scope,
    clearance_by_style,
    coverage,
    previous_counts,
    reason_counts,
    scoped,
    status_counts,
    upload_gaps,
)
from assortment.vocab import ACTION_KINDS, COMPLIANCE_REASONS

FORMAT = "assortment-monthly-summary/1"


def _change(now: dict[str, int], before: dict[str, int] | None) -> dict[str, int] | None:
    if before is None:
        return None
    return {k: now.get(k, 0) - before.get(k, 0) for k in now}


def _block(data: MonthData) -> dict[str, Any]:
    """One scope's counts: locations by status and reason, change by status since last month."""
    comp = data.compliance
    by_status = status_counts(comp)
    prev = previous_counts(data)
    return {
        "locations": comp.height,
        "by_status": by_status,
        "by_reason": reason_counts(comp, COMPLIANCE_REASONS),
        "previous_by_status": prev,
        "change_by_status": _change(by_status, prev),
    }


def _round(value: Any) -> float:
    return round(float(value or 0.0), 2)


def _coverage_rows(frame: pl.DataFrame, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    return [
        {
            **{k: row[k] for k in keys},
            "distributors_in_stock": row["n_dist_in_stock"],
            "distributors_counted": row["n_dist_counted"],
            "stores_in_stock": row["n_store_in_stock"],
            "stores_counted": row["n_store_counted"],
        }
        for row in frame.to_dicts()
    ]


def build_summary(data: MonthData, *, langs: tuple[str, ...]) -> dict[str, Any]:
    """The summary of a month (files are added by :func:`add_files`)."""
    comp = data.compliance
    network = _block(data)
    by_kind = {
        kind: status_counts(comp.filter(pl.col("kind") == kind))
        for kind in ("distributor", "store")
    }
    regions = {r: _block(scoped(data, Scope("region", r))) for r in data.regions()}
    reps = {}
    for rep in data.reps():
        part = scoped(data, Scope("rep", rep))
        reps[rep] = {
            "regions": sorted(part.compliance["region"].drop_nulls().unique().to_list()),
            **_block(part),
        }
    none, partial = upload_gaps(data)
    actions = data.actions
    by_action = {
        a: {
            "rows": actions.filter(pl.col("action") == a).height,
            "units": int(actions.filter(pl.col("action") == a)["units"].sum()),
            "value_cny": _round(actions.filter(pl.col("action") == a)["value_cny"].sum()),
        }
        for a in ACTION_KINDS
    }
    clearance = clearance_by_style(data)
    plan = data.order_plan
    return {
        "format": FORMAT,
        "month": data.month_str,
        "previous_month": months.fmt(data.prev_month) if data.prev_month else None,
        "rules_fingerprint": data.fingerprint,
        "languages": list(langs),
        **network,
        "by_kind": by_kind,
        "by_region": regions,
        "by_rep": reps,
        "uploads": {
            "distributors": data.uploads.height,
            "not_uploaded": none["distributor_id"].to_list(),
            "partial": [
                {
                    "distributor_id": r["distributor_id"],
                    "active": r["n_active_locations"],
                    "counted": r["n_counted_locations"],
                }
                for r in partial.to_dicts()
            ],
        },
        "actions": by_action,
        "bestsellers": _coverage_rows(
            coverage(data, data.bestsellers), ("rank", "style", "net_units")
        ),
        "new_styles": _coverage_rows(coverage(data, data.new_styles), ("style", "launch_month")),
        "clearance": {
            "locations": actions.filter(pl.col("action") == "clearance")["location_id"].n_unique(),
            "styles": clearance.height,
            "units": int(clearance["units"].sum()),
            "value_cny": _round(clearance["value_cny"].sum()),
        },
        "stuck": {
            "pairs": data.stuck.height,
            "distributors": data.stuck["distributor_id"].n_unique(),
            "units": int(data.stuck["units"].sum()),
            "value_at_stake_cny": _round(data.stuck["value_at_stake_cny"].sum()),
        },
        "order_plan": {
            "units": int(plan["units"].sum()),
            "styles": plan.filter(pl.col("units") > 0)["style"].n_unique(),
            "by_region": {
                r: int(u)
                for r, u in plan.group_by("region")
                .agg(pl.col("units").sum())
                .sort("region")
                .iter_rows()
            },
        },
    }


def add_files(summary: dict[str, Any], root: Path) -> dict[str, Any]:
    """Adds every file under ``root`` (path, bytes, sha256), sorted by path."""
    files = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if rel == "summary.json":
            continue
        blob = path.read_bytes()
        files.append({"path": rel, "bytes": len(blob), "sha256": hashlib.sha256(blob).hexdigest()})
    return {**summary, "files": files}


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities as None (JSON has no such numbers)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def dumps(summary: dict[str, Any]) -> str:
    """The JSON text (UTF-8, Chinese as is, stable; a number that is not finite is null)."""
    return json.dumps(_finite(summary), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
