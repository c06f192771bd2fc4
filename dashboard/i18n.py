"""The dashboard's words in English and Simplified Chinese, and the language of a request."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

LANGS = ("en", "zh")
DEFAULT_LANG = "en"
LANG_COOKIE = "lang"

# key -> (English, 简体中文)
TEXT: dict[str, tuple[str, str]] = {
    # shell
    "app.title": ("Assortment Health", "货品健康"),
    "app.tagline": ("Is every shop carrying the right styles?", "每个网点的货品结构是否健康？"),
    "nav.overview": ("Overview", "总览"),
    "nav.styles": ("Styles", "款式"),
    "nav.upload": ("Upload", "上传数据"),
    "nav.order_plan": ("Order plan", "工厂订单"),
    "nav.users": ("Users", "用户"),
    "nav.sign_out": ("Sign out", "退出"),
    "nav.language": ("Language", "语言"),
    "role.admin": ("Admin", "管理员"),
    "role.rep": ("Rep", "业务员"),
    "role.distributor": ("Distributor", "代理商"),
    # sign-in
    "login.title": ("Sign in", "登录"),
    "login.username": ("Username", "用户名"),
    "login.password": ("Password", "密码"),
    "login.submit": ("Sign in", "登录"),
    "login.failed": ("Wrong username or password.", "用户名或密码错误。"),
    "login.throttled": (
        "Too many failed sign-ins. Wait a few minutes and try again.",
        "登录失败次数过多，请几分钟后再试。",
    ),
    "login.expired": (
        "The sign-in form expired. Please try again.",
        "登录页面已过期，请重试。",
    ),
    "login.no_users": (
        "No users exist yet. Create one with: assortment users add NAME --role admin",
        "尚无用户。请先运行：assortment users add 用户名 --role admin",
    ),
    "login.signed_out": ("You are signed out.", "您已退出登录。"),
    # common
    "common.month": ("Month", "月份"),
    "common.region": ("Region", "大区"),
    "common.distributor": ("Distributor", "代理商"),
    "common.rep": ("Rep", "业务员"),
    "common.status": ("Status", "状态"),
    "common.all": ("All", "全部"),
    "common.download_xlsx": ("Download Excel", "下载 Excel"),
    "common.download_csv": ("Download CSV", "下载 CSV"),
    "common.no_data": (
        "No classified data yet. Load stock and sales files, then run the classification.",
        "尚无分析结果。请先上传库存和销售数据，再运行分类。",
    ),
    "common.no_rows": ("Nothing to show for this selection.", "当前筛选条件下没有数据。"),
    "common.not_allowed": ("This page is not available for your role.", "您的角色无权访问此页面。"),
    "common.loading": ("Loading…", "加载中…"),
    "common.error": (
        "Something went wrong on our side; the error was logged (reference {ref}). "
        "Please try again.",
        "系统出错，已记录（编号 {ref}）。请重试。",
    ),
    "common.session_expired": (
        "Your session has ended. Please sign in again.",
        "登录已过期，请重新登录。",
    ),
    "common.too_large": (
        "The request is too large (limit {limit} MB).",
        "请求过大（上限 {limit} MB）。",
    ),
    "common.styles": ("styles", "款"),
    "common.location": ("Location", "网点"),
    "common.kind": ("Type", "类型"),
    "common.city": ("City", "城市"),
    "common.style": ("Style", "款号"),
    "common.style_name": ("Name", "款名"),
    "common.category": ("Category", "品类"),
    "common.units": ("Units", "件数"),
    "common.page_not_found": ("Page not found.", "页面不存在。"),
    "common.back_overview": ("Back to the overview", "返回总览"),
    # statuses, kinds, segments, actions
    "status.pass": ("Pass", "达标"),
    "status.warn": ("Warn", "预警"),
    "status.fail": ("Fail", "不达标"),
    "status.no_count": ("No count", "未盘点"),
    "kind.distributor": ("Distributor", "代理商"),
    "kind.store": ("Store", "门店"),
    "segment.bestseller": ("Bestseller", "畅销款"),
    "segment.new": ("New", "新款"),
    "segment.slow_moving": ("Slow-moving", "滞销款"),
    "segment.steady": ("Steady", "常销款"),
    "action.replenish": ("Replenish", "补货"),
    "action.transfer": ("Transfer", "调货"),
    "action.clearance": ("Clearance", "清仓"),
    # reasons (compliance)
    "reason.below_min_styles": (
        "Only {active_styles} styles in stock; the minimum is {min_styles}",
        "在库仅 {active_styles} 款，低于最低 {min_styles} 款",
    ),
    "reason.bestsellers_missing": (
        "Bestsellers missing: {bestseller_coverage} of them in stock",
        "畅销款不全：仅 {bestseller_coverage} 在库",
    ),
    "reason.new_styles_missing": (
        "New styles missing: {new_coverage} of them in stock",
        "新款不全：仅 {new_coverage} 在库",
    ),
    "reason.many_broken_sizes": (
        "Many broken size runs: {broken_size_share} of styles",
        "断码严重：{broken_size_share} 的款式断码",
    ),
    "reason.slow_stock_heavy": (
        "Too much slow-moving stock: {slow_stock_share} of units",
        "滞销库存过多：占库存 {slow_stock_share}",
    ),
    "reason.assortment_shrinking": (
        "Style count fell three months in a row",
        "款数连续三个月下降",
    ),
    "reason.no_count": ("No stock count for this month", "本月没有盘点数据"),
    "reason.ok": ("Meets every standard", "各项指标均达标"),
    # scope
    "scope.admin": ("The whole network: {n} locations", "全网：{n} 个网点"),
    "scope.rep": ("Your {n} locations (rep {scope})", "您负责的 {n} 个网点（业务员 {scope}）"),
    "scope.distributor": (
        "{name}: your warehouse and {stores} stores",
        "{name}：您的仓库和 {stores} 家门店",
    ),
    # overview
    "overview.title": ("Overview", "总览"),
    "overview.filters": ("Filters", "筛选"),
    "overview.kpi.pass": ("Pass", "达标"),
    "overview.kpi.warn": ("Warn", "预警"),
    "overview.kpi.fail": ("Fail", "不达标"),
    "overview.kpi.no_count": ("No count", "未盘点"),
    "overview.kpi.of_locations": ("of {n} locations", "占 {n} 个网点"),
    "overview.kpi.at_min": ("At minimum styles", "款数达标率"),
    "overview.kpi.at_min_sub": ("{n} of {total} counted", "已盘点 {total} 个中 {n} 个"),
    "overview.kpi.bestseller": ("Bestseller coverage", "畅销款覆盖率"),
    "overview.kpi.new": ("New-style coverage", "新款覆盖率"),
    "overview.kpi.avg_sub": ("average over counted locations", "已盘点网点平均"),
    "overview.by": ("Status by", "状态分布："),
    "overview.by.region": ("Region", "大区"),
    "overview.by.rep": ("Rep", "业务员"),
    "overview.by.distributor": ("Distributor", "代理商"),
    "overview.status_chart": ("Status by {by}", "按{by}的状态分布"),
    "overview.table": ("Locations", "网点列表"),
    "overview.table_hint": ("Click a row to open the location.", "点击一行查看网点详情。"),
    "overview.trend": ("Trend", "趋势"),
    "overview.trend.failing": ("Failing locations", "不达标网点数"),
    "overview.trend.active": ("Average active styles", "平均在库款数"),
    "overview.trend.min": ("Average minimum", "平均最低款数"),
    "col.name": ("Location", "网点"),
    "col.id": ("Code", "编码"),
    "col.reasons": ("Why", "原因"),
    "col.active_vs_min": ("Styles / min", "款数 / 最低"),
    "col.bestseller_cov": ("Bestsellers", "畅销款覆盖"),
    "col.new_cov": ("New styles", "新款覆盖"),
    "col.group": ("Distributor", "所属代理"),
    # location
    "location.not_found": (
        "This location does not exist or is not in your area.",
        "该网点不存在，或不在您的负责范围内。",
    ),
    "location.history": ("Active styles vs minimum", "在库款数与最低要求"),
    "location.history.active": ("Active styles", "在库款数"),
    "location.history.min": ("Minimum", "最低款数"),
    "location.styles": ("Styles at this location", "本网点款式"),
    "location.size_run": ("Size run", "尺码分布"),
    "location.size_run.pick": ("Style", "款号"),
    "location.size_run.hint": (
        "On hand per size; red outline: a core size that is missing.",
        "每个尺码的库存；红框：缺失的核心尺码。",
    ),
    "location.size_run.empty": ("Pick a style to see its size run.", "选择款号查看尺码分布。"),
    "location.size_run.band": ("Band", "下围"),
    "location.size_run.cup": ("Cup", "罩杯"),
    "location.size_run.size": ("Size", "尺码"),
    "location.size_run.missing": ("missing core size", "缺核心码"),
    "location.sell_through": ("Sell-through vs on hand", "售罄率与库存"),
    "location.sell_through.x": ("On hand (units)", "库存（件）"),
    "location.sell_through.y": ("Sell-through", "售罄率"),
    "location.actions": ("Actions for the next visit", "下次拜访的行动清单"),
    "location.actions.none": ("Nothing to do: no actions this month.", "本月无需行动。"),
    "location.meta.distributor": ("Distributor", "所属代理"),
    "location.meta.rep": ("Rep", "业务员"),
    "location.meta.city": ("City", "城市"),
    "location.meta.kind": ("Type", "类型"),
    "location.closed": ("Closed location", "已关闭网点"),
    "col.segment": ("Segment", "分类"),
    "col.on_hand": ("On hand", "库存"),
    "col.units_sold": ("Sold ({months} mo.)", "销量（{months}个月）"),
    "col.sell_through": ("Sell-through", "售罄率"),
    "col.broken_size": ("Broken size", "断码"),
    "col.broken_colour": ("Broken colour", "断色"),
    "col.missing_core": ("Missing core sizes", "缺核心码"),
    "col.value": ("Value (CNY)", "金额（元）"),
    "col.action": ("Action", "行动"),
    "col.colour": ("Colour", "颜色"),
    "col.size": ("Size", "尺码"),
    "col.sku": ("SKU", "SKU"),
    "col.units": ("Units", "件数"),
    "col.source": ("From", "调出网点"),
    "col.reason": ("Reason", "原因"),
    "yes": ("yes", "是"),
    "no": ("no", "否"),
    # styles
    "styles.title": ("Styles", "款式"),
    "styles.bestsellers": ("Network bestsellers", "全网畅销款"),
    "styles.new": ("Current-season new styles", "当季新款"),
    "styles.coverage": ("In stock at", "在库网点"),
    "styles.coverage_share": ("Coverage", "覆盖率"),
    "styles.rank": ("Rank", "排名"),
    "styles.net_units": ("Network units", "全网销量"),
    "styles.launch": ("Launched", "上市"),
    "styles.pick": ("Style", "款号"),
    "styles.pick_hint": (
        "Click a style in the lists, or pick any style here.",
        "点击列表中的款式，或在此选择任意款式。",
    ),
    "styles.lacking": ("{n} locations lack {style}", "{n} 个网点缺 {style}"),
    "styles.lacking_none_title": (
        "Every counted location stocks {style}",
        "所有已盘点网点都有 {style}",
    ),
    "styles.lacking_none": (
        "Nothing to fix for this style: it is in stock wherever a count came in.",
        "此款无需处理：所有已盘点网点都有库存。",
    ),
    "styles.regions": ("{style}: sales by region", "{style}：各大区销售"),
    "styles.regions_title": ("Sales by region", "各大区销售"),
    "styles.regions_city": ("{style}: sales by city", "{style}：各城市销售"),
    "styles.regions.per_location": ("Units sold per location", "每网点销量"),
    "styles.regions.in_stock": ("Share of locations stocking it", "在库网点占比"),
    "styles.none": ("No bestsellers or new styles this month.", "本月没有畅销款或新款。"),
    # upload
    "upload.title": ("Upload stock or sales", "上传库存或销售数据"),
    "upload.kind": ("File type", "文件类型"),
    "upload.kind.stock": ("Stock count (盘点)", "月末库存（盘点）"),
    "upload.kind.sales": ("Sales", "销售"),
    "upload.kind_short.stock": ("Stock", "库存"),
    "upload.kind_short.sales": ("Sales", "销售"),
    "upload.drop": (
        "Drag and drop a CSV or XLSX file here, or ",
        "将 CSV 或 XLSX 文件拖到此处，或",
    ),
    "upload.browse": ("choose a file", "选择文件"),
    "upload.template": ("Download a template", "下载模板"),
    "upload.step1": ("1. Choose the file", "1. 选择文件"),
    "upload.step2": ("2. Check what was found", "2. 检查文件内容"),
    "upload.step3": ("3. Load it", "3. 确认导入"),
    "upload.waiting": (
        "Nothing is stored until you confirm. The file is checked first.",
        "确认前不会保存任何数据，系统会先检查文件。",
    ),
    "upload.valid": ("{file}: valid, ready to load", "{file}：检查通过，可以导入"),
    "upload.rows": ("Rows", "行数"),
    "upload.months": ("Months", "月份"),
    "upload.locations": ("Locations", "网点"),
    "upload.rejected": (
        "{file}: rejected, nothing can be stored ({n} problems). "
        "Fix the rows below and upload again.",
        "{file}：未通过检查，无法导入（{n} 个问题）。请修改以下行后重新上传。",
    ),
    "upload.errors_download": ("Download the problems (CSV)", "下载问题清单（CSV）"),
    "upload.out_of_scope": (
        "{file} has rows for locations that are not yours: {locations}. "
        "You may only load files for your own warehouse and stores.",
        "{file} 包含不属于您的网点：{locations}。您只能导入自己仓库和门店的数据。",
    ),
    "upload.confirm": ("Load {rows} rows", "导入 {rows} 行"),
    "upload.confirm_idle": ("Load the file", "导入文件"),
    "upload.nothing_yet": (
        "Choose a file above: what it contains shows here.",
        "请先在上方选择文件，检查结果将显示在这里。",
    ),
    "upload.loaded": (
        "{file}: loaded {rows} rows for {months}.",
        "{file}：已导入 {rows} 行（{months}）。",
    ),
    "upload.unchanged": (
        "{file}: unchanged (this exact file is already loaded).",
        "{file}：未变化（同一文件已导入）。",
    ),
    "upload.classified": ("Results for {month} are refreshed.", "{month} 的分析结果已更新。"),
    "upload.classify_failed": (
        "The data is stored, but refreshing the results for {month} failed: {error}",
        "数据已保存，但更新 {month} 的分析结果失败：{error}",
    ),
    "upload.expired": (
        "That upload is no longer available; please choose the file again.",
        "上传已失效，请重新选择文件。",
    ),
    "upload.too_large": (
        "The file is too large (limit {limit} MB). Split it by month or by distributor.",
        "文件过大（上限 {limit} MB）。请按月份或代理商拆分。",
    ),
    "upload.unreadable": ("The file could not be read: {error}", "无法读取文件：{error}"),
    "upload.history": ("Upload history", "上传记录"),
    "upload.history.when": ("When", "时间"),
    "upload.history.by": ("By", "上传人"),
    "upload.history.file": ("File", "文件"),
    "upload.history.kind": ("Type", "类型"),
    "upload.history.rows": ("Rows", "行数"),
    "upload.history.result": ("Result", "结果"),
    "upload.history.months": ("Months", "月份"),
    "upload.history.locations": ("Locations", "网点数"),
    "upload.history.message": ("Message", "说明"),
    "upload.result.loaded": ("loaded", "已导入"),
    "upload.result.unchanged": ("unchanged", "未变化"),
    "upload.result.rejected": ("rejected", "已拒绝"),
    "upload.err.row": ("Row", "行"),
    "upload.err.column": ("Column", "列"),
    "upload.err.value": ("Value", "值"),
    "upload.err.reason": ("Problem", "问题"),
    "upload.busy": (
        "Another upload or classification is running; try again in a minute.",
        "另一个导入或分析正在进行，请稍后再试。",
    ),
    # order plan
    # users (admins)
    "users.title": ("Users", "用户"),
    "users.hint": (
        "Who may sign in, with which role and which locations.",
        "可登录的用户、角色及可查看的网点。",
    ),
    "users.list": ("Users", "用户列表"),
    "users.username": ("Username", "用户名"),
    "users.role": ("Role", "角色"),
    "users.scope": ("Scope", "范围"),
    "users.scope_hint": (
        "A rep's name, or a distributor (admins see everything)",
        "业务员姓名或代理商（管理员可查看全部）",
    ),
    "users.display_name": ("Display name", "显示名称"),
    "users.password": ("Password", "密码"),
    "users.add": ("Add user", "新增用户"),
    "users.added": ("User {name} added.", "已新增用户 {name}。"),
    "users.manage": ("Remove a user or set a new password", "删除用户或重设密码"),
    "users.pick": ("User", "用户"),
    "users.remove": ("Remove user", "删除用户"),
    "users.remove_confirm": (
        "Remove the selected user? They can no longer sign in.",
        "确定删除所选用户？删除后该用户将无法登录。",
    ),
    "users.removed": ("User {name} removed.", "已删除用户 {name}。"),
    "users.not_self": (
        "You cannot remove your own account.",
        "不能删除自己的账号。",
    ),
    "users.new_password": ("New password", "新密码"),
    "users.set_password": ("Set password", "设置密码"),
    "users.password_set": (
        "New password set for {name}; their open sessions are signed out.",
        "已为 {name} 设置新密码，其已登录的会话将退出。",
    ),
    "users.pick_first": ("Choose a user first.", "请先选择用户。"),
    "plan.title": ("Factory order plan", "工厂订单计划"),
    "plan.hint": (
        "Bestsellers and new styles: average monthly demand x cover months minus network stock, "
        "split over sizes by the size curve.",
        "畅销款与新款：月均需求 × 备货月数 − 全网库存，按尺码曲线分配到各尺码。",
    ),
    "plan.total": ("Units to order", "应下单件数"),
    "plan.by_region": ("Units to order by region and style", "各大区各款应下单件数"),
    "plan.demand": ("Demand", "需求"),
    "plan.on_hand": ("Network stock", "全网库存"),
    "plan.styles": ("Styles", "款数"),
    "plan.regions": ("Regions", "大区数"),
}

_ZH_ERRORS: dict[str, str] = {
    "is empty": "为空",
    "is not a month (write it as YYYY-MM, e.g. 2026-10)": (
        "不是有效月份（请写成 YYYY-MM，如 2026-10）"
    ),
    "is a future month": "是未来的月份",
    "is not a number": "不是数字",
    "is not a whole number": "不是整数",
    "is negative": "为负数",
    "is too large": "数值过大",
    "is not a known location (load the locations file first)": (
        "不是已登记的网点（请先导入网点文件）"
    ),
    "is not a known SKU (load the products file first)": "不是已登记的 SKU（请先导入商品文件）",
    "style, colour and size do not name a known SKU": "款号、颜色、尺码对应不到已登记的 SKU",
    "repeats the same month, location and SKU as an earlier row": (
        "与前面某行的月份、网点、SKU 重复"
    ),
    "the file has no data rows": "文件没有数据行",
    "required column is missing": "缺少必需的列",
}


def t(key: str, lang: str, **values: Any) -> str:
    """The text of ``key`` in ``lang`` (English when missing), formatted with ``values``."""
    pair = TEXT.get(key)
    if pair is None:
        return key
    text = pair[1] if lang == "zh" else pair[0]
    return text.format(**values) if values else text


def pick_lang(cookie: str | None, accept_language: Any | None) -> str:
    """The language of a request: the ``lang`` cookie, else the browser's Accept-Language.

    Args:
        cookie: The ``lang`` cookie value, if any.
        accept_language: Werkzeug's ``request.accept_languages`` (or None).
    """
    if cookie in LANGS:
        return str(cookie)
    if accept_language is not None:
        for value, _quality in accept_language:
            primary = str(value).lower().split("-")[0].split("_")[0]
            if primary in LANGS:
                return primary
    return DEFAULT_LANG


def pct(value: float | None) -> str:
    """``0.8`` -> ``80%``; None -> ``–``."""
    return "–" if value is None else f"{value * 100:.0f}%"


def reason_text(code: str, row: Mapping[str, Any], lang: str) -> str:
    """A compliance reason code in words, with the location's figures filled in."""
    values = {
        "active_styles": row.get("active_styles") if row.get("active_styles") is not None else "–",
        "min_styles": row.get("min_styles") if row.get("min_styles") is not None else "–",
        "bestseller_coverage": pct(row.get("bestseller_coverage")),
        "new_coverage": pct(row.get("new_coverage")),
        "broken_size_share": pct(row.get("broken_size_share")),
        "slow_stock_share": pct(row.get("slow_stock_share")),
    }
    key = f"reason.{code}"
    return t(key, lang, **values) if key in TEXT else code


def reasons_text(row: Mapping[str, Any], lang: str, *, sep: str | None = None) -> str:
    """Every reason of a compliance row in words ('No stock count' for no_count, '' for pass)."""
    if row.get("status") == "no_count":
        return t("reason.no_count", lang)
    sep = sep if sep is not None else ("；" if lang == "zh" else "; ")
    return sep.join(reason_text(code, row, lang) for code in (row.get("reasons") or []))


_ACTION_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^bestseller #(\d+) not in stock"), "畅销款第 {0} 名缺货"),
    (re.compile(r"^bestseller not in stock"), "畅销款缺货"),
    (re.compile(r"^new style \(launched ([\d-]+)\) not in stock"), "新款（{0} 上市）缺货"),
    (re.compile(r"^new style not in stock"), "新款缺货"),
    (
        re.compile(r"^broken size run: colour (\S+) lacks core size (\S+)"),
        "断码：{0} 色缺核心尺码 {1}",
    ),
    (
        re.compile(
            r"^slow-moving: (\d+) sold over the window, (\d+) on hand \(sell-through (\d+)%\)"
        ),
        "滞销：期内售出 {0} 件，库存 {1} 件（售罄率 {2}%）",
    ),
)
_TRANSFER = re.compile(r"; transfer from (\S+) \(holds (\d+)\)$")


def action_reason(reason: str | None, lang: str) -> str:
    """An action's reason in ``lang`` (the job writes English; Chinese by known patterns,
    the English text when a pattern is unknown)."""
    if not reason or lang != "zh":
        return reason or ""
    head, tail = reason, ""
    m = _TRANSFER.search(reason)
    if m:
        head = reason[: m.start()]
        tail = f"；从 {m.group(1)} 调货（该处有 {m.group(2)} 件）"
    for pattern, template in _ACTION_PATTERNS:
        hit = pattern.match(head)
        if hit:
            return template.format(*hit.groups()) + tail
    return reason


def error_reason(reason: str, lang: str) -> str:
    """A validation problem in ``lang`` (known reasons translated, others as written)."""
    if lang != "zh":
        return reason
    for en, zh in _ZH_ERRORS.items():
        if reason.startswith(en):
            return zh + reason[len(en) :]
    return reason
