"""The sections of a report page, each a function of the month's data (cut to the scope) and a
language that returns HTML: header, status, locations to visit, reasons, uploads, coverage,
clearance and the factory order plan."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from assortment import i18n, months
from assortment.report.data import (
    NO_REP,
    MonthData,
    Scope,
    clearance_by_style,
    coverage,
    status_counts,
    upload_gaps,
)
from assortment.report.html import (
    Col,
    E,
    category,
    field,
    fmt_delta,
    fmt_int,
    fmt_pct,
    integer,
    percent,
    status_badge,
    table,
    tag,
)
from assortment.vocab import STATUSES, size_key


def scope_label(lang: str, scope: Scope) -> str:
    """``Region North``, ``Rep 张伟``, ``Network``."""
    if scope.kind == "network":
        return i18n.t("common.network", lang)
    key = scope.key if scope.key != NO_REP else i18n.t("report.no_rep", lang)
    sep = "：" if lang == "zh" else " "
    unit = i18n.t("common.region", lang) if scope.kind == "region" else i18n.t("common.rep", lang)
    return f"{unit}{sep}{key}"


def standards_line(data: MonthData, lang: str) -> str:
    """The standards the month was judged by, in words, and the rules' fingerprint."""
    rules = data.rules
    if not isinstance(rules.get("distributor"), dict) or not isinstance(rules.get("store"), dict):
        return i18n.t("report.rules_version", lang, fingerprint=data.fingerprint)
    dist, store = rules["distributor"], rules["store"]
    return i18n.t(
        "report.rules",
        lang,
        dist_min=dist["min_styles"],
        dist_best=fmt_pct(dist["min_bestseller_coverage"]),
        dist_new=fmt_pct(dist["min_new_coverage"]),
        store_min=store["min_styles"],
        store_best=fmt_pct(store["min_bestseller_coverage"]),
        store_new=fmt_pct(store["min_new_coverage"]),
        fingerprint=data.fingerprint,
    )


def previous_label(data: MonthData, lang: str) -> str:
    """The previous month, or 'not counted'."""
    if data.prev_month is None:
        return i18n.t("report.not_classified", lang)
    return months.fmt(data.prev_month)


def header(data: MonthData, scope: Scope, lang: str) -> str:
    """Title, scope, month, previous month and the standards."""
    title = i18n.t("app.title", lang) + " · " + i18n.t("report.monthly_report", lang)
    month, previous = i18n.t("common.month", lang), i18n.t("report.previous_month", lang)
    meta = (
        f"{E(month)}: <b>{E(data.month_str)}</b> · "
        f"{E(previous)}: {E(previous_label(data, lang))}<br>{E(standards_line(data, lang))}"
    )
    return (
        f"<header>{tag('h1', title)}{tag('p', scope_label(lang, scope), cls='scope')}"
        f'<p class="meta">{meta}</p></header>'
    )


def status_cards(
    counts: dict[str, int], prev: dict[str, int] | None, lang: str, *, months: str = ""
) -> str:
    """One card per status with its count and the change since last month."""
    cards = "".join(
        f'<div class="card s-{E(s)}"><div class="k">{E(i18n.word("status", s, lang))}</div>'
        f'<div class="v">{fmt_int(n)}</div>'
        f'<div class="d">{E(fmt_delta(n, None if prev is None else prev.get(s, 0)))}</div></div>'
        for s, n in counts.items()
    )
    heading = i18n.t("common.locations", lang) + i18n.colon(lang) + fmt_int(sum(counts.values()))
    change = ""
    if prev is not None:
        change = tag("p", i18n.t("report.change", lang) + i18n.colon(lang) + months, cls="note")
    return f'<section>{tag("h2", heading)}<div class="cards">{cards}</div>{change}</section>'


def status_table(data: MonthData, unit: str, unit_label: str, lang: str) -> str:
    """Locations per status for each region, rep or distributor group, with the change in fails."""
    no_rep = i18n.t("report.no_rep", lang)
    frame = with_units(data.compliance).with_columns(pl.col(unit).fill_null(no_rep).alias("_unit"))
    before_all = None
    if data.prev_month is not None:
        before_all = data.history.filter(pl.col("month") == months.fmt(data.prev_month))
    # a distributor group by its code and name (a code alone means nothing to a reader)
    names = (
        dict(data.uploads.select("distributor_id", "name").iter_rows())
        if unit == "distributor_group"
        else {}
    )
    rows = []
    for key in sorted(frame["_unit"].unique().to_list()):
        part = frame.filter(pl.col("_unit") == key)
        now = status_counts(part)
        before = (
            status_counts(before_all.filter(pl.col(unit).fill_null(no_rep) == key))
            if before_all is not None
            else None
        )
        shown = f"{key} {names.get(key) or ''}".strip()
        row: dict[str, Any] = {"unit": shown, "total": part.height, **now}
        row["d_fail"] = fmt_delta(now["fail"], before["fail"] if before else None)
        rows.append(row)
    cols = [
        Col(unit_label, field("unit")),
        Col(i18n.t("common.locations", lang), integer("total"), num=True),
    ]
    cols += [Col(i18n.word("status", s, lang), integer(s), num=True) for s in STATUSES]
    if before_all is not None:
        cols.append(Col("Δ " + i18n.word("status", "fail", lang), field("d_fail"), num=True))
    return table(cols, rows)


def with_units(comp: pl.DataFrame) -> pl.DataFrame:
    """Adds ``distributor_group`` (a store's distributor, a distributor itself)."""
    return comp.with_columns(
        pl.coalesce("distributor_id", "location_id").alias("distributor_group")
    )


def reasons_table(by_reason: dict[str, int], n_counted: int, lang: str) -> str:
    """Locations per reason and their share of the counted locations."""
    rows = [{"reason": k, "n": v} for k, v in by_reason.items()]
    return table(
        [
            Col(i18n.t("col.reasons", lang), lambda r: E(i18n.word("reason", r["reason"], lang))),
            Col(i18n.t("common.locations", lang), integer("n"), num=True),
            Col(
                i18n.t("report.share_of_checked", lang),
                lambda r: fmt_pct(r["n"] / n_counted if n_counted else None),
                num=True,
            ),
        ],
        rows,
    )


def uploads(data: MonthData, scope: Scope, lang: str) -> str:
    """Distributors that sent no count or only part of it; locations without a count."""
    t = _t(lang)
    none, partial = upload_gaps(data)
    out = ["<section>", tag("h2", t("report.uploads"))]
    cols = [
        Col(t("common.distributor"), field("distributor_id")),
        Col(t("common.name"), field("name")),
        Col(t("common.region"), field("region")),
        Col(t("common.rep"), field("rep")),
        Col(t("report.active"), integer("n_active_locations"), num=True),
        Col(t("report.counted"), integer("n_counted_locations"), num=True),
        Col(t("report.last_counted"), lambda r: E(r["last_counted_month"] or t("report.never"))),
    ]
    if none.height == 0 and partial.height == 0:
        out.append(tag("p", t("report.all_uploaded")))
    if none.height:
        out.append(tag("h3", t("report.not_uploaded"), count=none.height, lang=lang))
        out.append(table(cols, none.to_dicts()))
    if partial.height:
        out.append(tag("h3", t("report.partial_upload"), count=partial.height, lang=lang))
        out.append(table(cols, partial.to_dicts()))
    if scope.kind != "network":
        missing = data.compliance.filter(pl.col("status") == "no_count").sort("location_id")
        if missing.height:
            out.append(tag("h3", t("report.missing_locations"), count=missing.height, lang=lang))
            out.append(
                table(
                    [
                        Col(t("common.location"), field("location_id")),
                        Col(t("common.name"), field("name")),
                        Col(t("common.kind"), lambda r: E(i18n.word("kind", r["kind"], lang))),
                        Col(t("common.city"), field("city")),
                        Col(t("common.rep"), field("rep")),
                    ],
                    missing.to_dicts(),
                )
            )
    out.append("</section>")
    return "".join(out)


def to_visit(comp: pl.DataFrame, lang: str, *, has_prev: bool, with_rep: bool) -> str:
    """Every failing or warning location, worst first, with its figures and the work to do."""
    t = _t(lang)
    visit = comp.filter(pl.col("status").is_in(["fail", "warn"]))
    out = ['<section class="wide">', tag("h2", t("report.to_visit"), count=visit.height, lang=lang)]
    if not visit.height:
        out.append(tag("p", t("report.nothing_to_visit")) + "</section>")
        return "".join(out)
    out.append(tag("p", t("report.to_visit_note"), cls="note"))
    was = t("report.was")

    def status_cell(r: dict[str, Any]) -> str:
        cell = status_badge(lang, r["status"])
        if has_prev and r.get("prev_status") != r["status"]:
            before = i18n.word("status", r.get("prev_status"), lang) or "–"
            cell += f'<div class="was">{E(was)}: {E(before)}</div>'
        return cell

    def location_cell(r: dict[str, Any]) -> str:
        name = r["name"] or ""
        return f'<b class="id">{E(r["location_id"])}</b><div class="sub">{E(name)}</div>'

    cols = [
        Col(t("common.location"), location_cell),
        Col(t("common.kind"), lambda r: E(i18n.word("kind", r["kind"], lang))),
        *([Col(t("common.rep"), field("rep"))] if with_rep else []),
        Col(t("common.status"), status_cell),
        Col(t("col.reasons"), lambda r: E(i18n.reason_words(r["reasons"], lang))),
        Col(
            t("col.active_vs_min"),
            lambda r: f"{fmt_int(r['active_styles'])} / {fmt_int(r['min_styles'])}",
            num=True,
        ),
        Col(t("col.bestseller_cov"), percent("bestseller_coverage"), num=True),
        Col(t("col.new_cov"), percent("new_coverage"), num=True),
        Col(t("report.broken_share"), percent("broken_size_share"), num=True),
        Col(t("report.slow_share"), percent("slow_stock_share"), num=True),
        Col(t("report.n_replenish"), integer("replenish_units"), num=True),
        Col(t("report.n_transfer_in"), integer("transfer_in_units"), num=True),
        Col(t("report.clearance_units"), integer("clearance_units"), num=True),
    ]
    out.append(table(cols, visit.to_dicts()))
    out.append("</section>")
    return "".join(out)


def style_coverage(data: MonthData, lang: str) -> str:
    """Bestsellers and new styles with the share of the scope's locations stocking each."""
    t = _t(lang)

    def cov(n_key: str, d_key: str) -> Callable[[dict[str, Any]], str]:
        def cell(r: dict[str, Any]) -> str:
            d = r[d_key]
            return f"{fmt_int(r[n_key])} / {fmt_int(d)} ({fmt_pct(r[n_key] / d)})" if d else "–"

        return cell

    stocking = [
        Col(t("report.dist_cov"), cov("n_dist_in_stock", "n_dist_counted"), num=True),
        Col(t("report.store_cov"), cov("n_store_in_stock", "n_store_counted"), num=True),
    ]
    named = [
        Col(t("common.style"), field("style")),
        Col(t("common.style_name"), field("style_name")),
        Col(t("common.category"), category(lang)),
    ]
    best = coverage(data, data.bestsellers)
    new = coverage(data, data.new_styles)
    out = ["<section>", tag("h2", t("report.bestsellers"), count=best.height, lang=lang)]
    if best.height:
        cols = [
            Col(t("styles.rank"), integer("rank"), num=True),
            *named,
            Col(t("report.net_units"), integer("net_units"), num=True),
            *stocking,
        ]
        out.append(table(cols, best.to_dicts()))
    else:
        out.append(tag("p", t("common.none")))
    out.append(tag("h2", t("report.new_styles"), count=new.height, lang=lang))
    if new.height:
        cols = [*named, Col(t("styles.launch"), field("launch_month")), *stocking]
        out.append(table(cols, new.to_dicts()))
    else:
        out.append(tag("p", t("common.none")))
    out.append("</section>")
    return "".join(out)


def clearance(data: MonthData, lang: str) -> str:
    """Slow-moving styles to clear: locations, units and value per style, with totals."""
    t = _t(lang)
    by_style = clearance_by_style(data)
    out = ["<section>", tag("h2", t("report.clearance"), count=by_style.height, lang=lang)]
    if not by_style.height:
        out.append(tag("p", t("common.none")) + "</section>")
        return "".join(out)
    n_loc = data.actions.filter(pl.col("action") == "clearance")["location_id"].n_unique()
    foot = {
        0: E(t("common.total")),
        3: fmt_int(n_loc),
        4: fmt_int(by_style["units"].sum()),
        5: fmt_int(by_style["value_cny"].sum()),
    }
    cols = [
        Col(t("common.style"), field("style")),
        Col(t("common.style_name"), field("style_name")),
        Col(t("common.category"), category(lang)),
        Col(t("report.n_locations"), integer("n_locations"), num=True),
        Col(t("common.units"), integer("units"), num=True),
        Col(t("col.value"), integer("value_cny"), num=True),
    ]
    out.append(table(cols, by_style.to_dicts(), foot=foot))
    out.append("</section>")
    return "".join(out)


def stuck(data: MonthData, lang: str) -> str:
    """Styles stuck at the distributor (domain.md 9): held, hardly shown, proven elsewhere;
    largest value at stake first, with the stores that lack each."""
    t = _t(lang)
    rows = data.stuck.sort(
        ["value_at_stake_cny", "distributor_id", "style"], descending=[True, False, False]
    )
    out = ["<section>", tag("h2", t("report.stuck"), count=rows.height, lang=lang)]
    out.append(tag("p", t("report.stuck_hint"), cls="note"))
    if not rows.height:
        out.append(tag("p", t("common.none")) + "</section>")
        return "".join(out)
    cols = [
        Col(t("common.distributor"), field("distributor_name")),
        Col(t("common.style"), field("style")),
        Col(t("common.style_name"), field("style_name")),
        Col(t("report.stuck.held"), integer("held_units"), num=True),
        Col(
            t("report.stuck.shown_at"),
            lambda r: E(f"{r['stores_with_style']} / {r['stores']}"),
            num=True,
        ),
        Col(t("report.stuck.elsewhere"), percent("elsewhere_sell_through"), num=True),
        Col(
            t("report.stuck.lacking"),
            lambda r: E((r["lacking_location_ids"] or "").replace(";", ", ")),
        ),
        Col(t("common.units"), integer("units"), num=True),
        Col(t("report.stuck.value"), integer("value_at_stake_cny"), num=True),
    ]
    foot = {
        0: E(t("common.total")),
        7: fmt_int(rows["units"].sum()),
        8: fmt_int(rows["value_at_stake_cny"].sum()),
    }
    out.append(table(cols, rows.to_dicts(), foot=foot))
    out.append("</section>")
    return "".join(out)


def follow_through(data: MonthData, lang: str) -> str:
    """Did last month's visits fix it (domain.md 8): each rep's action lines of the month
    before judged by this month's count, and the locations fixed or worse; the lowest share
    of value done first, with the scope's total when there are several reps (a region's
    report counts only its own locations, see ``data.scoped``)."""
    t = _t(lang)
    months_label = f"{previous_label(data, lang)} → {data.month_str}"
    out = ["<section>", tag("h2", t("report.follow_through") + " · " + months_label)]
    card = data.scorecard
    if not card.height:
        out.append(tag("p", t("reps.none")) + "</section>")
        return "".join(out)
    card = card.sort(["done_value_share", "rep"], nulls_last=True)
    cols = [
        Col(t("reps.rep"), lambda r: E(r.get("rep") or "–")),
        Col(t("reps.lines"), integer("lines"), num=True),
        Col(t("follow.done"), integer("done"), num=True),
        Col(t("follow.partly"), integer("partly"), num=True),
        Col(t("follow.not_done"), integer("not_done"), num=True),
        Col(t("follow.unknown"), integer("unknown"), num=True),
        Col(t("reps.done_value"), percent("done_value_share"), num=True),
        Col(t("col.fixed"), integer("fixed"), num=True),
        Col(t("col.worse"), integer("worse"), num=True),
    ]
    foot = None
    if card.height > 1:
        counts = ("lines", "done", "partly", "not_done", "unknown")
        value = float(card["value_at_stake_cny"].sum())
        share = float(card["done_value_cny"].sum()) / value if value else None
        foot = {0: E(t("common.total"))}
        foot.update({i: fmt_int(card[c].sum()) for i, c in enumerate(counts, start=1)})
        foot.update({6: fmt_pct(share), 7: fmt_int(card["fixed"].sum())})
        foot[8] = fmt_int(card["worse"].sum())
    out.append(table(cols, card.to_dicts(), foot=foot))
    out.append(tag("p", t("reps.hint"), cls="note") + "</section>")
    return "".join(out)


def _plan_locations(data: MonthData, lang: str) -> list[str]:
    """Paragraphs naming the locations the order plan carried forward (with the month of the
    count used) or left out (with their latest count, or none), so that a missing upload is
    seen beside the order (domain.md 6.6)."""
    t = _t(lang)
    frame = data.plan_locations
    if not frame.width or not frame.height:
        return [tag("p", t("plan.all_counted", month=data.month_str), cls="note")]
    sep, left, right = ("、", "（", "）") if lang == "zh" else (", ", " (", ")")

    def names(coverage: str) -> str:
        return sep.join(
            f"{r['location_id']} {r['name'] or ''}".strip()
            + f"{left}{r['count_month'] or t('plan.never_counted')}{right}"
            for r in frame.filter(pl.col("coverage") == coverage).iter_rows(named=True)
        )

    limit = data.rules.get("carry_forward_months", "")
    carried, left_out = names("carried"), names("left_out")
    out = []
    if carried:
        out.append(tag("p", t("report.plan_carried", months=limit, names=carried)))
    if left_out:
        out.append(tag("p", t("report.plan_left_out", months=limit, names=left_out)))
    return out


def order_plan(data: MonthData, scope: Scope, lang: str) -> str:
    """The factory order plan: per style and region (network) or per style and size (region)."""
    t = _t(lang)
    plan = data.order_plan.filter(pl.col("units") > 0)
    out = ['<section class="wide">', tag("h2", t("plan.title"))]
    out.append(tag("p", t("report.order_plan_note"), cls="note"))
    out.extend(_plan_locations(data, lang))
    if not plan.height:
        out.append(tag("p", t("common.none")) + "</section>")
        return "".join(out)
    total = E(t("common.total"))
    named = [
        Col(t("common.style"), field("style")),
        Col(t("common.style_name"), field("style_name")),
    ]
    if scope.kind == "network":
        regions = sorted(plan["region"].unique().to_list())
        wide = (
            plan.group_by("style", "style_name", "category", "region")
            .agg(pl.col("units").sum())
            .sort("region")
        )
        rows = []
        for (style, name, cat), part in sorted(
            wide.group_by("style", "style_name", "category"), key=lambda kv: str(kv[0][0])
        ):
            by_region = dict(part.select("region", "units").iter_rows())
            rows.append(
                {
                    "style": style,
                    "style_name": name,
                    "category": cat,
                    **{f"r:{r}": by_region.get(r, 0) for r in regions},
                    "total": sum(by_region.values()),
                }
            )
        cols = [*named, Col(t("common.category"), category(lang))]
        cols += [Col(r, integer(f"r:{r}"), num=True) for r in regions]
        cols.append(Col(t("common.total"), integer("total"), num=True))
        foot = {0: total, len(cols) - 1: fmt_int(plan["units"].sum())}
        for i, r in enumerate(regions):
            foot[3 + i] = fmt_int(plan.filter(pl.col("region") == r)["units"].sum())
        out.append(table(cols, rows, foot=foot))
    else:
        for cat in sorted(plan["category"].drop_nulls().unique().to_list()):
            part = plan.filter(pl.col("category") == cat)
            sizes = sorted(part["size"].unique().to_list(), key=size_key)
            rows = []
            for (style, name), sp in sorted(
                part.group_by("style", "style_name"), key=lambda kv: str(kv[0][0])
            ):
                by_size = dict(sp.select("size", "units").iter_rows())
                rows.append(
                    {
                        "style": style,
                        "style_name": name,
                        **{f"z:{z}": by_size.get(z) for z in sizes},
                        "total": sum(by_size.values()),
                    }
                )
            cols = [*named, *[Col(z, integer(f"z:{z}"), num=True) for z in sizes]]
            cols.append(Col(t("common.total"), integer("total"), num=True))
            out.append(tag("h3", i18n.word("category", cat, lang)))
            foot = {0: total, len(cols) - 1: fmt_int(part["units"].sum())}
            out.append(table(cols, rows, foot=foot))
    out.append("</section>")
    return "".join(out)


def _t(lang: str) -> Callable[..., str]:
    def t(key: str, **values: Any) -> str:
        return i18n.t(key, lang, **values)

    return t
