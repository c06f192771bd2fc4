"""The visit list (domain.md 6.5) on a network a reader can check by hand."""

from __future__ import annotations

import polars as pl

from assortment.visit import sizes_text, visit_lines

STYLES = pl.DataFrame(
    {
        "style": ["B1", "B2", "S9"],
        "style_name": ["Lace bra", "Cotton bra", "Old slip"],
        "category": ["bra", "bra", "slip"],
    }
)


def _line(action, style, colour, size, units, source, stake, value=0.0, kind=None):
    return {
        "location_id": "S1",
        "action": action,
        "style": style,
        "colour": colour,
        "size": size,
        "units": units,
        "source_location_id": source,
        "source_kind": kind,
        "value_cny": value,
        "value_at_stake_cny": stake,
        "demand_units_per_month": None if action == "clearance" else 1.0,
        "reason_code": "bestseller_missing",
    }


def test_sizes_text_orders_sizes_and_names_colours_only_when_several():
    assert sizes_text([("Black", "80B", 2), ("Black", "75B", 3)]) == "75B×3, 80B×2"
    assert sizes_text([("Black", "M", 1), ("Black", "S", 2)]) == "S×2, M×1"
    assert sizes_text([("Nude", "75B", 1), ("Black", "75B", 3)]) == "Black 75B×3 · Nude 75B×1"
    assert sizes_text([(None, None, 4)]) == ""


def test_one_line_per_action_style_source_ordered_by_value_at_stake():
    actions = pl.DataFrame(
        [
            # B1: 75B×3 from the distributor D1 (stake 60 + 20), 80B×2 replenished (stake 40)
            _line("transfer", "B1", "Black", "75B", 3, "D1", 60.0, kind="distributor"),
            _line("transfer", "B1", "Black", "80B", 2, "D1", 20.0, kind="distributor"),
            _line("replenish", "B1", "Black", "85B", 2, None, 40.0, kind="brand"),
            # B2: replenish 2 colours, stake 100 in all: the largest line, first
            _line("replenish", "B2", "White", "75B", 1, None, 70.0, kind="brand"),
            _line("replenish", "B2", "Nude", "75B", 1, None, 30.0, kind="brand"),
            # clearance: last whatever its value
            _line("clearance", "S9", None, None, 12, None, None, value=900.0),
        ]
    )
    got = visit_lines(actions, STYLES)
    assert got.select("action", "style", "sizes", "units", "value_cny").rows() == [
        ("replenish", "B2", "Nude 75B×1 · White 75B×1", 2, 100.0),
        ("transfer", "B1", "75B×3, 80B×2", 5, 80.0),
        ("replenish", "B1", "85B×2", 2, 40.0),
        ("clearance", "S9", "", 12, 900.0),
    ]
    assert got["style_name"].to_list() == ["Cotton bra", "Lace bra", "Lace bra", "Old slip"]
    assert got["source_location_id"].to_list() == [None, "D1", None, None]
    assert got["colours"].to_list() == ["Nude/White", "Black", "Black", ""]


def test_two_sources_of_one_style_are_two_lines_and_clearance_goes_by_value():
    actions = pl.DataFrame(
        [
            _line("transfer", "B1", "Black", "75B", 1, "S2", 10.0, kind="store"),
            _line("transfer", "B1", "Black", "75B", 2, "D1", 20.0, kind="distributor"),
            _line("clearance", "S9", None, None, 3, None, None, value=50.0),
            _line("clearance", "B2", None, None, 4, None, None, value=80.0),
        ]
    )
    got = visit_lines(actions, STYLES)
    assert got.select("action", "style", "source_location_id", "units").rows() == [
        ("transfer", "B1", "D1", 2),
        ("transfer", "B1", "S2", 1),
        ("clearance", "B2", None, 4),
        ("clearance", "S9", None, 3),
    ]


def test_a_distribute_line_ranks_by_value_and_keeps_the_stores_it_names():
    """A stuck style's distribute line (domain.md 9) has no sizes of its own; it is ranked with
    the transfers and replenishment by value at stake and keeps ``lacking_location_ids`` so its
    reason can name the stores."""
    spread = {
        **_line("distribute", "B2", None, None, 6, "S1", 90.0, kind="distributor"),
        "reason_code": "stuck_at_distributor",
        "lacking_location_ids": "S2;S3",
    }
    rows = [
        {
            **_line("replenish", "B1", "Black", "75B", 1, None, 50.0, kind="brand"),
            "lacking_location_ids": None,
        },
        spread,
        {
            **_line("clearance", "S9", None, None, 4, None, None, value=500.0),
            "lacking_location_ids": None,
        },
    ]
    got = visit_lines(pl.DataFrame(rows), STYLES)
    assert got.select("action", "style", "units", "value_cny", "lacking_location_ids").rows() == [
        ("distribute", "B2", 6, 90.0, "S2;S3"),
        ("replenish", "B1", 1, 50.0, None),
        ("clearance", "S9", 4, 500.0, None),
    ]


def test_a_broken_size_line_names_its_colour_and_every_size_it_brings():
    """The reason of a folded line (one per style and source) names the line's colour and all
    its sizes, not the blanks of a single SKU's columns (6.2: a broken colour's missing core
    sizes)."""
    from assortment.i18n import action_reason

    rows = [
        {
            **_line("replenish", "B1", "Black", size, 1, None, 10.0, kind="brand"),
            "reason_code": "broken_size_run",
        }
        for size in ("80B", "75B")
    ]
    line = visit_lines(pl.DataFrame(rows), STYLES).row(0, named=True)
    assert (line["colour"], line["size"]) == ("Black", "75B, 80B")
    assert action_reason(line, "en") == "broken size run: colour Black lacks core size 75B, 80B"
    assert action_reason(line, "zh") == "断码：Black 色缺核心尺码 75B, 80B"


def test_a_clearance_of_a_style_to_distribute_first_says_so():
    """domain.md 9 and 6.4 both hold for a style stuck at the distributor that sells little
    there: the list keeps both lines, and the clearance line says to distribute first."""
    from assortment.i18n import action_reason

    spread = {
        **_line("distribute", "B2", None, None, 6, "D1", 90.0, kind="distributor"),
        "location_id": "D1",
        "reason_code": "stuck_at_distributor",
        "lacking_location_ids": "S2;S3",
    }
    clear_b2 = {
        **_line("clearance", "B2", None, None, 6, None, None, value=300.0),
        "location_id": "D1",
        "reason_code": "slow_moving",
        "lacking_location_ids": None,
    }
    clear_s9 = {**clear_b2, "style": "S9"}
    got = visit_lines(pl.DataFrame([spread, clear_b2, clear_s9]), STYLES)
    assert got.select("action", "style", "distribute_first").rows() == [
        ("distribute", "B2", False),
        ("clearance", "B2", True),
        ("clearance", "S9", False),
    ]
    b2, s9 = got.row(1, named=True), got.row(2, named=True)
    assert "send it to the stores first" in action_reason(b2, "en")
    assert "先铺货到门店" in action_reason(b2, "zh")
    assert "first" not in action_reason(s9, "en")
