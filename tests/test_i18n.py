"""The translation catalogue: every key the code uses is in both .po files and translated; no
key is kept that nothing uses; Chinese text has no English left in it; one word per meaning."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

from assortment import i18n, vocab
from assortment.i18n import t, word

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("assortment", "dashboard")


def _keywords() -> dict[str, object]:
    """The keywords ``make i18n`` extracts with (the Makefile's I18N_KEYWORDS line)."""
    line = next(
        ln for ln in (ROOT / "Makefile").read_text().splitlines() if ln.startswith("I18N_KEYWORDS")
    )
    args = shlex.split(line.split(":=", 1)[1].split("#", 1)[0])
    return parse_keywords([args[i + 1] for i, a in enumerate(args) if a == "-k"])


def extracted(root: Path = ROOT) -> dict[str, list[str]]:
    """Every key the code uses, as ``make i18n`` extracts it, with where it is used."""
    with open(root / "babel.cfg") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    keys: dict[str, list[str]] = {}
    for source in SOURCES:
        for filename, lineno, message, _comments, _ctx in extract_from_dir(
            root / source, method_map, options_map, keywords=_keywords()
        ):
            keys.setdefault(str(message), []).append(f"{source}/{filename}:{lineno}")
    return keys


def _po(lang: str) -> Catalog:
    with open(i18n.po_path(lang), "rb") as fh:
        return read_po(fh)


def _messages(lang: str) -> dict[str, str]:
    return {str(m.id): str(m.string) for m in _po(lang) if m.id}


@pytest.fixture(scope="module")
def used() -> dict[str, list[str]]:
    return extracted()


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_every_key_used_in_code_is_in_the_catalogue_and_translated(
    used: dict[str, list[str]], lang: str
) -> None:
    messages = _messages(lang)
    missing = {k: where for k, where in used.items() if k not in messages}
    assert not missing, f"keys used in code but absent from {i18n.po_path(lang)}: {missing}"
    empty = sorted(k for k in used if not messages[k].strip())
    assert not empty, f"keys left untranslated in {i18n.po_path(lang)}: {empty}"


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_no_key_in_the_catalogue_is_unused(used: dict[str, list[str]], lang: str) -> None:
    unused = sorted(set(_messages(lang)) - set(used))
    assert not unused, f"keys of {i18n.po_path(lang)} that no code uses: {unused}"


def test_the_checks_catch_a_missing_and_an_unused_key(tmp_path: Path) -> None:
    """The two tests above on a tiny tree: one key used but absent, one present but unused."""
    (tmp_path / "babel.cfg").write_text((ROOT / "babel.cfg").read_text())
    (tmp_path / "Makefile").write_text((ROOT / "Makefile").read_text())
    for source in SOURCES:
        (tmp_path / source).mkdir()
    (tmp_path / "assortment" / "a.py").write_text(
        'x = t("status.pass", lang)\ny = t("nowhere.key", "zh", n=1)\nz = N_("kind.store")\n'
        'w = t(f"status.{code}", lang)\n'
    )
    (tmp_path / "dashboard" / "b.py").write_text("def f(ctx):\n    return ctx.t('common.month')\n")
    keys = set(extracted(tmp_path))
    assert keys == {"status.pass", "nowhere.key", "kind.store", "common.month"}
    assert keys - set(_messages("zh")) == {"nowhere.key"}
    assert "status.warn" in set(_messages("zh")) - keys


def test_placeholders_agree_between_languages() -> None:
    en, zh = _messages("en"), _messages("zh")
    for key, text in en.items():
        fields = sorted(re.findall(r"\{(\w*)\}", text))
        assert fields == sorted(re.findall(r"\{(\w*)\}", zh[key])), key


# Latin words allowed inside Chinese text: file kinds, codes, a command and a date pattern.
_LATIN_OK = {
    "SKU",
    "MB",
    "CSV",
    "XLSX",
    "Excel",
    "YYYY",
    "MM",
    "EN",
    "assortment",
    "users",
    "add",
    "role",
    "admin",
    "distributor",
    "store",
    "active",
    "closed",
    "true",
    "false",
}


def test_chinese_text_has_no_english_left() -> None:
    for key, text in _messages("zh").items():
        bare = re.sub(r"\{\w*\}", "", text)
        words = set(re.findall(r"[A-Za-z]+", bare)) - _LATIN_OK
        assert not words, f"{key}: English left in Chinese text {text!r}: {sorted(words)}"


def test_code_families_cover_every_code() -> None:
    """Keys built from codes at run time exist for every code the rules produce."""
    fam = {
        f: {k.split(".", len(f.split(".")))[-1] for k in keys} for f, keys in i18n.CODE_KEYS.items()
    }
    assert fam["status"] == {"pass", "warn", "fail", "no_count"}
    assert fam["reason"] == set(vocab.COMPLIANCE_REASONS)
    assert {k.split(".")[1] for k in i18n.CODE_KEYS["reason_detail"]} == set(
        vocab.COMPLIANCE_REASONS
    )
    assert fam["action"] == {"replenish", "transfer", "distribute", "clearance"}
    assert fam["action_reason"] == set(vocab.ACTION_REASONS)
    assert fam["segment"] == {"bestseller", "new", "slow_moving", "steady"}
    assert fam["kind"] == {"distributor", "store"}
    # how a location takes part in the order plan, when not with its own count of the month
    assert fam["plan.coverage"] == set(vocab.PLAN_COVERAGE) - {"counted"}


def _fstring_prefixes() -> Iterator[tuple[str, str]]:
    pattern = re.compile(r"""\bt\(\s*f["']([a-z_.]+)\.\{""")
    for source in SOURCES:
        for path in (ROOT / source).rglob("*.py"):
            for prefix in pattern.findall(path.read_text("utf-8")):
                yield prefix, str(path.relative_to(ROOT))


def test_every_key_built_from_a_code_belongs_to_a_listed_family() -> None:
    for prefix, where in _fstring_prefixes():
        assert prefix in i18n.CODE_KEYS, f"{where}: t(f'{prefix}.{{...}}') is not in CODE_KEYS"


def test_one_word_per_meaning() -> None:
    """The dashboard's and the report's words are the same words (one brand, one status)."""
    assert t("app.title", "zh") == "货品结构健康"
    assert [word("status", s, "zh") for s in ("pass", "warn", "fail", "no_count")] == [
        "达标",
        "预警",
        "不达标",
        "未盘点",
    ]
    zh = _messages("zh")
    assert not [k for k, v in zh.items() if "合格" in v], "合格/不合格: the brand says 达标/不达标"
    assert not [k for k, v in zh.items() if "货品健康" in v]


def _repeated(text: str) -> bool:
    """The text is a shorter text written out two or more times (``"Ab.Ab."``)."""
    return (
        any(len(text) % k == 0 and text[: len(text) // k] * k == text for k in range(2, 11))
        and len(text) >= 20
    )


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_no_text_is_repeated(lang: str) -> None:
    """A msgstr edited by hand above pybabel's wrapped lines reads as the text several times
    over (each `make i18n` appended one more copy): the hint under the visit list said its
    sentence five times."""
    assert _repeated("Value: the sales at stake.Value: the sales at stake.")
    assert not _repeated("Value: the sales at stake.")
    repeated = sorted(k for k, v in _messages(lang).items() if _repeated(v))
    assert not repeated, f"texts written out more than once in {i18n.po_path(lang)}: {repeated}"


def test_t_fills_placeholders_and_falls_back() -> None:
    assert t("styles.lacking", "en", n=3, style="B1001") == "3 locations lack B1001"
    assert t("styles.lacking", "zh", n=3, style="B1001") == "3 个网点缺 B1001"
    assert t("no.such.key", "zh") == "no.such.key"
    assert word("category", "bra", "zh") == "文胸"
    assert word("category", "swimwear", "zh") == "swimwear"  # unknown category: as named
    assert word("status", None, "en") == ""


def test_reasons_in_words() -> None:
    row = {"status": "fail", "reasons": ["below_min_styles"], "active_styles": 12, "min_styles": 20}
    assert i18n.reasons_text(row, "en") == "Only 12 styles in stock; the minimum is 20"
    assert i18n.reasons_text(row, "zh") == "在库仅 12 款，低于最低 20 款"
    assert (
        i18n.reason_words(["below_min_styles", "slow_stock_heavy"], "zh")
        == "款数不足、滞销库存过多"
    )


def test_action_reason_and_validation_problems_have_no_english_in_chinese() -> None:
    row = {
        "action": "transfer",
        "reason_code": "bestseller_not_in_stock",
        "bestseller_rank": 3,
        "source_location_id": "D01-S008",
        "source_on_hand": 4,
    }
    assert i18n.action_reason(row, "zh") == "畅销款第 3 名缺货；从 D01-S008 调货（该处有 4 件）"
    assert i18n.action_reason(row, "en") == (
        "bestseller #3 not in stock; transfer from D01-S008 (holds 4)"
    )
    problem = "repeats the same month, location and SKU as an earlier row (row 16)"
    assert i18n.error_reason(problem, "zh") == "与前面某行的月份、网点、SKU 重复（第 16 行）"
    assert i18n.error_reason(problem, "en") == problem


def test_the_catalogue_loads_from_the_po_files_alone(tmp_path: Path) -> None:
    """No compiled .mo is needed (a fresh clone has none)."""
    assert not list(i18n.LOCALE_DIR.rglob("*.mo"))
    assert i18n.catalogue("zh").gettext("status.fail") == "不达标"


def test_no_key_is_hidden_inside_an_f_string() -> None:
    """Extraction cannot see ``f"{t('key')}"`` on Python 3.11: such a key would be dropped."""
    hidden = re.compile(r"""f["'][^"']*\{(?:i18n\.|ctx\.)?t\(""")
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for source in SOURCES
        for path in (ROOT / source).rglob("*.py")
        for n, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if hidden.search(line)
    ]
    assert not found, f"t() inside an f-string (extraction cannot see it): {found}"


def test_a_count_of_one_reads_in_the_singular():
    assert i18n.t("styles.lacking", "en", n=1, style="B1") == "1 location lacks B1"
    assert i18n.t("styles.lacking", "en", n=2, style="B1") == "2 locations lack B1"
    assert i18n.t("visit.total.lines", "en", n=1) == "1 line"
    assert i18n.t("styles.lacking", "zh", n=1, style="B1") == "1 个网点缺 B1"
    for one in i18n.ONE.values():  # every singular names the same placeholders but n
        for lang in ("en", "zh"):
            assert "{n}" not in i18n.t(one, lang)
