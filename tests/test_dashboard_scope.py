"""Scope is enforced on the server: crafted callbacks for someone else's data get nothing."""

from __future__ import annotations

import base64
import json

import polars as pl
import pytest

from dashboard import ids
from dashboard.app import create_app
from tests.e2e.helpers import build_with_users, callback_body, login, post_callback


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    return build_with_users(tmp_path_factory.mktemp("scope"))


@pytest.fixture(scope="module")
def app(net):
    return create_app(net.settings)


def client_for(app, user):
    c = app.server.test_client()
    assert login(c, user).status_code == 302
    c.get("/")
    return c


def response_text(r) -> str:
    assert r.status_code in (200, 204), r.get_data(as_text=True)[:500]
    return json.dumps(r.get_json(), ensure_ascii=False) if r.status_code == 200 else ""


def overview_body(month, **filters):
    return callback_body(
        [(ids.OV_KPIS, "children"), (ids.OV_STATUS_CHART, "figure"), (ids.OV_GRID, "rowData")],
        [
            (ids.OV_MONTH, "value", month),
            (ids.OV_REGION, "value", filters.get("regions", [])),
            (ids.OV_GROUP, "value", filters.get("groups", [])),
            (ids.OV_REP, "value", filters.get("reps", [])),
            (ids.OV_STATUS, "value", filters.get("statuses", [])),
            (ids.OV_BY, "value", "region"),
        ],
    )


def grid_rows(r, grid_id):
    return r.get_json()["response"][grid_id]["rowData"]


def test_overview_lists_only_the_users_locations(app, net):
    everyone = {loc for d in net.distributors for loc in [d, *net.stores[d]]}
    admin = grid_rows(
        post_callback(client_for(app, "admin"), overview_body(net.latest)), ids.OV_GRID
    )
    assert {r["location_id"] for r in admin} == everyone
    d1 = {net.distributors[0], *net.stores[net.distributors[0]]}
    dist = grid_rows(
        post_callback(client_for(app, "dist1"), overview_body(net.latest)), ids.OV_GRID
    )
    assert {r["location_id"] for r in dist} == d1
    rep = grid_rows(post_callback(client_for(app, "rep"), overview_body(net.latest)), ids.OV_GRID)
    assert {r["location_id"] for r in rep} == net.of_rep(net.reps["D01"])


def test_a_distributor_asking_for_another_distributors_region_still_gets_only_its_own(app, net):
    c = client_for(app, "dist1")
    body = overview_body(net.latest, groups=[net.distributors[1]])
    assert grid_rows(post_callback(c, body), ids.OV_GRID) == []


def test_filters_narrow_the_overview(app, net):
    c = client_for(app, "admin")
    rows = grid_rows(
        post_callback(c, overview_body(net.latest, statuses=["no_count"])), ids.OV_GRID
    )
    assert sorted(r["location_id"] for r in rows) == net.with_status("no_count") != []
    rows = grid_rows(post_callback(c, overview_body(net.latest, regions=["South"])), ids.OV_GRID)
    assert {r["region"] for r in rows} == {"South"}


def location_bodies(net, location_id):
    month = net.latest
    style = net.in_stock(location_id)["style"][0]
    state = [(ids.LOC_ID, "data", location_id)]
    return [
        callback_body(
            [(ids.LOC_SUMMARY, "children"), (ids.LOC_HISTORY, "figure")],
            [(ids.LOC_MONTH, "value", month)],
            state,
        ),
        callback_body(
            [
                (ids.LOC_STYLES_GRID, "rowData"),
                (ids.LOC_SELL_THROUGH, "figure"),
                (ids.LOC_SIZE_STYLE, "options"),
                (ids.LOC_SIZE_STYLE, "value"),
            ],
            [(ids.LOC_MONTH, "value", month)],
            [*state, (ids.LOC_SIZE_STYLE, "value", None)],
        ),
        callback_body(
            [
                (ids.LOC_VISIT, "children"),
                (ids.LOC_ACTIONS_NOTE, "children"),
                (ids.LOC_ACTIONS_BOX, "hidden"),
            ],
            [(ids.LOC_MONTH, "value", month)],
            state,
        ),
        callback_body(
            [(ids.LOC_SIZE_RUN, "figure")],
            [(ids.LOC_SIZE_STYLE, "value", style)],
            [(ids.LOC_MONTH, "value", month), *state],
        ),
    ]


def test_crafted_location_callbacks_for_another_distributor_get_nothing(app, net):
    theirs = net.stores[net.distributors[1]][0]  # D02-S001
    their_name = net.locations.filter(net.locations["location_id"] == theirs)["name"][0]
    c = client_for(app, "dist1")
    summary, styles, actions, size_run = (post_callback(c, b) for b in location_bodies(net, theirs))
    text = "".join(response_text(r) for r in (summary, styles, actions, size_run))
    assert their_name not in text
    assert "does not exist or is not in your area" in response_text(summary)
    assert styles.get_json()["response"][ids.LOC_STYLES_GRID]["rowData"] == []
    assert styles.get_json()["response"][ids.LOC_SIZE_STYLE]["options"] == []
    assert actions.get_json()["response"][ids.LOC_VISIT]["children"] is None
    heat = size_run.get_json()["response"][ids.LOC_SIZE_RUN]["figure"]["data"]
    assert heat == []  # an empty figure, no on-hand numbers


def test_the_same_requests_for_an_own_location_return_data(app, net):
    mine = net.stores[net.distributors[0]][0]
    c = client_for(app, "dist1")
    summary, styles, actions, size_run = (post_callback(c, b) for b in location_bodies(net, mine))
    assert "location-status" in response_text(summary)
    assert len(styles.get_json()["response"][ids.LOC_STYLES_GRID]["rowData"]) > 0
    assert "×" in response_text(actions)  # the visit list: sizes × units
    assert size_run.get_json()["response"][ids.LOC_SIZE_RUN]["figure"]["data"]


def test_downloads_are_scoped_too(app, net):
    theirs = net.stores[net.distributors[1]][0]
    c = client_for(app, "dist1")
    body = callback_body(
        [(ids.LOC_ACTIONS_DOWNLOAD, "data")],
        [(ids.LOC_ACTIONS_DOWNLOAD_BTN, "n_clicks", 1)],
        [(ids.LOC_MONTH, "value", net.latest), (ids.LOC_ID, "data", theirs)],
    )
    data = post_callback(c, body).get_json()["response"][ids.LOC_ACTIONS_DOWNLOAD]["data"]
    import io

    import polars as pl

    frame = pl.read_excel(io.BytesIO(base64.b64decode(data["content"])))
    assert frame.height == 0


def test_the_location_page_layout_refuses_other_scopes(app, net):
    c = client_for(app, "rep")
    body = callback_body(
        [("_pages_content", "children"), ("_pages_store", "data")],
        [
            ("_pages_location", "pathname", f"/location/{net.stores[net.distributors[1]][0]}"),
            ("_pages_location", "search", ""),
        ],
    )
    text = response_text(post_callback(c, body))
    assert "does not exist or is not in your area" in text


def test_order_plan_is_for_admins_only(app, net):
    body = callback_body(
        [
            (ids.OP_KPIS, "children"),
            (ids.OP_CHART, "figure"),
            (ids.OP_GRID, "rowData"),
            (ids.OP_LOCATIONS, "children"),
        ],
        [(ids.OP_MONTH, "value", net.latest), (ids.OP_REGION, "value", [])],
    )
    admin = post_callback(client_for(app, "admin"), body).get_json()["response"]
    assert len(admin[ids.OP_GRID]["rowData"]) > 0
    assert admin[ids.OP_LOCATIONS]["children"]  # the carried group's table, or "all counted"
    r = post_callback(client_for(app, "rep"), body)
    text = response_text(r)
    assert "rowData" not in text and "not available for your role" in text


def test_upload_checks_are_refused_to_reps(app, net):
    c = client_for(app, "rep")
    csv = b"month,location_id,sku,on_hand\n2026-10,D01-S001,B1001-BLK-75B,1\n"
    payload = {
        "name": "x.csv",
        "contents": "data:text/csv;base64," + base64.b64encode(csv).decode(),
    }
    body = callback_body(
        [
            (ids.UP_RESULT, "children"),
            (ids.UP_ERRORS_GRID, "rowData"),
            ("upload-errors-box", "hidden"),
            (ids.UP_CONFIRM, "disabled"),
            (ids.UP_CONFIRM, "children"),
            (ids.UP_TOKEN, "data"),
            (ids.UP_DONE, "children"),
            (ids.UP_DROP_BOX, "hidden"),
            (ids.UP_ACCEPT_DROP, "value"),
        ],
        [(ids.UP_FILE_DATA, "data", payload), (ids.UP_KIND, "value", "stock")],
    )
    text = response_text(post_callback(c, body))
    assert "not available for your role" in text and "upload-valid" not in text


def test_a_failing_callback_answers_in_words_not_a_traceback(app, net):
    c = client_for(app, "admin")
    r = post_callback(c, overview_body("October"))
    text = response_text(r)
    assert "month must be YYYY-MM" in text and "toast" in text
    assert "Traceback" not in text and "File \\" not in text


# ---------------------------------------------------------------- overview presentation


def _find(node, component_id):
    """The component with ``component_id`` in a serialised Dash layout, or None."""
    if isinstance(node, dict):
        if node.get("props", {}).get("id") == component_id:
            return node
        node = list(node.get("props", {}).values()) if "props" in node else list(node.values())
    if isinstance(node, list):
        for child in node:
            found = _find(child, component_id)
            if found is not None:
                return found
    return None


def overview_layout(app, user):
    body = callback_body(
        [("_pages_content", "children"), ("_pages_store", "data")],
        [("_pages_location", "pathname", "/"), ("_pages_location", "search", "")],
    )
    return post_callback(client_for(app, user), body).get_json()["response"]["_pages_content"]


def test_status_by_offers_only_choices_that_draw_more_than_one_bar(app, net):
    def choices(user):
        radio = _find(overview_layout(app, user), ids.OV_BY)["props"]
        hidden = (radio.get("style") or {}).get("display") == "none"
        return [o["value"] for o in radio["options"]], radio["value"], hidden

    assert choices("admin") == (["region", "rep", "group_name"], "region", False)
    # the rep's locations: one rep, one distributor group, one region -> no toggle at all
    options, value, hidden = choices("rep")
    assert "rep" not in options and hidden and value == "region"
    # a distributor: one group, one region; its stores may have two reps
    options, value, hidden = choices("dist1")
    group = net.locations.filter(pl.col("location_id").is_in(["D01", *net.stores["D01"]]))
    assert group["region"].n_unique() == 1 and "group_name" not in options and hidden
    assert value == ("rep" if group["rep"].n_unique() > 1 else "region")


def test_the_subtitle_counts_what_the_status_cards_count(app, net):
    text = json.dumps(overview_layout(app, "admin"), ensure_ascii=False)
    n_closed = len(net.generated.locations) - len(net.locations)
    assert n_closed > 0, "the test network has a closed store"
    assert f"The whole network: {len(net.status)} locations (and {n_closed} closed" in text
    kpis = post_callback(client_for(app, "admin"), overview_body(net.latest)).get_json()
    cards = json.dumps(kpis["response"][ids.OV_KPIS], ensure_ascii=False)
    assert f"of {len(net.status)} locations" in cards
