"""Validate a file's rows (domain.md section 3): every bad row is named, or the rows come back typed.

Parsing (month forms, quantities written as ``12.0``) happens in polars expressions, once
per distinct value of a column (a month's count repeats one month and a few thousand codes
over millions of rows); the row rules are declared per kind as a :class:`RuleSet` of polars
expressions, checked in one pass. The rows that fail go through the same rules as a
dataframely schema, and every failed rule of every row becomes a :class:`RowError` with the
row number, the header as the user wrote it, the value and the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

import polars as pl

from assortment import months
from assortment.errors import RowError, ValidationError
from assortment.ingest.read import HEADER_ALIASES, RawTable, by_value

if TYPE_CHECKING:
    import dataframely as dy

MAX_ERRORS = 10_000  # a report longer than this is cut (the count stays exact)
MAX_NUMBER = 1_000_000_000  # domain.md 3: quantities 0..1e9; prices, amounts, minimums too

REQUIRED: dict[str, tuple[str, ...]] = {
    "products": ("sku", "style", "colour", "size", "category", "launch_month", "price"),
    "locations": (
        "location_id",
        "name",
        "kind",
        "distributor_id",
        "region",
        "province",
        "city",
        "rep",
    ),
    "stock": ("month", "location_id", "on_hand"),
    "sales": ("month", "location_id", "units_sold"),
}
OPTIONAL: dict[str, tuple[str, ...]] = {
    "products": ("style_name", "season", "is_core_size"),
    "locations": ("min_styles", "status"),
    "stock": ("sku", "style", "colour", "size"),
    "sales": ("sku", "style", "colour", "size", "amount"),
}
KINDS = tuple(REQUIRED)


def wanted_columns(kind: str) -> tuple[str, ...]:
    """Every canonical column a file of this kind may carry."""
    return REQUIRED[kind] + OPTIONAL[kind]


@dataclass(frozen=True)
class Reference:
    """What is already stored that rows are checked against.

    Attributes:
        products: sku, sku_key, style, colour, size, category, launch_month, price_cny
            (empty for a new database).
        locations: location_id, location_key, kind, distributor_id.
        today: Months after today's month are future months.
    """

    products: pl.DataFrame
    locations: pl.DataFrame
    today: date


# ---------------------------------------------------------------- parsing helpers


def parse_quantity(col: str) -> pl.Expr:
    """A number as Float64 (``12``, ``12.0``, ``1,200``); null when it is not a number
    (``NaN`` included). ``inf`` and ``1e400`` stay infinite: the range rules name them."""
    value = pl.col(col).str.replace_all(",", "").cast(pl.Float64, strict=False)
    return pl.when(value.is_nan()).then(None).otherwise(value)


def parse_bool(col: str) -> pl.Expr:
    """true/false in the ways people write it; null for empty; the string 'bad' is caught by a rule."""
    low = pl.col(col).str.to_lowercase()
    return (
        pl.when(low.is_in(["true", "1", "yes", "y", "是", "t", "1.0"]))
        .then(True)
        .when(low.is_in(["false", "0", "no", "n", "否", "f", "0.0"]))
        .then(False)
        .otherwise(None)
    )


# ---------------------------------------------------------------- rule schemas
#
# Each kind's prepared frame carries, beside the raw text columns, parsed columns and
# lookup results. The dataframely schema declares one rule per check, built by the small
# factories below; a rule's name is "<column>__<check>", and REASONS gives the words
# shown to the user.

REASONS: dict[str, str] = {
    "required": "is empty",
    "month": "is not a month (write it as YYYY-MM, e.g. 2026-10)",
    "future": "is a future month",
    "not_number": "is not a number",
    "not_integer": "is not a whole number",
    "negative": "is negative",
    "too_large": f"is too large (at most {MAX_NUMBER:,})",
    "unknown_location": "is not a known location (load the locations file first)",
    "unknown_sku": "is not a known SKU (load the products file first)",
    "unknown_style_colour_size": "style, colour and size do not name a known SKU",
    "sku_disagrees": "differs from the row's SKU (give the SKU's own style, colour and size, or leave them out)",
    "duplicate": "repeats the same month, location and SKU as an earlier row",
    "kind": "must be 'distributor' or 'store'",
    "status": "must be 'active' or 'closed'",
    "bool": "must be true or false",
    "distributor_of_store": "a store must name its distributor (a location of kind 'distributor')",
    "distributor_of_distributor": "must be empty for a distributor",
    "duplicate_id": "repeats an id given in an earlier row",
    "style_fields": "differs from another SKU of the same style (category, launch_month and price must agree)",
    "duplicate_style_colour_size": "repeats the style, colour and size of an earlier row",
    "style_stored": "differs from the stored SKUs of the same style (category, launch_month and price must agree)",
    "scs_stored": "names the style, colour and size of another stored SKU",
    "orphans": "would leave stores without a distributor (a store's distributor_id must name a distributor)",
}


def _rule(expr: pl.Expr) -> pl.Expr:
    """A rule (True = the row passes) from an expression over prepared columns."""
    return expr


class RuleSet:
    """Rules over a prepared frame, declared as class attributes ``<column>__<check>``
    (expressions, True = the row passes), and the typed columns they read (``columns``:
    name -> (dataframely column type, nullable)).

    Checking a valid file needs nothing but polars: every rule is evaluated in one pass. Only
    when some row fails are the rules turned into a dataframely schema
    (:meth:`schema`), run on the failing rows alone, to name every failed rule of every row.
    """

    columns: ClassVar[dict[str, tuple[str, bool]]] = {"_row": ("Int64", False)}

    @classmethod
    def rules(cls) -> dict[str, pl.Expr]:
        """Every rule of the set by name."""
        return {
            name: value
            for klass in reversed(cls.__mro__)
            for name, value in vars(klass).items()
            if "__" in name and not name.startswith("_") and isinstance(value, pl.Expr)
        }

    @classmethod
    def schema(cls, extra: list[str]) -> type[dy.Schema]:
        """The rules as a dataframely schema; ``extra`` prepared columns pass through untyped."""
        import dataframely as dy

        attrs: dict[str, Any] = {
            name: getattr(dy, dtype)(nullable=nullable)
            for name, (dtype, nullable) in cls.columns.items()
        }
        attrs.update({c: dy.Any() for c in extra if c not in attrs})
        attrs.update({name: dy.rule()(_constant(expr)) for name, expr in cls.rules().items()})
        return type(cls.__name__, (dy.Schema,), attrs)


def _constant(expr: pl.Expr) -> Callable[[Any], pl.Expr]:
    """A dataframely rule function returning ``expr``."""

    def rule(_cls: Any) -> pl.Expr:
        return expr

    return rule


def required(col: str) -> Any:
    """The cell is not empty."""
    return _rule(pl.col(col).is_not_null())


def parsed(text_col: str, value_col: str) -> Any:
    """An empty cell, or one that parsed (month, number, true/false)."""
    return _rule(pl.col(text_col).is_null() | pl.col(value_col).is_not_null())


def whole(col: str) -> Any:
    """No value, or a whole number."""
    return _rule(pl.col(col).is_null() | (pl.col(col) == pl.col(col).floor()))


def non_negative(col: str) -> Any:
    """No value, or zero or more."""
    return _rule(pl.col(col).is_null() | (pl.col(col) >= 0))


def at_most(col: str, limit: float = MAX_NUMBER) -> Any:
    """No value, or at most ``limit`` (infinity is too large)."""
    return _rule(pl.col(col).is_null() | (pl.col(col) <= limit))


def first_of_its_kind(first_row_col: str) -> Any:
    """The row is the first with its key (``first_row_col`` holds that first row's number)."""
    return _rule(pl.col(first_row_col).is_null() | (pl.col(first_row_col) == pl.col("_row")))


class StockRules(RuleSet):
    """Rules for a stock (or, with ``qty`` = units_sold, a sales) file's rows."""

    columns: ClassVar[dict[str, tuple[str, bool]]] = {
        "_row": ("Int64", False),
        "month_date": ("Date", True),
        "location_key": ("Int32", True),
        "sku_key": ("Int32", True),
        "qty": ("Float64", True),
    }

    month__required = required("month")
    month__month = parsed("month", "month_date")
    month__future = _rule(pl.col("month_date").is_null() | ~pl.col("_future"))
    location_id__required = required("location_id")
    location_id__unknown_location = parsed("location_id", "location_key")
    sku__required = _rule(~pl.col("_by_sku") | pl.col("sku").is_not_null())
    sku__unknown_sku = _rule(
        ~pl.col("_by_sku") | pl.col("sku").is_null() | pl.col("sku_key").is_not_null()
    )
    style__unknown_style_colour_size = _rule(pl.col("_by_sku") | pl.col("sku_key").is_not_null())
    # a row that names its SKU and also style, colour or size: they must be the SKU's own
    style__sku_disagrees = _rule(pl.col("_style_agrees"))
    colour__sku_disagrees = _rule(pl.col("_colour_agrees"))
    size__sku_disagrees = _rule(pl.col("_size_agrees"))
    qty__required = required("qty_text")
    qty__not_number = parsed("qty_text", "qty")
    qty__not_integer = whole("qty")
    qty__negative = non_negative("qty")
    qty__too_large = at_most("qty")
    sku__duplicate = first_of_its_kind("_first_row")


class AmountRules(RuleSet):
    """The optional sales amount: a number when given."""

    amount__not_number = parsed("amount", "amount_value")
    amount__negative = non_negative("amount_value")
    amount__too_large = at_most("amount_value")


class ProductRules(RuleSet):
    """Rules for the products file."""

    sku__required = required("sku")
    style__required = required("style")
    colour__required = required("colour")
    size__required = required("size")
    category__required = required("category")
    launch_month__required = required("launch_month")
    launch_month__month = parsed("launch_month", "launch_date")
    price__required = required("price")
    price__not_number = parsed("price", "price_value")
    price__negative = non_negative("price_value")
    price__too_large = at_most("price_value")
    is_core_size__bool = parsed("is_core_size", "core_value")
    sku__duplicate_id = first_of_its_kind("_first_row")
    size__duplicate_style_colour_size = first_of_its_kind("_first_scs")
    style__style_fields = _rule(pl.col("_style_ok"))
    style__style_stored = _rule(pl.col("_detail__style_stored").is_null())
    size__scs_stored = _rule(pl.col("_detail__scs_stored").is_null())


class LocationRules(RuleSet):
    """Rules for the locations file."""

    location_id__required = required("location_id")
    name__required = required("name")
    region__required = required("region")
    kind__kind = _rule(pl.col("kind").is_in(["distributor", "store"]).fill_null(False))
    status__status = _rule(pl.col("status_value").is_in(["active", "closed"]).fill_null(False))
    min_styles__not_number = parsed("min_styles", "min_value")
    min_styles__not_integer = whole("min_value")
    min_styles__negative = non_negative("min_value")
    min_styles__too_large = at_most("min_value")
    distributor_id__distributor_of_store = _rule(
        (pl.col("kind") != "store").fill_null(True) | pl.col("_dist_ok")
    )
    distributor_id__distributor_of_distributor = _rule(
        (pl.col("kind") != "distributor").fill_null(True) | pl.col("distributor_id").is_null()
    )
    location_id__duplicate_id = first_of_its_kind("_first_row")
    kind__orphans = _rule(pl.col("_detail__orphans").is_null())


# ---------------------------------------------------------------- reporting


def _errors(
    rule_set: type[RuleSet], frame: pl.DataFrame, table: RawTable
) -> tuple[list[RowError], int]:
    """Run the rules; every failed (row, rule) as a RowError, sorted by row."""
    passes = pl.all_horizontal(expr.fill_null(False) for expr in rule_set.rules().values())
    failing = frame.filter(~passes)  # rules read only their own row's prepared columns
    if failing.height == 0:
        return [], 0
    # rules may read any prepared column: the rest pass through untyped
    _, failure = rule_set.schema(failing.columns).filter(failing)
    details = failure.details()
    if details.height == 0:
        return [], 0
    rule_cols = [
        c
        for c in details.columns
        if "__" in c and not c.startswith("_") and c.split("__")[1] in REASONS
    ]
    extra = _value_cols(details) + [c for c in details.columns if c.startswith("_detail__")]
    long = (
        details.select(["_row", *rule_cols, *extra])
        .unpivot(
            index=["_row", *extra],
            on=rule_cols,
            variable_name="rule",
            value_name="result",
        )
        .filter(pl.col("result") == "invalid")
        .sort("_row", "rule")
    )
    total = long.height
    out: list[RowError] = []
    for row in long.head(MAX_ERRORS).iter_rows(named=True):
        column, check = row["rule"].split("__", 1)
        value_col = "qty_text" if column == "qty" else column
        value = row.get(value_col)
        header = table.headers.get(_canonical(column, table), _canonical(column, table))
        reason = REASONS[check]
        params: dict[str, Any] = {}
        if check in ("duplicate", "duplicate_id", "duplicate_style_colour_size"):
            first = (
                row.get("_first_scs")
                if check == "duplicate_style_colour_size"
                else row.get("_first_row")
            )
            reason = f"{reason} (row {first})"
            params["first_row"] = first
        if check == "too_large":
            params["max"] = f"{MAX_NUMBER:,}"
        detail = row.get(f"_detail__{check}")
        if detail:
            reason = f"{reason}: {detail}"
            params["detail"] = detail
        out.append(
            RowError(
                int(row["_row"]),
                header,
                "" if value is None else str(value),
                reason,
                code=check,
                params=params,
            )
        )
    return out, total


_VALUE_COLUMNS = (
    "month",
    "location_id",
    "sku",
    "style",
    "colour",
    "size",
    "qty_text",
    "amount",
    "category",
    "launch_month",
    "price",
    "is_core_size",
    "name",
    "kind",
    "distributor_id",
    "region",
    "status",
    "min_styles",
    "_first_row",
    "_first_scs",
)


def _value_cols(details: pl.DataFrame) -> list[str]:
    return [c for c in _VALUE_COLUMNS if c in details.columns]


def _canonical(column: str, table: RawTable) -> str:
    if column == "qty":
        return "on_hand" if "on_hand" in table.headers else "units_sold"
    return column


def looks_like(columns: tuple[str, ...] | list[str], kind: str) -> tuple[str, str] | None:
    """(other kind, telling header) when headers missing ``kind``'s columns carry every
    required column of another kind: a stock file chosen as sales, and the like."""
    from assortment.ingest.read import _alias_index, _norm

    for other in KINDS:
        if other == kind:
            continue
        index = _alias_index(REQUIRED[other])
        found = {index[_norm(c)]: c for c in columns if _norm(c) in index}
        if set(REQUIRED[other]) <= set(found):
            telling = [c for c in REQUIRED[other] if c not in REQUIRED[kind]]
            return other, found[telling[-1]] if telling else ""
    return None


def _missing_columns(table: RawTable, kind: str) -> list[RowError]:
    missing = [c for c in REQUIRED[kind] if c not in table.headers]
    other = looks_like(table.columns, kind) if missing else None
    if other is not None:
        other_kind, header = other
        return [
            RowError(
                1,
                header,
                "",
                f"this looks like a {other_kind} file (it has the column {header!r}), "
                f"not a {kind} file: choose {other_kind} as the file type",
                code="looks_like",
                params={"kind": other_kind, "chosen": kind},
            )
        ]
    errors = [
        RowError(
            1,
            col,
            "",
            "required column is missing (accepted headers: "
            + ", ".join(HEADER_ALIASES.get(col, (col,))[:4])
            + ")",
            code="missing_column",
            params={"accepted": ", ".join(HEADER_ALIASES.get(col, (col,))[:4])},
        )
        for col in missing
    ]
    if kind in ("stock", "sales") and "sku" not in table.headers:
        lacking = [c for c in ("style", "colour", "size") if c not in table.headers]
        if lacking:
            errors.append(
                RowError(
                    1,
                    "sku",
                    "",
                    "required column is missing: give sku, or style, colour and size",
                    code="missing_sku",
                )
            )
    return errors


def _check_shape(table: RawTable, kind: str) -> None:
    errors = _missing_columns(table, kind)
    if not errors and table.frame.height == 0:
        errors = [RowError(0, "", "", "the file has no data rows", code="no_rows")]
    if errors:
        raise ValidationError(table.file_name, errors)


def _raise_if(errors: list[RowError], total: int, table: RawTable) -> None:
    if errors:
        raise ValidationError(table.file_name, errors, total=total)


def _first_row_of(keys: list[str]) -> pl.Expr:
    """For rows whose keys are all present: the first row number with the same keys."""
    present = pl.all_horizontal(pl.col(k).is_not_null() for k in keys)
    return pl.when(present).then(pl.col("_row").min().over(keys)).otherwise(None)


# ---------------------------------------------------------------- completeness guard


def _slice_key() -> pl.Expr:
    """(month, location_key) packed into one Int64 (``_slice``): grouping millions of rows by
    one integer is several times faster than by two columns."""
    return (
        (pl.col("month").cast(pl.Int64) + 2**20) * 2**32
        + pl.col("location_key").cast(pl.Int64)
        + 2**31
    ).alias("_slice")


def _unpack_slice() -> list[pl.Expr]:
    """month (Date) and location_key (Int32) back from ``_slice``."""
    return [
        (pl.col("_slice") // 2**32 - 2**20).cast(pl.Int32).cast(pl.Date).alias("month"),
        (pl.col("_slice") % 2**32 - 2**31).cast(pl.Int32).alias("location_key"),
    ]


def slices_of(rows: pl.DataFrame) -> pl.DataFrame:
    """The (month, location_key) slices of validated stock or sales rows, one row each."""
    return rows.select(_slice_key().unique()).select(_unpack_slice())


def count_drops(
    rows: pl.DataFrame, products: pl.DataFrame, stored: pl.DataFrame, *, share: float
) -> pl.DataFrame:
    """The completeness guard (domain.md 3): the (month, location) counts of a stock file
    that would leave fewer than ``share`` of the styles in stock the location had before.

    Args:
        rows: The validated stock rows (month, location_key, sku_key, qty).
        products: sku_key and style of every stored SKU.
        stored: The stored counts (month, location_key, active_styles) of the file's
            locations, as they were before this file.
        share: ``count_drop_share``.

    Returns:
        month, location_key, before, after: one row per count that drops. ``before`` is
        the count it replaces, else the latest stored count before that month; a count
        with neither has nothing to compare with and never drops.
    """
    in_stock = (
        rows.lazy()
        .filter(pl.col("qty") > 0)
        .join(products.lazy().select("sku_key", "style"), on="sku_key")
        .group_by(_slice_key())
        .agg(pl.col("style").n_unique().alias("after"))
        .select(*_unpack_slice(), "after")
    )
    after = (
        slices_of(rows)
        .lazy()
        .join(in_stock, on=["month", "location_key"], how="left")
        .with_columns(pl.col("after").fill_null(0).cast(pl.Int64))
    )
    earlier = (
        after.select("month", "location_key")
        .join(
            stored.lazy().select(
                pl.col("month").alias("stored_month"),
                "location_key",
                pl.col("active_styles").cast(pl.Int64).alias("before"),
            ),
            on="location_key",
        )
        .filter(pl.col("stored_month") <= pl.col("month"))
        .sort("stored_month")
        .group_by("month", "location_key")
        .agg(pl.col("before").last())
    )
    return (
        after.join(earlier, on=["month", "location_key"], how="inner")
        .filter(pl.col("after") < share * pl.col("before") - 1e-9)
        .select("month", "location_key", "before", "after")
        .collect()
    )


# ---------------------------------------------------------------- per kind


def _agrees_with_sku(frame: pl.DataFrame, prods: pl.DataFrame) -> pl.DataFrame:
    """``_style_agrees``, ``_colour_agrees``, ``_size_agrees``: a row that names a known SKU
    and also gives its style, colour or size gives the SKU's own (an empty cell agrees)."""
    own = prods.select(
        pl.col("sku_key").cast(pl.Int32),
        *(pl.col(c).alias(f"_sku_{c}") for c in ("style", "colour", "size")),
    )
    joined = frame.join(own, on="sku_key", how="left", maintain_order="left")
    return joined.with_columns(
        (
            pl.col(c).is_null() | pl.col(f"_sku_{c}").is_null() | (pl.col(c) == pl.col(f"_sku_{c}"))
        ).alias(f"_{c}_agrees")
        for c in ("style", "colour", "size")
    ).drop(f"_sku_{c}" for c in ("style", "colour", "size"))


def _lookup(frame: pl.DataFrame, code: str, stored: pl.DataFrame, key: str) -> pl.Series:
    """The stored surrogate key (Int32) of each row's ``code`` (location_id or sku); null when
    it is not stored."""
    keys = stored.select(code, pl.col(key).cast(pl.Int32))
    return frame.select(code).join(keys, on=code, how="left", maintain_order="left").get_column(key)


def _first_fact_row(frame: pl.DataFrame) -> pl.Series:
    """``_first_row``: for a row whose month, location and SKU are all known, the first row
    with the same three (the duplicate rule); null otherwise.

    The three keys are packed into one integer when they fit (surrogate keys are small),
    so that the common case, a file without repeats, is one pass over one column.
    """
    keys = ("month_date", "location_key", "sku_key")
    known = pl.all_horizontal(pl.col(k).is_not_null() for k in keys)
    bounds = frame.select(
        pl.col("location_key").min().alias("lo_l"),
        pl.col("location_key").max().alias("hi_l"),
        pl.col("sku_key").min().alias("lo_s"),
        pl.col("sku_key").max().alias("hi_s"),
    ).row(0)
    lo_l, hi_l, lo_s, hi_s = (0 if v is None else int(v) for v in bounds)
    first = pl.col("_row").min().over(keys)
    if min(lo_l, lo_s) >= 0 and max(hi_l, hi_s) < 2**20:
        # days since 1970 (|d| < 2**19 for years 1900..2999) x 2**40 + location x 2**20 + SKU
        packed = (
            pl.col("month_date").cast(pl.Int64) * 2**40
            + pl.col("location_key").cast(pl.Int64) * 2**20
            + pl.col("sku_key").cast(pl.Int64)
        )
        keyed = frame.select(packed.filter(known)).to_series()
        if not keyed.is_sorted():  # a file in key order (most are) needs no sort
            keyed = keyed.sort()
        repeats = bool((keyed.diff() == 0).any())
        # no repeats: every row is the first of its kind
        first = pl.col("_row").min().over(packed) if repeats else pl.col("_row")
    return frame.select(pl.when(known).then(first).otherwise(None).alias("_first_row")).to_series()


def validate_facts(table: RawTable, kind: str, ref: Reference) -> pl.DataFrame:
    """Validate a stock or sales file.

    Returns:
        month (Date), location_key (Int32), sku_key (Int32), qty (Int64) and, for sales,
        amount (Float64), one row per file row.

    Raises:
        ValidationError: naming every bad row; nothing is returned in part.
    """
    _check_shape(table, kind)
    qty_col = "on_hand" if kind == "stock" else "units_sold"
    frame = table.frame
    by_sku = "sku" in frame.columns
    # a file that names SKUs and also gives style, colour or size: they must agree
    cross_check = by_sku and any(c in frame.columns for c in ("style", "colour", "size"))
    for col in ("sku", "style", "colour", "size", "amount"):
        if col not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(col))
    this_month = date(ref.today.year, ref.today.month, 1)
    # each distinct month, quantity and code is parsed or looked up once (by_value)
    frame = frame.with_columns(
        by_value(frame, "month", months.parse_expr("month")).alias("month_date"),
        pl.col(qty_col).alias("qty_text"),
        by_value(frame, qty_col, parse_quantity(qty_col)).alias("qty"),
        pl.lit(by_sku).alias("_by_sku"),
        _lookup(frame, "location_id", ref.locations, "location_key"),
    ).with_columns((pl.col("month_date") > this_month).fill_null(False).alias("_future"))
    prods = ref.products
    if by_sku:
        frame = frame.with_columns(_lookup(frame, "sku", prods, "sku_key"))
    else:
        frame = frame.join(
            prods.select(
                "style",
                "colour",
                "size",
                pl.col("sku_key").cast(pl.Int32),
                pl.col("sku").alias("_sku"),
            ),
            on=["style", "colour", "size"],
            how="left",
            maintain_order="left",
        ).with_columns(pl.col("_sku").alias("sku"))
    if cross_check:
        frame = _agrees_with_sku(frame, prods)
    else:
        frame = frame.with_columns(
            pl.lit(True).alias(f"_{c}_agrees") for c in ("style", "colour", "size")
        )
    frame = frame.with_columns(_first_fact_row(frame))
    errors, total = _errors(StockRules, frame, table)
    if kind == "sales":
        frame = frame.with_columns(
            by_value(frame, "amount", parse_quantity("amount")).alias("amount_value")
        )
        more, more_total = _errors(AmountRules, frame, table)
        errors = sorted(errors + more, key=lambda e: e.row)
        total += more_total
    _raise_if(errors, total, table)
    out = frame.select(
        pl.col("month_date").alias("month"),
        "location_key",
        "sku_key",
        pl.col("qty").cast(pl.Int64).alias("qty"),
    )
    if kind == "sales":
        out = out.with_columns(frame["amount_value"].alias("amount"))
    return out


def _stored_style_fields(frame: pl.DataFrame, stored: pl.DataFrame) -> pl.DataFrame:
    """Adds ``_detail__style_stored`` (rows whose style fields differ from the style's stored
    SKUs that this file does not restate) and ``_detail__scs_stored`` (rows naming the style,
    colour and size of another stored SKU that stays)."""
    staying = stored.filter(~pl.col("sku").is_in(frame["sku"].drop_nulls().implode()))
    by_style = (
        staying.sort("sku")
        .unique("style", keep="first")
        .select(
            "style",
            pl.col("sku").alias("_s_sku"),
            pl.col("category").alias("_s_category"),
            pl.col("launch_month").alias("_s_launch"),
            pl.col("price_cny").alias("_s_price"),
        )
    )
    by_scs = staying.unique(["style", "colour", "size"], keep="first").select(
        "style", "colour", "size", pl.col("sku").alias("_s_scs_sku")
    )
    frame = frame.join(by_style, on="style", how="left", maintain_order="left").join(
        by_scs, on=["style", "colour", "size"], how="left", maintain_order="left"
    )
    differs = pl.col("_s_sku").is_not_null() & (
        (pl.col("category") != pl.col("_s_category")).fill_null(False)
        | (pl.col("launch_date") != pl.col("_s_launch")).fill_null(False)
        | (pl.col("price_value") != pl.col("_s_price")).fill_null(False)
    )
    stored_desc = pl.format(
        "stored SKU {} has category {}, launch_month {}, price {}",
        pl.col("_s_sku"),
        pl.col("_s_category"),
        pl.col("_s_launch").dt.strftime("%Y-%m"),
        pl.col("_s_price"),
    )
    return frame.with_columns(
        pl.when(differs).then(stored_desc).otherwise(None).alias("_detail__style_stored"),
        pl.when(pl.col("_s_scs_sku").is_not_null() & (pl.col("_s_scs_sku") != pl.col("sku")))
        .then(pl.format("stored SKU {}", pl.col("_s_scs_sku")))
        .otherwise(None)
        .alias("_detail__scs_stored"),
    ).drop("_s_sku", "_s_category", "_s_launch", "_s_price", "_s_scs_sku")


def validate_products(table: RawTable, ref: Reference | None = None) -> pl.DataFrame:
    """Validate a products file; returns the typed rows (one per SKU).

    With ``ref``, style-level fields are also checked against the stored SKUs of each
    style that the file does not restate (domain.md 3, consistency with what is stored).
    """
    _check_shape(table, "products")
    frame = table.frame
    for col in OPTIONAL["products"]:
        if col not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(col))
    frame = frame.with_columns(
        months.parse_expr("launch_month").alias("launch_date"),
        parse_quantity("price").alias("price_value"),
        parse_bool("is_core_size").alias("core_value"),
        _first_row_of(["sku"]).alias("_first_row"),
        _first_row_of(["style", "colour", "size"]).alias("_first_scs"),
    )
    style_ok = (
        (pl.col("category").n_unique().over("style") == 1)
        & (pl.col("launch_date").n_unique().over("style") == 1)
        & (pl.col("price_value").n_unique().over("style") == 1)
    )
    frame = frame.with_columns(
        pl.when(pl.col("style").is_null()).then(True).otherwise(style_ok).alias("_style_ok")
    )
    stored = (
        ref.products
        if ref is not None and "category" in ref.products.columns
        else pl.DataFrame(
            schema={
                "sku": pl.String,
                "style": pl.String,
                "colour": pl.String,
                "size": pl.String,
                "category": pl.String,
                "launch_month": pl.Date,
                "price_cny": pl.Float64,
            }
        )
    )
    frame = _stored_style_fields(frame, stored)
    errors, total = _errors(ProductRules, frame, table)
    _raise_if(errors, total, table)
    return frame.select(
        "sku",
        "style",
        "colour",
        "size",
        "category",
        pl.col("launch_date").alias("launch_month"),
        pl.col("price_value").alias("price_cny"),
        "style_name",
        "season",
        pl.col("core_value").alias("is_core_size"),
    )


def _orphaned_stores(
    frame: pl.DataFrame, stored: pl.DataFrame, distributors: pl.Series
) -> pl.DataFrame:
    """Adds ``_detail__orphans``: on a row that makes a stored distributor something else,
    the stored stores (not restated by this file) that name it as their distributor."""
    if "distributor_id" not in stored.columns or stored.height == 0:
        return frame.with_columns(pl.lit(None, pl.String).alias("_detail__orphans"))
    in_file = frame["location_id"].drop_nulls().implode()
    orphans = (
        stored.filter(
            (pl.col("kind") == "store")
            & ~pl.col("location_id").is_in(in_file)
            & ~pl.col("distributor_id").is_in(distributors.implode()).fill_null(False)
        )
        .sort("location_id")
        .group_by("distributor_id", maintain_order=True)
        .agg(
            pl.len().alias("_n"),
            pl.col("location_id").head(10).str.join(", ").alias("_ids"),
        )
        .select(
            pl.col("distributor_id").alias("location_id"),
            pl.format("{} store(s) name it: {}", pl.col("_n"), pl.col("_ids"))
            .add(pl.when(pl.col("_n") > 10).then(pl.lit(" ...")).otherwise(pl.lit("")))
            .alias("_detail__orphans"),
        )
    )
    return frame.join(orphans, on="location_id", how="left", maintain_order="left")


def validate_locations(table: RawTable, ref: Reference) -> pl.DataFrame:
    """Validate a locations file; returns the typed rows (one per location)."""
    _check_shape(table, "locations")
    frame = table.frame
    for col in OPTIONAL["locations"]:
        if col not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias(col))
    frame = frame.with_columns(
        pl.col("kind").str.to_lowercase(),
        pl.col("status").str.to_lowercase().fill_null("active").alias("status_value"),
        parse_quantity("min_styles").alias("min_value"),
        _first_row_of(["location_id"]).alias("_first_row"),
    )
    in_file = frame.filter(pl.col("kind") == "distributor")["location_id"].drop_nulls()
    stored = ref.locations.filter(pl.col("kind") == "distributor")["location_id"]
    # a distributor listed in this file as a store is not a distributor any more
    restated = frame.filter(pl.col("kind") != "distributor")["location_id"].drop_nulls()
    distributors = pl.concat([in_file, stored.filter(~stored.is_in(restated.implode()))]).unique()
    frame = frame.with_columns(
        pl.col("distributor_id").is_in(distributors.implode()).fill_null(False).alias("_dist_ok")
    )
    frame = _orphaned_stores(frame, ref.locations, distributors)
    errors, total = _errors(LocationRules, frame, table)
    _raise_if(errors, total, table)
    return frame.select(
        "location_id",
        "name",
        "kind",
        "distributor_id",
        "region",
        "province",
        "city",
        "rep",
        pl.col("min_value").cast(pl.Int32).alias("min_styles"),
        pl.col("status_value").alias("status"),
    )
