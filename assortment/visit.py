"""The visit list (domain.md 6.5): a location's action lines folded into one line per action,
style and source, with the sizes and units written out, worst money first.

Choices where domain.md leaves room:

* A line covers every colour of its style from the same source; its ``sizes`` text names the
  colour before its sizes when the line has more than one colour (``Black 75B×3, 80B×2 ·
  Nude 75B×1``) and only the sizes otherwise; sizes follow :func:`assortment.vocab.size_key`.
* ``value_cny`` of a line is its value at stake (the sum over its SKU lines, 6.3) for transfers
  and replenishment, and the value of the stock to clear (6.4) for clearance; a line whose
  value at stake is unknown (results classified before demand sizing) counts as 0.
* A clearance line of a style the same location is told to distribute (domain.md 9, stuck at
  the distributor) is kept (6.4) and flagged ``distribute_first``: its reason says to send the
  style to the stores first, so that the list never asks for both without a word.
* Order: transfers and replenishment by value descending, then clearance by value descending;
  ties by style, then transfer before replenish, then source.
* The reason and its parameters are the first SKU line's (they are the style's, 6.3), but for
  its ``colour`` and ``size``: the line's colours (``/``-joined) and sizes (``, ``-joined), so
  that a broken size run names every core size the line brings.
"""

from __future__ import annotations

import polars as pl

from assortment.vocab import size_key

SIZE_TIMES = "×"
"""Between a size and its units: ``75B×3``."""

VISIT_COLUMNS = (
    "location_id",
    "action",
    "style",
    "style_name",
    "category",
    "colours",
    "sizes",
    "units",
    "source_location_id",
    "source_kind",
    "value_cny",
    "demand_units_per_month",
    "months_of_cover",
)

_REASON_COLUMNS = (
    "reason_code",
    "bestseller_rank",
    "launch_month",
    "source_on_hand",
    "units_sold",
    "sell_through",
    "lacking_location_ids",
)


def sizes_text(items: list[tuple[str | None, str | None, int]]) -> str:
    """``[(colour, size, units), ...]`` as ``75B×3, 80B×2`` (colours named when several).

    Examples:
        >>> sizes_text([("Black", "80B", 2), ("Black", "75B", 3)])
        '75B×3, 80B×2'
        >>> sizes_text([("Nude", "75B", 1), ("Black", "75B", 3)])
        'Black 75B×3 · Nude 75B×1'
    """
    by_colour: dict[str, list[tuple[str, int]]] = {}
    for colour, size, units in items:
        if size is None:
            continue
        by_colour.setdefault(colour or "", []).append((size, int(units)))
    parts = []
    for colour in sorted(by_colour):
        sizes = sorted(by_colour[colour], key=lambda p: size_key(p[0]))
        text = ", ".join(f"{s}{SIZE_TIMES}{u}" for s, u in sizes)
        parts.append(f"{colour} {text}".strip() if len(by_colour) > 1 else text)
    return " · ".join(parts)


def visit_lines(actions: pl.DataFrame, styles: pl.DataFrame) -> pl.DataFrame:
    """One row per (location, action, style, source), ordered as a rep works down the list.

    Args:
        actions: Action lines (the ``actions`` export's columns; ``months_of_cover`` and
            ``source_name`` used when present) of one or more locations.
        styles: style, style_name, category (one row per style).

    Returns:
        :data:`VISIT_COLUMNS`, ``source_name``, the reason columns and the reason's ``colour``
        and ``size`` (see the module docstring), sorted by location,
        then the visit order (module docstring).
    """
    frame = actions
    for name, dtype in (
        ("months_of_cover", pl.Float64),
        ("source_name", pl.String),
        ("source_kind", pl.String),
        ("value_at_stake_cny", pl.Float64),
        ("demand_units_per_month", pl.Float64),
    ):
        if name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=dtype).alias(name))
    reasons = [c for c in _REASON_COLUMNS if c in frame.columns]
    keys = ["location_id", "action", "style", "source_location_id"]
    is_clear = pl.col("action") == "clearance"
    grouped = (
        frame.with_columns(
            pl.when(is_clear)
            .then(pl.col("value_cny"))
            .otherwise(pl.col("value_at_stake_cny").fill_null(0.0))
            .alias("_value"),
            pl.struct("colour", "size", "units").alias("_item"),
        )
        .group_by(keys, maintain_order=True)
        .agg(
            pl.col("colour").drop_nulls().unique().sort().str.join("/").alias("colours"),
            pl.col("_item").alias("_items"),
            pl.col("units").sum().alias("units"),
            pl.col("source_kind").first(),
            pl.col("source_name").first(),
            pl.col("_value").sum().alias("value_cny"),
            pl.col("demand_units_per_month").sum().alias("demand_units_per_month"),
            pl.col("months_of_cover").first(),
            *[pl.col(c).first() for c in reasons],
        )
    )
    items_of = grouped["_items"].to_list()
    texts = [
        sizes_text([(i["colour"], i["size"], i["units"]) for i in items]) for items in items_of
    ]
    # the reason's colour and size (6.2's broken size run names them) are the line's own
    size_lists = [
        ", ".join(sorted({i["size"] for i in items if i["size"]}, key=size_key)) or None
        for items in items_of
    ]
    names = styles.select("style", "style_name", "category").unique("style", keep="first")
    return (
        grouped.with_columns(
            pl.Series("sizes", texts, dtype=pl.String),
            pl.Series("size", size_lists, dtype=pl.String),
            pl.col("colours").replace("", None).alias("colour"),
        )
        .drop("_items")
        .join(names, on="style", how="left")
        .with_columns(
            is_clear.cast(pl.Int8).alias("_group"),
            pl.col("action")
            .replace_strict(
                {"transfer": 0, "replenish": 1, "clearance": 2}, default=3, return_dtype=pl.Int8
            )
            .alias("_kind"),
        )
        .sort(
            ["location_id", "_group", "value_cny", "style", "_kind", "source_location_id"],
            descending=[False, False, True, False, False, False],
            nulls_last=True,
            maintain_order=True,
        )
        .with_columns(
            # domain.md 9: a style stuck at the distributor is sent to its stores before it is
            # cleared; its clearance line (6.4, still listed) says so
            (
                is_clear
                & pl.struct("location_id", "style").is_in(
                    pl.struct("location_id", "style")
                    .filter(pl.col("action") == "distribute")
                    .implode()
                )
            ).alias("distribute_first")
        )
        .select(*VISIT_COLUMNS, "source_name", *reasons, "colour", "size", "distribute_first")
    )
