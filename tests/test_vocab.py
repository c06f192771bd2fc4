"""One place for each constant: the vocabulary, size order, rule defaults, formula neutralising."""

from __future__ import annotations

import tomllib
from dataclasses import asdict, fields
from importlib import resources

import polars as pl
import pytest

from assortment import sample, vocab
from assortment.config import KindRules, Rules
from assortment.export import formula_safe, neutralise_formulas


def test_statuses_worst_first_with_a_colour_each():
    assert vocab.STATUSES == ("fail", "warn", "no_count", "pass")
    assert sorted(["pass", "fail", "no_count", "warn"], key=vocab.STATUS_RANK.__getitem__) == list(
        vocab.STATUSES
    )
    assert vocab.STATUS_COLOURS.keys() == set(vocab.STATUSES)
    assert vocab.SEGMENT_COLOURS.keys() == set(vocab.SEGMENTS)


@pytest.mark.parametrize(
    ("size", "parsed"),
    [
        ("75B", (75, "B")),
        ("80C", (80, "C")),
        ("100DD", (100, "DD")),
        (" 70a ", (70, "A")),
        ("M", None),
        ("XL", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_bra_size(size, parsed):
    assert vocab.parse_bra_size(size) == parsed


def test_sizes_sort_as_a_shop_does():
    assert vocab.size_order(["XL", "S", "M", "L", "XS", "M"]) == ["XS", "S", "M", "L", "XL"]
    assert vocab.size_order(["80B", "75C", "100A", "75A", "70B"]) == [
        "70B",
        "75A",
        "75C",
        "80B",
        "100A",
    ]
    # letters, then bra sizes, then other numbers, then anything else
    assert vocab.size_order(["ONE", "38", "75B", "M", "4XL", "36"]) == [
        "M",
        "4XL",
        "75B",
        "36",
        "38",
        "ONE",
    ]


def _shipped() -> dict:
    return tomllib.loads(resources.files("assortment").joinpath("rules.toml").read_text("utf-8"))


def test_rule_defaults_are_the_shipped_rules_file():
    shipped = _shipped()
    assert Rules() == Rules.from_toml()
    assert Rules().to_dict() == shipped  # every field has its line in rules.toml, and no more
    assert {f.name for f in fields(KindRules)} == shipped["store"].keys()


def test_a_changed_default_in_the_file_is_what_rules_reads(tmp_path):
    text = resources.files("assortment").joinpath("rules.toml").read_text("utf-8")
    path = tmp_path / "rules.toml"
    path.write_text(text.replace("new_months = 6", "new_months = 4"), "utf-8")
    assert Rules.from_toml(path).new_months == 4
    assert asdict(Rules.from_toml(path)) == {**asdict(Rules()), "new_months": 4}


def test_sample_plants_against_the_configured_defaults():
    rules = Rules()
    assert rules.new_months == sample.NEW_MONTHS
    assert {
        "distributor": rules.distributor.min_styles,
        "store": rules.store.min_styles,
    } == sample.MIN_STYLES


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_starts_are_neutralised(value):
    assert formula_safe(value) == "'" + value
    frame = neutralise_formulas(pl.DataFrame({"a": [value], "n": [1]}))
    assert frame.row(0) == ("'" + value, 1)


@pytest.mark.parametrize("value", ["D01", "", "1-2", "a=b"])
def test_plain_text_is_left_alone(value):
    assert formula_safe(value) == value
    assert neutralise_formulas(pl.DataFrame({"a": [value]})).item() == value
