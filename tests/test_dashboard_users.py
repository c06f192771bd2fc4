"""The users page's callbacks: admins add, remove and re-password users through assortment.users;
anyone else posting the same callbacks gets nothing and changes nothing."""

from __future__ import annotations

import json

import pytest

from assortment import users
from dashboard import ids
from dashboard.app import create_app
from tests.e2e.helpers import build_with_users, callback_body, login, post_callback


@pytest.fixture(scope="module")
def net(tmp_path_factory):
    return build_with_users(tmp_path_factory.mktemp("users"))


@pytest.fixture(scope="module")
def app(net):
    return create_app(net.settings)


def client_for(app, user, password=None):
    c = app.server.test_client()
    assert login(c, user, password).status_code == 302
    c.get("/")
    return c


def text_of(r) -> str:
    return json.dumps(r.get_json(), ensure_ascii=False) if r.status_code == 200 else ""


def usernames(net) -> list[str]:
    return [u["username"] for u in users.list_users(net.settings)]


def list_body():
    return callback_body(
        [(ids.US_GRID, "rowData"), (ids.US_PICK, "options")],
        [(ids.US_ADD_DONE, "data", 0), (ids.US_REMOVE_DONE, "data", 0)],
    )


def scope_body(role):
    return callback_body(
        [(ids.US_SCOPE, "options"), (ids.US_SCOPE, "value"), (ids.US_SCOPE, "disabled")],
        [(ids.US_ROLE, "value", role)],
    )


def add_body(username, role, scope, password, display_name="New one"):
    return callback_body(
        [(ids.US_ADD_MSG, "children"), (ids.US_ADD_DONE, "data"), (ids.US_PASSWORD, "value")],
        [(ids.US_ADD_BTN, "n_clicks", 1)],
        [
            (ids.US_USERNAME, "value", username),
            (ids.US_ROLE, "value", role),
            (ids.US_SCOPE, "value", scope),
            (ids.US_DISPLAY, "value", display_name),
            (ids.US_PASSWORD, "value", password),
        ],
    )


def remove_body(username):
    return callback_body(
        [(ids.US_REMOVE_MSG, "children"), (ids.US_REMOVE_DONE, "data"), (ids.US_PICK, "value")],
        [(ids.US_REMOVE, "submit_n_clicks", 1)],
        [(ids.US_PICK, "value", username)],
    )


def password_body(username, password):
    return callback_body(
        [(ids.US_PW_MSG, "children"), (ids.US_NEW_PASSWORD, "value")],
        [(ids.US_PW_BTN, "n_clicks", 1)],
        [(ids.US_PICK, "value", username), (ids.US_NEW_PASSWORD, "value", password)],
    )


def test_admin_lists_users_without_password_hashes(app, net):
    r = post_callback(client_for(app, "admin"), list_body())
    rows = r.get_json()["response"][ids.US_GRID]["rowData"]
    assert [row["username"] for row in rows] == ["admin", "dist1", "dist2", "rep"]
    assert "scrypt$" not in r.get_data(as_text=True)
    assert {row["scope"] for row in rows if row["role"] == "distributor"} == set(
        net.distributors[:2]
    )


def test_scope_choices_follow_the_role(app, net):
    c = client_for(app, "admin")
    reps = post_callback(c, scope_body("rep")).get_json()["response"][ids.US_SCOPE]["options"]
    assert {o["value"] for o in reps} == set(net.generated.locations["rep"])
    dists = post_callback(c, scope_body("distributor")).get_json()["response"][ids.US_SCOPE]
    assert [o["value"] for o in dists["options"]] == sorted(net.distributors)
    admin = post_callback(c, scope_body("admin")).get_json()["response"][ids.US_SCOPE]
    assert admin == {"options": [], "value": None, "disabled": True}


def test_admin_adds_sets_a_password_and_removes_a_user(app, net):
    c = client_for(app, "admin")
    rep_name = net.reps[net.distributors[1]]
    r = post_callback(c, add_body("newrep", "rep", rep_name, "first-pass-1"))
    assert "User newrep added" in text_of(r)
    assert "newrep" in usernames(net)
    assert login(app.server.test_client(), "newrep", "first-pass-1").status_code == 302

    r = post_callback(c, password_body("newrep", "second-pass-2"))
    assert "New password set for newrep" in text_of(r)
    assert login(app.server.test_client(), "newrep", "first-pass-1").status_code == 401
    assert login(app.server.test_client(), "newrep", "second-pass-2").status_code == 302

    r = post_callback(c, remove_body("newrep"))
    assert "User newrep removed" in text_of(r)
    assert "newrep" not in usernames(net)
    assert login(app.server.test_client(), "newrep", "second-pass-2").status_code == 401


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (add_body("bad name!", "admin", None, "long-enough-1"), "bad username 'bad name!'"),
        (add_body("shorty", "admin", None, "short"), "at least 8 characters"),
        (add_body("admin", "admin", None, "long-enough-1"), "user 'admin' already exists"),
        (add_body("norep", "rep", "Nobody", "long-enough-1"), "no location has rep 'Nobody'"),
        (add_body("nodist", "distributor", None, "long-enough-1"), "a distributor needs"),
        (remove_body("ghost"), "no user 'ghost'"),
        (remove_body("admin"), "cannot remove your own account"),
        (password_body("rep", "short"), "at least 8 characters"),
        (password_body(None, "long-enough-1"), "Choose a user first"),
    ],
)
def test_mistakes_come_back_in_words_and_change_nothing(app, net, body, words):
    before = users.list_users(net.settings)
    r = post_callback(client_for(app, "admin"), body)
    assert r.status_code == 200
    text = text_of(r)
    assert words in text
    assert "Traceback" not in text
    assert users.list_users(net.settings) == before


@pytest.mark.parametrize("who", ["rep", "dist1"])
def test_crafted_user_callbacks_from_non_admins_get_nothing_and_change_nothing(app, net, who):
    c = client_for(app, who)
    before = users.list_users(net.settings)
    rep_name = net.reps[net.distributors[0]]
    bodies = [
        list_body(),
        scope_body("rep"),
        add_body("intruder", "admin", None, "intruder-pass-1"),
        remove_body("admin"),
        password_body("admin", "taken-over-1"),
    ]
    for body in bodies:
        r = post_callback(c, body)
        assert r.status_code in (200, 204), r.get_data(as_text=True)[:300]
        text = text_of(r)
        assert "response" not in text or all(
            v in (None, {}) for v in r.get_json()["response"].values()
        ), text
        assert "dist2" not in text and rep_name not in text and "scrypt$" not in text
        assert "not available for your role" in text
    assert users.list_users(net.settings) == before
    assert login(app.server.test_client(), "admin", "taken-over-1").status_code == 401
    assert login(app.server.test_client(), "admin").status_code == 302


def test_the_page_and_its_link_are_for_admins_only(app):
    admin = client_for(app, "admin")
    layout = admin.get("/_dash-layout").get_data(as_text=True)
    link = '"page":"users"'
    assert link in layout
    for who in ("rep", "dist1"):
        c = client_for(app, who)
        assert link not in c.get("/_dash-layout").get_data(as_text=True)
