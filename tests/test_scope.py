"""Scope is one rule in one place: the scoped_locations macro (sql/005_scope.sql), used by every
dashboard query, page, download and upload; no query or module repeats the rule."""

from __future__ import annotations

import inspect
import re

import duckdb
import pytest

from assortment import store, users
from assortment.users import User
from dashboard.data import Data
from tests.e2e.helpers import build_with_users

QUERIES = sorted((store.SQL_DIR / "queries").glob("*.sql"))
# tables with one row per location (or naming locations): reading them needs the scope
LOCATION_TABLES = re.compile(
    r"\b(from|join)\s+(locations|compliance|style_health|actions|stock|sales|stock_summary|load_log)\b"
)
# dashboard queries that read no location's data (the catalogue, months, users, the
# region-level order plan that only admins may open)
UNSCOPED_DASH = {
    "dash_months",
    "dash_style_list",
    "dash_template_skus",
    "dash_users",
    "dash_order_plan",
}
RULE_PIECES = (
    "l.rep = $scope",
    "$role = 'rep'",
    "$role = 'distributor'",
    "distributor_id = $scope",
)


def test_no_query_repeats_the_scope_rule():
    for path in QUERIES:
        text = path.read_text("utf-8")
        for piece in RULE_PIECES:
            assert piece not in text, f"{path.name} repeats the scope rule ({piece!r})"
        uses = text.count("$scope")
        assert uses == text.count("scoped_locations($role, $scope)"), (
            f"{path.name} uses $scope outside scoped_locations()"
        )


def test_every_dashboard_query_of_location_data_goes_through_the_macro():
    for path in QUERIES:
        if not path.name.startswith("dash_") or path.stem in UNSCOPED_DASH:
            continue
        text = path.read_text("utf-8")
        assert "scoped_locations($role, $scope)" in text, f"{path.name} is not scoped"
    for name in UNSCOPED_DASH - {"dash_order_plan"}:
        text = (store.SQL_DIR / "queries" / f"{name}.sql").read_text("utf-8")
        assert not LOCATION_TABLES.search(text), f"{name} reads location data without scope"


def test_every_data_method_that_takes_a_user_binds_its_scope():
    """Each Data method with a user runs a dash_* query with the user's role and scope, or
    (the location page's frames, read for every location and shared) slices one location out
    only after ``may_see`` checked it against the user's scope."""
    methods = [
        (name, inspect.getsource(fn))
        for name, fn in inspect.getmembers(Data, inspect.isfunction)
        if "user" in inspect.signature(fn).parameters
    ]
    assert len(methods) >= 12
    for name, body in methods:
        assert (
            "user.params()" in body
            or "role=user.role" in body
            or re.search(r"self\._location_rows\(\s*user, location_id", body)
            or "self.may_see(user, location_id)" in body
            or (name == "may_see" and "self.scope_locations(user)" in body)
        ), f"Data.{name} ignores scope"
    rows = inspect.getsource(Data._location_rows)
    assert "self.may_see(user, location_id)" in rows


def test_the_rule_is_written_once_in_python_too():
    import dashboard.uploads

    assert not hasattr(User, "may_see")
    text = inspect.getsource(dashboard.uploads)
    assert "distributor_id = ?" not in text and "rep = ?" not in text


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    return build_with_users(tmp_path_factory.mktemp("scope-rule"))


def test_the_macro_on_a_tiny_network(tmp_path):
    """A reader can check by hand: D1 supplies S1 and S2; rep Ann has D1 and S1, Bo has S2."""
    con = duckdb.connect(str(tmp_path / "t.duckdb"))
    con.execute(
        "create table locations as select * from (values"
        " ('D1', null, 'Ann'), ('S1', 'D1', 'Ann'), ('S2', 'D1', 'Bo'), ('D2', null, 'Bo'))"
        " t(location_id, distributor_id, rep)"
    )
    con.execute((store.SQL_DIR / "005_scope.sql").read_text("utf-8"))

    def seen(role: str, scope: str) -> list[str]:
        rows = con.sql(
            "select location_id from scoped_locations($role, $scope) order by 1",
            params={"role": role, "scope": scope},
        ).fetchall()
        return [r[0] for r in rows]

    assert seen("admin", "") == ["D1", "D2", "S1", "S2"]
    assert seen("rep", "Ann") == ["D1", "S1"]
    assert seen("rep", "Bo") == ["D2", "S2"]
    assert seen("distributor", "D1") == ["D1", "S1", "S2"]
    assert seen("distributor", "S1") == ["S1"]  # a store id is no distributor's group
    assert seen("rep", "") == [] and seen("boss", "D1") == []


def test_every_scoped_read_returns_only_the_users_locations(net):
    data = Data(net.settings)
    month = net.latest
    style = net.styles[0]
    for username in ("rep", "dist1"):
        row = next(u for u in users.list_users(net.settings) if u["username"] == username)
        user = User(username=username, role=row["role"], scope=row["scope"])
        allowed = set(data.scope_locations(user)["location_id"])
        everyone = set(net.locations["location_id"])
        assert allowed and allowed < everyone
        frames = {
            "overview": data.overview(user, month, regions=[], groups=[], reps=[], statuses=[]),
            "style_lacking": data.style_lacking(user, month, style),
        }
        for name, frame in frames.items():
            assert set(frame["location_id"]) <= allowed, name
        outside = sorted(everyone - allowed)[0]
        assert data.location(user, outside).is_empty()
        assert data.location_styles(user, outside, month).is_empty()
        assert data.location_actions(user, outside, month).is_empty()
        assert data.size_run(user, outside, month, style).is_empty()


def test_pages_read_only_through_the_scoped_reader():
    """Pages and components never query the store themselves: they call Data's scoped methods."""
    root = store.SQL_DIR.parent / "dashboard"
    for path in [*root.glob("pages/*.py"), *root.glob("components/*.py"), root / "app.py"]:
        text = path.read_text("utf-8")
        for call in ("store.query(", ".cursor(", ".frame(", "store.reader("):
            assert call not in text, f"{path.name} reads the store directly ({call})"
