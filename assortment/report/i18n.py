"""The report's words in English and Chinese: labels, codes (status, reason, action), reasons."""

from __future__ import annotations

import re
from collections.abc import Callable

LANGS = ("en", "zh")

STATUSES = ("fail", "warn", "no_count", "pass")
REASONS = (
    "below_min_styles",
    "bestsellers_missing",
    "new_styles_missing",
    "many_broken_sizes",
    "slow_stock_heavy",
    "assortment_shrinking",
)
ACTIONS = ("replenish", "transfer", "clearance")

_CODES: dict[str, dict[str, str]] = {
    "en": {
        "fail": "fail",
        "warn": "warn",
        "pass": "pass",
        "no_count": "no count",
        "below_min_styles": "too few styles",
        "bestsellers_missing": "bestsellers missing",
        "new_styles_missing": "new styles missing",
        "many_broken_sizes": "many broken sizes",
        "slow_stock_heavy": "heavy slow-moving stock",
        "assortment_shrinking": "assortment shrinking",
        "replenish": "replenish",
        "transfer": "transfer",
        "clearance": "clearance",
        "distributor": "distributor",
        "store": "store",
    },
    "zh": {
        "fail": "不合格",
        "warn": "预警",
        "pass": "合格",
        "no_count": "未盘点",
        "below_min_styles": "款数不足",
        "bestsellers_missing": "畅销款缺货",
        "new_styles_missing": "新款缺货",
        "many_broken_sizes": "断码款多",
        "slow_stock_heavy": "滞销库存偏高",
        "assortment_shrinking": "款数连续减少",
        "replenish": "补货",
        "transfer": "调货",
        "clearance": "清仓",
        "distributor": "代理商",
        "store": "门店",
    },
}

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Assortment health",
        "monthly_report": "Monthly report",
        "network": "Network",
        "region": "Region",
        "rep": "Rep",
        "no_rep": "(no rep)",
        "month": "Month",
        "rules": "Rules",
        "previous_month": "previous month",
        "not_classified": "not counted",
        "locations": "Locations",
        "status": "Status",
        "reasons": "Reasons",
        "kind": "Kind",
        "name": "Name",
        "location": "Location",
        "distributor": "Distributor",
        "city": "City",
        "change": "Change vs previous month",
        "status_by": "Status by {unit}",
        "status_trend": "Status over recent months",
        "by_reason": "Why locations fall short",
        "share_of_checked": "share of counted locations",
        "uploads": "Stock counts received",
        "not_uploaded": "Distributors that have not uploaded this month",
        "partial_upload": "Distributors with locations missing",
        "all_uploaded": "Every distributor group sent its count.",
        "counted": "Counted",
        "active": "Active",
        "last_counted": "Last count",
        "never": "never",
        "missing_locations": "Locations without a count",
        "to_visit": "Locations to visit",
        "to_visit_note": (
            "Every failing or warning location, worst first."
            " Details per location: the rep's workbook."
        ),
        "nothing_to_visit": "No location fails or warns this month.",
        "was": "was",
        "styles_vs_min": "Styles / min",
        "bestseller_cov": "Bestsellers in stock",
        "new_cov": "New styles in stock",
        "broken_share": "Broken-size share",
        "slow_share": "Slow stock share",
        "n_replenish": "Replenish (units)",
        "n_transfer_in": "Transfer in (units)",
        "n_transfer_out": "Transfer out (units)",
        "clearance_units": "Clearance (units)",
        "clearance_value": "Clearance value (CNY)",
        "bestsellers": "Bestsellers and their coverage",
        "new_styles": "New styles and their coverage",
        "none": "None.",
        "rank": "Rank",
        "style": "Style",
        "style_name": "Style name",
        "category": "Category",
        "net_units": "Units sold (window)",
        "launched": "Launched",
        "dist_cov": "Distributors stocking",
        "store_cov": "Stores stocking",
        "clearance": "Clearance list (slow-moving styles)",
        "n_locations": "Locations",
        "units": "Units",
        "value_cny": "Value (CNY)",
        "total": "Total",
        "order_plan": "Factory order plan",
        "order_plan_note": (
            "Units to order per style and size: demand over the cover months minus network stock."
        ),
        "order_plan_rep": "The factory order plan is made per region: see the region report.",
        "demand": "Demand",
        "on_hand": "On hand",
        "size": "Size",
        "colour": "Colour",
        "sku": "SKU",
        "action": "Action",
        "reason": "Reason",
        "source": "From",
        "destination": "To",
        "summary": "Summary",
        "other_actions": "Other locations",
        "sheet": "Sheet",
        "sends_out": "Send to other locations",
        "actions_here": "Actions at this location",
        "yes": "yes",
        "no": "no",
        "shrinking": "Shrinking",
        "regions": "Regions",
        "reps": "Reps",
        "files": "Files",
        "by_region": "By region",
        "clearance_detail": "Clearance by location",
        "compliance_sheet": "Compliance",
    },
    "zh": {
        "title": "货品结构健康",
        "monthly_report": "月度报告",
        "network": "全国网络",
        "region": "区域",
        "rep": "业务员",
        "no_rep": "（无业务员）",
        "month": "月份",
        "rules": "规则",
        "previous_month": "上月",
        "not_classified": "未盘点",
        "locations": "网点",
        "status": "状态",
        "reasons": "原因",
        "kind": "类型",
        "name": "名称",
        "location": "网点",
        "distributor": "代理商",
        "city": "城市",
        "change": "较上月变化",
        "status_by": "各{unit}状态",
        "status_trend": "近几个月状态趋势",
        "by_reason": "不达标原因",
        "share_of_checked": "占已盘点网点比例",
        "uploads": "盘点上传情况",
        "not_uploaded": "本月未上传盘点的代理商",
        "partial_upload": "部分网点未盘点的代理商",
        "all_uploaded": "所有代理商均已上传盘点。",
        "counted": "已盘点",
        "active": "营业网点",
        "last_counted": "最近盘点",
        "never": "从未",
        "missing_locations": "未盘点网点",
        "to_visit": "需走访网点",
        "to_visit_note": (
            "所有不合格和预警网点，问题最重的在前。各网点明细见业务员的 Excel 工作簿。"
        ),
        "nothing_to_visit": "本月没有不合格或预警网点。",
        "was": "上月",
        "styles_vs_min": "款数 / 最低",
        "bestseller_cov": "畅销款在库",
        "new_cov": "新款在库",
        "broken_share": "断码款占比",
        "slow_share": "滞销库存占比",
        "n_replenish": "补货（件）",
        "n_transfer_in": "调入（件）",
        "n_transfer_out": "调出（件）",
        "clearance_units": "清仓（件）",
        "clearance_value": "清仓金额（元）",
        "bestsellers": "畅销款及铺货率",
        "new_styles": "当季新款及铺货率",
        "none": "无。",
        "rank": "排名",
        "style": "款号",
        "style_name": "款名",
        "category": "品类",
        "net_units": "期内销量",
        "launched": "上市月份",
        "dist_cov": "代理商在库",
        "store_cov": "门店在库",
        "clearance": "清仓清单（滞销款）",
        "n_locations": "网点数",
        "units": "件数",
        "value_cny": "金额（元）",
        "total": "合计",
        "order_plan": "向工厂下单计划",
        "order_plan_note": "各款各尺码建议下单件数：备货月数内的需求减去网络库存。",
        "order_plan_rep": "向工厂下单计划按区域制定：见区域报告。",
        "demand": "需求",
        "on_hand": "库存",
        "size": "尺码",
        "colour": "颜色",
        "sku": "SKU",
        "action": "动作",
        "reason": "说明",
        "source": "调出网点",
        "destination": "调入网点",
        "summary": "汇总",
        "other_actions": "其他网点",
        "sheet": "工作表",
        "sends_out": "需调给其他网点",
        "actions_here": "本网点动作",
        "yes": "是",
        "no": "否",
        "shrinking": "款数减少",
        "regions": "区域",
        "reps": "业务员",
        "files": "文件",
        "by_region": "按区域",
        "clearance_detail": "各网点清仓明细",
        "compliance_sheet": "达标检查",
    },
}

# The free-text reasons written by assortment.actions, translated piece by piece.
_REASON_PATTERNS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"^bestseller #(\d+) not in stock"), lambda m: f"畅销款第{m[1]}名缺货"),
    (
        re.compile(r"^new style \(launched (\S+)\) not in stock"),
        lambda m: f"新款（{m[1]}上市）缺货",
    ),
    (
        re.compile(r"^broken size run: colour (.+?) lacks core size ([^\s;]+)"),
        lambda m: f"断码：颜色 {m[1]} 缺核心尺码 {m[2]}",
    ),
    (
        re.compile(
            r"^slow-moving: (\d+) sold over the window, (\d+) on hand \(sell-through (\d+)%\)"
        ),
        lambda m: f"滞销：期内售出 {m[1]} 件，库存 {m[2]} 件（售罄率 {m[3]}%）",
    ),
    (
        re.compile(r"^; transfer from (.+?) \(holds (\d+)\)"),
        lambda m: f"；从 {m[1]} 调货（现有 {m[2]} 件）",
    ),
)


def text(lang: str, key: str, **fmt: str) -> str:
    """A label in ``lang``."""
    value = _TEXT[lang][key]
    return value.format(**fmt) if fmt else value


def code(lang: str, value: str | None) -> str:
    """A status, reason, action or kind code as words (unknown codes are shown as they are)."""
    if value is None:
        return ""
    return _CODES[lang].get(value, value)


def reasons(lang: str, values: list[str] | None) -> str:
    """A location's reason codes as one line of words."""
    sep = "、" if lang == "zh" else ", "
    return sep.join(code(lang, v) for v in values or [])


def action_reason(lang: str, value: str | None) -> str:
    """An action's reason in ``lang``: English as written, Chinese by pattern (else as written)."""
    if value is None or lang == "en":
        return value or ""
    out, rest = [], value
    while rest:
        for pattern, render in _REASON_PATTERNS:
            m = pattern.match(rest)
            if m:
                out.append(render(m))
                rest = rest[m.end() :]
                break
        else:
            out.append(rest)
            break
    return "".join(out)
