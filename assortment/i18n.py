"""The one translation catalogue of the dashboard, the reports and the CLI (gettext, via Babel).

Every word a user sees is a message of ``assortment/locale/<locale>/LC_MESSAGES/messages.po``,
found by a key (``status.fail``, ``report.to_visit``): ``t(key, lang, **values)`` gives its text
in ``lang`` (``en`` or ``zh``) with ``{placeholders}`` filled in. The ``.po`` files are the
source: they are read with Babel when first needed (no compile step, so a fresh clone works),
compiled in memory and served by the standard library's ``gettext``.

Keys that code builds from a value (``t(f"status.{code}", lang)``) are listed with ``N_`` in
:data:`CODE_KEYS`, so that extraction (``make i18n``) and the catalogue test see them.
``tests/test_i18n.py`` fails on a key used in code that a ``.po`` lacks or leaves untranslated,
and on a key of a ``.po`` that no code uses.
"""

from __future__ import annotations

import functools
import gettext
import io
import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from assortment.vocab import reason_params

LANGS = ("en", "zh")
DEFAULT_LANG = "en"
LANG_COOKIE = "lang"
LOCALES = {"en": "en", "zh": "zh_Hans"}  # our language code -> the catalogue's locale
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"


def N_(key: str) -> str:  # noqa: N802 (the gettext convention)
    """Marks ``key`` for extraction without translating it (for keys built from codes)."""
    return key


# Every key that code builds from a value at run time, by family (``<family>.<code>``).
CODE_KEYS: dict[str, tuple[str, ...]] = {
    "status": (N_("status.pass"), N_("status.warn"), N_("status.fail"), N_("status.no_count")),
    "reason": (
        N_("reason.below_min_styles"),
        N_("reason.bestsellers_missing"),
        N_("reason.new_styles_missing"),
        N_("reason.many_broken_sizes"),
        N_("reason.slow_stock_heavy"),
        N_("reason.assortment_shrinking"),
    ),
    "reason_detail": (
        N_("reason.below_min_styles.detail"),
        N_("reason.bestsellers_missing.detail"),
        N_("reason.new_styles_missing.detail"),
        N_("reason.many_broken_sizes.detail"),
        N_("reason.slow_stock_heavy.detail"),
        N_("reason.assortment_shrinking.detail"),
    ),
    "action": (
        N_("action.replenish"),
        N_("action.transfer"),
        N_("action.clearance"),
        N_("action.distribute"),
    ),
    "action_reason": (
        N_("action_reason.bestseller_not_in_stock"),
        N_("action_reason.new_style_not_in_stock"),
        N_("action_reason.broken_size_run"),
        N_("action_reason.slow_moving"),
        N_("action_reason.stuck_at_distributor"),
    ),
    "segment": (
        N_("segment.bestseller"),
        N_("segment.new"),
        N_("segment.slow_moving"),
        N_("segment.steady"),
    ),
    "kind": (N_("kind.distributor"), N_("kind.store")),
    "plan.coverage": (N_("plan.coverage.carried"), N_("plan.coverage.left_out")),
    "category": (N_("category.bra"), N_("category.brief"), N_("category.set")),
    "role": (N_("role.admin"), N_("role.rep"), N_("role.distributor")),
    "overview.kpi": (
        N_("overview.kpi.pass"),
        N_("overview.kpi.warn"),
        N_("overview.kpi.fail"),
        N_("overview.kpi.no_count"),
    ),
    "upload.result": (
        N_("upload.result.loaded"),
        N_("upload.result.unchanged"),
        N_("upload.result.rejected"),
        N_("upload.result.held"),
    ),
    "upload.kind": (N_("upload.kind.stock"), N_("upload.kind.sales")),
    "upload.kind_short": (
        N_("upload.kind_short.stock"),
        N_("upload.kind_short.sales"),
        N_("upload.kind_short.products"),
        N_("upload.kind_short.locations"),
    ),
    "report.upload": (
        N_("report.upload.complete"),
        N_("report.upload.partial"),
        N_("report.upload.none"),
    ),
}


def po_path(lang: str) -> Path:
    """The ``.po`` file of ``lang`` (``en`` or ``zh``)."""
    return LOCALE_DIR / LOCALES[lang] / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def catalogue(lang: str) -> gettext.NullTranslations:
    """The messages of ``lang``, read from its ``.po`` (English behind Chinese for any gap)."""
    if lang not in LOCALES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGS)}")
    with open(po_path(lang), "rb") as fh:
        po = read_po(fh, locale=LOCALES[lang], domain=DOMAIN)
    mo = io.BytesIO()
    write_mo(mo, po)
    mo.seek(0)
    translations = gettext.GNUTranslations(mo)
    if lang != DEFAULT_LANG:
        translations.add_fallback(catalogue(DEFAULT_LANG))
    return translations


ONE: dict[str, str] = {
    N_("overview.kpi.of_locations"): N_("overview.kpi.of_locations.one"),
    N_("scope.admin"): N_("scope.admin.one"),
    N_("scope.rep"): N_("scope.rep.one"),
    N_("styles.lacking"): N_("styles.lacking.one"),
    N_("visit.distribute_to"): N_("visit.distribute_to.one"),
    N_("visit.total.lines"): N_("visit.total.lines.one"),
    N_("visit.total.units_in"): N_("visit.total.units_in.one"),
    N_("visit.total.units_out"): N_("visit.total.units_out.one"),
}
"""Keys with a count ``n`` whose wording for exactly one differs (``1 location lacks``)."""


def t(key: str, lang: str, **values: Any) -> str:
    """The text of ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``; with
    ``n`` of 1, the singular wording of :data:`ONE` when the key has one.

    An unknown key comes back as itself (the catalogue test keeps that from shipping).
    """
    if values.get("n") == 1 and key in ONE:
        key = ONE[key]
    text = catalogue(lang if lang in LOCALES else DEFAULT_LANG).gettext(key)
    return text.format(**values) if values else text


def word(family: str, code: str | None, lang: str) -> str:
    """A code as a word: ``word("status", "fail", "zh")`` -> ``不达标``.

    A code the catalogue does not know (a category named in a products file, say) is shown as
    it is; None gives ``""``.
    """
    if code is None:
        return ""
    key = f"{family}.{code}"
    text = t(key, lang)
    return code if text == key else text


def whole(value: float | None) -> int:
    """A figure in whole units, half up (``388.5`` -> 389; None -> 0): one rounding for every
    page, sheet and report, so that the same line shows the same yuan everywhere (Python's
    ``round`` and ``format`` round half to even)."""
    return 0 if value is None else int(math.floor(value + 0.5))


def pct(value: float | None) -> str:
    """``0.8`` -> ``80%``; None -> ``–``."""
    return "–" if value is None else f"{value * 100:.0f}%"


def paren(text: str, lang: str) -> str:
    """``text`` in brackets after a word: `` (worse)`` in English, ``（变差）`` in Chinese."""
    return f"（{text}）" if lang == "zh" else f" ({text})"


def colon(lang: str) -> str:
    """After a label: ``Locations: 19``, ``网点：19``."""
    return "：" if lang == "zh" else ": "


def list_sep(lang: str) -> str:
    """The separator between sentences of a list in running text."""
    return "；" if lang == "zh" else "; "


def reason_words(codes: Iterable[str] | None, lang: str) -> str:
    """Compliance reason codes as one line of short labels (``Too few styles; ...``)."""
    return ("、" if lang == "zh" else ", ").join(word("reason", c, lang) for c in codes or [])


def reason_text(code: str, row: Mapping[str, Any], lang: str) -> str:
    """A compliance reason code as a sentence, with the location's figures filled in."""
    values = {
        "active_styles": row.get("active_styles") if row.get("active_styles") is not None else "–",
        "min_styles": row.get("min_styles") if row.get("min_styles") is not None else "–",
        "bestseller_coverage": pct(row.get("bestseller_coverage")),
        "new_coverage": pct(row.get("new_coverage")),
        "broken_size_share": pct(row.get("broken_size_share")),
        "slow_stock_share": pct(row.get("slow_stock_share")),
    }
    key = f"reason.{code}.detail"
    text = t(key, lang, **values)
    return code if text == key else text


def reasons_text(row: Mapping[str, Any], lang: str, *, sep: str | None = None) -> str:
    """Every reason of a compliance row as sentences ('No stock count' for no_count, '' for pass)."""
    if row.get("status") == "no_count":
        return t("reason.no_count", lang)
    joiner = sep if sep is not None else list_sep(lang)
    return joiner.join(reason_text(code, row, lang) for code in (row.get("reasons") or []))


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


def action_reason(row: Mapping[str, Any], lang: str) -> str:
    """An action row's reason in ``lang``, worded from its ``reason_code`` and parameter columns
    (``action_reason.<code>``, placeholders named as the columns; see assortment/actions.py);
    a transfer names its source by code. An unknown code is shown as it is."""
    code = row.get("reason_code") or ""
    key = f"action_reason.{code}"
    if code == "stuck_at_distributor" and not row.get("lacking_location_ids"):
        key = N_("action_reason.stuck_at_distributor_no_store")  # no store of its own to send to
    params = reason_params(row)
    text = t(key, lang, **params)
    if text == key:
        return code
    if row.get("action") == "transfer":
        text += list_sep(lang) + t("action_reason.transfer", lang, **params)
    if row.get("distribute_first"):  # see assortment.visit: stuck here, distribute it first
        text += list_sep(lang) + t("action_reason.distribute_first", lang)
    return text


# The problems ``ingest.validate`` names (its REASONS, by rule), and the row an earlier row is in.
VALIDATION_KEYS: dict[str, str] = {
    "required": N_("validate.required"),
    "extra_values": N_("validate.extra_values"),
    "sku_disagrees": N_("validate.sku_disagrees"),
    "month": N_("validate.month"),
    "future": N_("validate.future"),
    "not_number": N_("validate.not_number"),
    "not_integer": N_("validate.not_integer"),
    "negative": N_("validate.negative"),
    "too_large": N_("validate.too_large"),
    "unknown_location": N_("validate.unknown_location"),
    "unknown_sku": N_("validate.unknown_sku"),
    "unknown_style_colour_size": N_("validate.unknown_style_colour_size"),
    "duplicate": N_("validate.duplicate"),
    "kind": N_("validate.kind"),
    "status": N_("validate.status"),
    "bool": N_("validate.bool"),
    "distributor_of_store": N_("validate.distributor_of_store"),
    "distributor_of_distributor": N_("validate.distributor_of_distributor"),
    "duplicate_id": N_("validate.duplicate_id"),
    "style_fields": N_("validate.style_fields"),
    "duplicate_style_colour_size": N_("validate.duplicate_style_colour_size"),
    "style_stored": N_("validate.style_stored"),
    "scs_stored": N_("validate.scs_stored"),
    "orphans": N_("validate.orphans"),
}
# problems with the file as a whole, by code (``RowError.code``)
FILE_PROBLEM_KEYS: dict[str, str] = {
    "no_rows": N_("validate.no_rows"),
    "missing_column": N_("validate.missing_column"),
    "missing_sku": N_("validate.missing_sku"),
    "looks_like": N_("validate.looks_like"),
    "column_twice": N_("validate.column_twice"),
    "unreadable": N_("validate.unreadable"),
    "not_text": N_("validate.not_text"),
    "too_big.unpacked": N_("validate.too_big.unpacked"),
    "too_big.span": N_("validate.too_big.span"),
    "too_big.parts": N_("validate.too_big.parts"),
    "too_big.size": N_("validate.too_big.size"),
}
# for people who cannot load products or locations (distributors): ask the brand instead
_ASK_KEYS: dict[str, str] = {
    "unknown_location": N_("validate.unknown_location.ask"),
    "unknown_sku": N_("validate.unknown_sku.ask"),
}
_FILE_PROBLEMS: dict[str, str] = {
    "the file has no data rows": N_("validate.no_rows"),
    "required column is missing": N_("validate.missing_column"),
}
_ROW_REF = re.compile(r"\s*\(row (?P<row>\d+)\)$")


def error_reason(reason: str, lang: str) -> str:
    """A validation problem (``ingest.validate``'s words) in ``lang``; others as written."""
    from assortment.ingest.validate import REASONS  # the rules' own English, by rule

    rest = reason
    tail = ""
    m = _ROW_REF.search(rest)
    if m:
        rest, tail = rest[: m.start()], t("validate.row_ref", lang, row=m["row"])
    known = {english: VALIDATION_KEYS[rule] for rule, english in REASONS.items()}
    for english, key in {**known, **_FILE_PROBLEMS}.items():
        if rest.startswith(english):
            return t(key, lang) + rest[len(english) :] + tail
    return reason


def row_problem(
    code: str, reason: str, params: Mapping[str, Any], lang: str, *, loads_master_data: bool
) -> str:
    """A problem of an uploaded file (``RowError``) in ``lang``, from its code and params.

    Args:
        code: The RowError's code ('' or unknown: ``reason`` through :func:`error_reason`).
        reason: Its English reason (the CLI's words).
        params: Its params (``first_row`` of a duplicate, ``max`` of a range, ...).
        lang: ``en`` or ``zh``.
        loads_master_data: False for people who cannot load products or locations
            (distributors): an unknown code tells them to ask the brand, not to load a file.
    """
    values: dict[str, Any] = dict(params)
    if code == "too_big":
        code = f"too_big.{params.get('what', 'unpacked')}"
    if code == "looks_like":
        values["kind"] = word("upload.kind_short", str(params.get("kind")), lang)
        values["chosen"] = word("upload.kind_short", str(params.get("chosen")), lang)
    key = (
        _ASK_KEYS.get(code)
        if not loads_master_data and code in _ASK_KEYS
        else VALIDATION_KEYS.get(code) or FILE_PROBLEM_KEYS.get(code)
    )
    if key is None:
        return error_reason(reason, lang)
    try:
        text = t(key, lang, **values) if values else t(key, lang)
    except (KeyError, IndexError, ValueError):
        return error_reason(reason, lang)
    if code == "too_large" and "max" in params:
        text += t("validate.at_most", lang, max=params["max"])
    if code == "missing_column" and "accepted" in params:
        text += t("validate.accepted", lang, accepted=params["accepted"])
    if params.get("first_row") is not None:
        text += t("validate.row_ref", lang, row=params["first_row"])
    return text
