"""What the dashboard reads: one ``sql/queries/dash_*.sql`` query per call, scoped to the user,
over the newest read snapshot, cached per snapshot version."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

import duckdb
import polars as pl

from assortment import months, store
from assortment.config import Settings, env_int
from assortment.errors import NoDataError
from assortment.users import User

#: DuckDB threads per dashboard query (``ASSORTMENT_READER_THREADS``; 0: one per core).
DEFAULT_READER_THREADS = 1
_CACHE_SIZE = 512
#: ... and at most this many bytes of them (the location page's frames hold a whole scope's
#: month: an admin's month of styles at 2,000 locations is about 10 MB).
_CACHE_BYTES = 256 * 1024 * 1024
#: Results built from frames (a 2,000-row table in words is a few MB): fewer kept.
_DERIVED_SIZE = 32
T = TypeVar("T")
#: The scope of the location page's frames: every location (see ``Data._location_rows``).
_EVERY_LOCATION = {"role": "admin", "scope": ""}


def _freeze(value: Any) -> Any:
    if isinstance(value, list | tuple | set):
        return tuple(sorted(str(v) for v in value))
    return value


class Data:
    """Scoped, cached reads for the dashboard (one instance per app, shared by threads)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.reader = store.SnapshotReader(
            settings, threads=env_int("ASSORTMENT_READER_THREADS", DEFAULT_READER_THREADS)
        )
        self._cache: OrderedDict[tuple[Any, ...], pl.DataFrame] = OrderedDict()
        self._cache_bytes = 0
        self._derived: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()
        self._running: dict[tuple[Any, ...], Future[Any]] = {}
        self._lookback: int | None = None

    # ------------------------------------------------------------ plumbing

    def version(self) -> str:
        """The snapshot in use ('' when nothing was ever published)."""
        try:
            return self.reader.version()
        except NoDataError:
            return ""

    def frame(self, name: str, **params: Any) -> pl.DataFrame:
        """Run ``sql/queries/<name>.sql`` with bound params; cached per snapshot version.

        Raises:
            NoDataError: nothing was ever published.
        """
        version = self.reader.version()
        key = (version, name, tuple(sorted((k, _freeze(v)) for k, v in params.items())))
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        return self._once(key, lambda: self._run(key, name, params))

    def _run(self, key: tuple[Any, ...], name: str, params: dict[str, Any]) -> pl.DataFrame:
        cur = self.reader.cursor()
        try:
            result = store.query_served(cur, name, **params)
        finally:
            cur.close()
        size = int(result.estimated_size())
        with self._lock:
            old = self._cache.pop(key, None)
            self._cache_bytes += size - (int(old.estimated_size()) if old is not None else 0)
            self._cache[key] = result
            while len(self._cache) > 1 and (
                len(self._cache) > _CACHE_SIZE or self._cache_bytes > _CACHE_BYTES
            ):
                self._cache_bytes -= int(self._cache.popitem(last=False)[1].estimated_size())
        return result

    def _once(self, key: tuple[Any, ...], work: Callable[[], T]) -> T:
        """``work()`` (which caches its result under ``key``), run by one thread at a time per
        key: the others asking meanwhile wait for its result (or its error) instead of
        repeating it. After a new snapshot every user misses at once, and the same 30-90 ms
        query (the location page's frames of the latest month) would otherwise run once per
        thread asking."""
        with self._lock:
            running = self._running.get(key)
            if running is None:
                mine: Future[T] = Future()
                self._running[key] = mine
        if running is not None:
            return running.result()  # type: ignore[no-any-return]
        try:
            result = work()
        except BaseException as exc:
            mine.set_exception(exc)
            raise
        else:
            mine.set_result(result)
            return result
        finally:
            with self._lock:
                del self._running[key]

    def derived(self, name: str, build: Callable[[], T], **key: Any) -> T:
        """``build()``, cached per snapshot version under ``name`` and ``key``.

        For what a callback makes of this class's frames (table rows in words, figures) when
        that costs more than the query: ``key`` must name everything the result depends on
        (the user's scope, the language, the inputs). Cached results are shared between
        requests and threads: never change one.
        """
        version = self.reader.version()
        k = ("derived", version, name, tuple(sorted((n, _freeze(v)) for n, v in key.items())))
        with self._lock:
            if k in self._derived:
                self._derived.move_to_end(k)
                return self._derived[k]  # type: ignore[no-any-return]

        def keep() -> T:
            result = build()
            with self._lock:
                self._derived[k] = result
                while len(self._derived) > _DERIVED_SIZE:
                    self._derived.popitem(last=False)
            return result

        return self._once(k, keep)

    def refresh(self) -> None:
        """Look for a newer snapshot on the next read (after this process wrote one)."""
        # SnapshotReader re-reads CURRENT at most every 0.5 s; after our own write, now
        self.reader._checked = 0.0  # noqa: SLF001 - documented knob of the reader

    def lookback_months(self) -> int:
        """The rules' lookback window (for column labels)."""
        if self._lookback is None:
            try:
                self._lookback = self.settings.rules().lookback_months
            except Exception:  # a broken rules file must not take the UI down
                self._lookback = 3
        return self._lookback

    # ------------------------------------------------------------ users

    def users(self) -> dict[str, dict[str, Any]]:
        """Every user by username (with the password hash); {} when there is no users table.

        Asked on every request (whose session is it?): the dict is built once per snapshot
        (:meth:`derived`) and shared, so never change it."""
        try:
            return self.derived("users", self._users_by_name)
        except NoDataError:
            return {}

    def _users_by_name(self) -> dict[str, dict[str, Any]]:
        try:
            rows = self.frame("dash_users")
        except (NoDataError, duckdb.CatalogException):
            return {}
        return {r["username"]: r for r in rows.iter_rows(named=True)}

    # ------------------------------------------------------------ shared

    def months(self) -> list[str]:
        """Classified months, newest first ([] when none)."""
        try:
            return self.frame("dash_months")["month"].to_list()
        except NoDataError:
            return []

    def scope_locations(self, user: User) -> pl.DataFrame:
        """The locations the user may see (with their distributor group)."""
        return self.frame("dash_scope_locations", **user.params())

    def style_list(self) -> pl.DataFrame:
        """The catalogue's styles (style, style_name, category)."""
        return self.frame("dash_style_list")

    # ------------------------------------------------------------ overview

    def overview(
        self,
        user: User,
        month: str,
        *,
        regions: list[str],
        groups: list[str],
        reps: list[str],
        statuses: list[str],
    ) -> pl.DataFrame:
        """Compliance of the month for the locations in scope after the filters."""
        return self.frame(
            "dash_overview",
            **user.params(),
            month=months.parse(month),
            regions=list(regions or []),
            groups=list(groups or []),
            reps=list(reps or []),
            statuses=list(statuses or []),
        )

    def trend(
        self,
        user: User,
        *,
        regions: list[str],
        groups: list[str],
        reps: list[str],
        statuses: list[str],
    ) -> pl.DataFrame:
        """Status counts and average active styles per month, same filters."""
        return self.frame(
            "dash_trend",
            **user.params(),
            regions=list(regions or []),
            groups=list(groups or []),
            reps=list(reps or []),
            statuses=list(statuses or []),
        )

    # ------------------------------------------------------------ location

    def may_see(self, user: User, location_id: str | None) -> bool:
        """True when ``location_id`` is one of the user's locations (the one scope rule, through
        :meth:`scope_locations`, a cached frame ordered by location: a binary search)."""
        if not location_id:
            return False
        return _rows_of(self.scope_locations(user), "location_id", location_id).height > 0

    def _location_rows(
        self, user: User, location_id: str | None, name: str, **params: Any
    ) -> pl.DataFrame:
        """The rows of one location from ``name`` read for every location (empty when the user
        may not see it, or it is unknown).

        Why every location and not the user's scope: the frame is then one per month and
        snapshot for all users, not one per scope. Fifty users are some forty scopes; on the
        2,000-location network a scope's query costs 15-22 ms of CPU, whatever its size,
        and every location's 26-70 ms: the second user of a month already comes out ahead.
        The scope is checked first, against the same rule as every other query.
        """
        every = self.frame(name, **_EVERY_LOCATION, **params)
        return _one_location(every, location_id if self.may_see(user, location_id) else None)

    def location(self, user: User, location_id: str) -> pl.DataFrame:
        """The location with its compliance per month (empty when unknown or out of scope)."""
        return self._location_rows(user, location_id, "dash_location")

    def location_styles(self, user: User, location_id: str, month: str) -> pl.DataFrame:
        """The classified styles at the location in the month (empty when out of scope)."""
        return self._location_rows(
            user, location_id, "dash_location_styles", month=months.parse(month)
        ).drop("location_id")

    def location_actions(self, user: User, location_id: str, month: str) -> pl.DataFrame:
        """The actions for the location's next visit (empty when out of scope)."""
        return self._location_rows(
            user, location_id, "dash_location_actions", month=months.parse(month)
        )

    def location_follow(self, user: User, location_id: str, month: str) -> pl.DataFrame:
        """The month before's action lines at the location, judged by the count of ``month``
        (empty when out of scope)."""
        return self._location_rows(
            user, location_id, "dash_location_follow", month=months.parse(month)
        ).drop("location_id")

    def rep_scorecard(self, user: User, month: str) -> pl.DataFrame:
        """Each rep's follow-through per month over the 12 months to ``month`` (admins: every
        rep; a rep: their own; distributors: nothing)."""
        return self.frame("dash_rep_scorecard", **user.params(), month=months.parse(month))

    def size_run(self, user: User, location_id: str, month: str, style: str) -> pl.DataFrame:
        """On hand per SKU of a style at the location (empty when out of scope)."""
        return self._location_rows(
            user, location_id, "dash_size_run", month=months.parse(month), style=str(style or "")
        ).drop("location_id")

    # ------------------------------------------------------------ styles

    def styles(self, user: User, month: str) -> pl.DataFrame:
        """Bestsellers and new styles with their coverage in the user's scope."""
        return self.frame("dash_styles", **user.params(), month=months.parse(month))

    def style_lacking(self, user: User, month: str, style: str) -> pl.DataFrame:
        """Counted locations in scope without the style in stock."""
        return self.frame(
            "dash_style_lacking", **user.params(), month=months.parse(month), style=str(style)
        )

    def style_regions(
        self, user: User, month: str, style: str, *, by: str = "region"
    ) -> pl.DataFrame:
        """The style's sales and stocking per area (``region`` or ``city``), in scope."""
        every = self.frame(
            "dash_style_regions",
            **user.params(),
            month=months.parse(month),
            by="city" if by == "city" else "region",
        )
        return _rows_of(every, "style", style).drop("style")

    def style_chances(self, user: User, month: str, style: str) -> pl.DataFrame:
        """Where the style was given a chance: counted stores per region, group and state;
        stores outside the user's scope folded into one anonymous area."""
        every = self.frame("dash_style_chances", **user.params(), month=months.parse(month))
        return _rows_of(every, "style", style).drop("style")

    def new_style_chances(self, user: User, month: str) -> pl.DataFrame:
        """Each new style's counted stores in scope: starving, not selling, selling."""
        return self.frame("dash_new_style_chances", **user.params(), month=months.parse(month))

    # ------------------------------------------------------------ upload, order plan

    def upload_history(self, user: User) -> pl.DataFrame:
        """Stock and sales loads the user may see, newest first."""
        return self.frame("dash_upload_history", **user.params(), username=user.username)

    def template_skus(self) -> pl.DataFrame:
        """A few real SKUs for the upload template."""
        return self.frame("dash_template_skus")

    def order_plan(self, user: User, month: str, *, regions: list[str]) -> pl.DataFrame:
        """The factory order plan (empty for anyone but an admin)."""
        return self.frame(
            "dash_order_plan",
            role=user.role,
            month=months.parse(month),
            regions=list(regions or []),
        )

    def order_plan_locations(self, user: User, month: str, *, regions: list[str]) -> pl.DataFrame:
        """The locations the month's order plan carried forward or left out, in the picked
        regions (empty for anyone but an admin)."""
        return self.frame(
            "order_plan_locations",
            role=user.role,
            month=months.parse(month),
            regions=list(regions or []),
        )


def _one_location(scoped: pl.DataFrame, location_id: str | None) -> pl.DataFrame:
    """The rows of one location from a query of every location in scope ordered by
    ``location_id`` (empty when the location is not there: unknown or out of scope).

    The location page's queries read every location once per month and snapshot (a cached
    frame shared by all users) instead of one query per location: a rep walking through stores
    then costs a binary search and a zero-copy slice per callback, not a DuckDB query of 10-20
    ms of CPU each.
    """
    return _rows_of(scoped, "location_id", location_id)


def _rows_of(frame: pl.DataFrame, column: str, value: str | None) -> pl.DataFrame:
    """The rows whose ``column`` is ``value`` in a frame ordered by that column (the Styles
    page's per-style charts slice one style out of the month's frame the same way)."""
    ids = frame[column]
    key = str(value or "")
    start = int(ids.search_sorted(key, side="left"))
    end = int(ids.search_sorted(key, side="right"))
    return frame.slice(start, end - start)
