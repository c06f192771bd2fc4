"""Users in the database, sign-in, sessions, CSRF, size limits and the secret key (the web
edge; revocation and throttling across processes are in test_sessions.py)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from assortment import users
from assortment.config import Settings
from assortment.errors import UsageError
from dashboard import security
from dashboard.app import create_app
from tests.e2e.helpers import (
    PASSWORDS,
    build_with_users,
    callback_body,
    clone,
    login,
    post_callback,
)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return build_with_users(tmp_path_factory.mktemp("auth"))


@pytest.fixture
def net(base, tmp_path):
    return clone(base, tmp_path)


@pytest.fixture
def client(net, monkeypatch):
    monkeypatch.delenv("ASSORTMENT_SECRET_KEY", raising=False)
    return create_app(net.settings).server.test_client()


# ---------------------------------------------------------------- passwords and users


def test_hash_is_salted_scrypt_and_verifies():
    a, b = users.hash_password("correct horse"), users.hash_password("correct horse")
    assert a != b and a.startswith("scrypt$")
    assert users.verify_password("correct horse", a)
    assert not users.verify_password("wrong horse", a)
    assert not users.verify_password("anything", None)
    assert not users.verify_password("anything", "md5$junk")


def test_add_list_set_password_remove(net):
    s = net.settings
    users.add_user(
        s, "zoe", "a-long-password", role="rep", scope=net.reps["D02"], display_name="Zoe"
    )
    listed = {u["username"]: u for u in users.list_users(s)}
    assert listed["zoe"] == {
        "username": "zoe",
        "role": "rep",
        "scope": net.reps["D02"],
        "display_name": "Zoe",
    }
    assert set(listed["zoe"]) == {"username", "role", "scope", "display_name"}
    users.set_password(s, "zoe", "another-password")
    users.remove_user(s, "zoe")
    assert "zoe" not in {u["username"] for u in users.list_users(s)}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"role": "boss", "scope": None}, "unknown role 'boss'"),
        ({"role": "rep", "scope": None}, "needs --scope"),
        ({"role": "rep", "scope": "Nobody"}, "no location has rep 'Nobody'"),
        ({"role": "distributor", "scope": "D01-S001"}, "not a known distributor"),
    ],
)
def test_bad_roles_and_scopes_are_usage_errors(net, kwargs, message):
    with pytest.raises(UsageError, match=message):
        users.add_user(net.settings, "x1", "a-long-password", display_name=None, **kwargs)


def test_duplicate_unknown_user_and_short_password(net):
    with pytest.raises(UsageError, match="already exists"):
        users.add_user(
            net.settings, "admin", "a-long-password", role="admin", scope=None, display_name=None
        )
    with pytest.raises(UsageError, match="no user 'ghost'"):
        users.remove_user(net.settings, "ghost")
    with pytest.raises(UsageError, match="no user 'ghost'"):
        users.set_password(net.settings, "ghost", "a-long-password")
    with pytest.raises(UsageError, match="at least 8"):
        users.add_user(net.settings, "shorty", "short", role="admin", scope=None, display_name=None)
    with pytest.raises(UsageError, match="bad username"):
        users.add_user(
            net.settings,
            "no spaces",
            "a-long-password",
            role="admin",
            scope=None,
            display_name=None,
        )


def test_demo_users_use_a_real_rep_and_distributor(net, monkeypatch):
    monkeypatch.delenv("ASSORTMENT_PORT", raising=False)
    lines = users.demo_users(net.settings)
    assert lines[0].split() == ["url", "user", "password", "role", "scope"]
    rows = [line.split() for line in lines[1:]]
    assert rows[0] == ["http://127.0.0.1:8050", "admin", "admin-demo", "admin", "-"]
    roles = {r[3]: r for r in rows}
    assert roles["rep"][4] in net.reps.values()
    assert roles["distributor"][4] in net.distributors
    # running it again overwrites, it does not fail
    assert users.demo_users(net.settings) == lines


# ---------------------------------------------------------------- sign-in and sessions


def test_pages_redirect_to_sign_in_and_callbacks_get_401(client):
    r = client.get("/styles")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login?next=/styles")
    r = client.post("/_dash-update-component", json={})
    assert r.status_code == 401 and "sign in" in r.get_json()["message"].lower()
    assert client.get("/_dash-layout").status_code == 401


def test_sign_in_sets_safe_cookies(client):
    r = login(client, "admin")
    assert r.status_code == 302 and r.headers["Location"] == "/"
    cookies = r.headers.getlist("Set-Cookie")
    session = next(c for c in cookies if c.startswith("assortment_session="))
    assert "HttpOnly" in session and "SameSite=Lax" in session
    r = client.get("/")
    assert r.status_code == 200
    csrf = next(
        c for c in r.headers.getlist("Set-Cookie") + cookies if c.startswith("_csrf_token=")
    )
    assert "SameSite=Lax" in csrf and "HttpOnly" not in csrf  # dash-renderer must read it
    assert r.headers["X-Frame-Options"] == "DENY"


def test_wrong_password_and_throttling(client):
    r = login(client, "admin", "not-the-password")
    assert r.status_code == 401 and "Wrong username or password" in r.get_data(as_text=True)
    for _ in range(12):
        r = login(client, "nobody", "nothing-at-all")
    assert r.status_code == 429 and "Too many failed sign-ins" in r.get_data(as_text=True)


def test_sign_in_form_needs_its_csrf_token(client):
    client.get("/login")
    r = client.post(
        "/login", data={"username": "admin", "password": PASSWORDS["admin"], "csrf_token": "forged"}
    )
    assert r.status_code == 400 and "expired" in r.get_data(as_text=True)


def test_next_never_leaves_the_site(client):
    page = client.get("/login?next=https://evil.example/x").get_data(as_text=True)
    assert 'name="next" value="/"' in page
    assert security._safe_next("//evil.example") == "/"
    assert security._safe_next("/location/D01?month=2026-10") == "/location/D01?month=2026-10"


def test_callbacks_need_the_csrf_header(client, net):
    login(client, "admin")
    client.get("/")
    body = callback_body(
        [("overview-trend", "figure")],
        [
            ("overview-region", "value", []),
            ("overview-distributor", "value", []),
            ("overview-rep", "value", []),
            ("overview-status", "value", []),
        ],
    )
    assert post_callback(client, body, csrf=False).status_code == 403
    r = client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": "forged"})
    assert r.status_code == 403
    assert post_callback(client, body).status_code == 200


def test_sign_out_needs_csrf_and_ends_the_session(client):
    login(client, "admin")
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    token = client.get_cookie("_csrf_token").value
    r = client.post("/logout", data={"csrf_token": token})
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert client.get("/").status_code == 302


def test_new_password_ends_old_sessions(client, net):
    login(client, "dist1")
    assert client.get("/").status_code == 200
    users.set_password(net.settings, "dist1", "a-brand-new-password")
    assert client.get("/").status_code == 302  # at once: the session was ended on the server


def test_removed_user_is_signed_out(client, net):
    login(client, "rep")
    users.remove_user(net.settings, "rep")
    assert client.get("/").status_code == 302  # at once, not at the next snapshot


def test_too_large_requests_get_words_not_a_crash(net, monkeypatch):
    monkeypatch.setenv("ASSORTMENT_MAX_UPLOAD_MB", "1")
    client = create_app(net.settings).server.test_client()
    login(client, "admin")
    client.get("/")
    big = {
        "output": "x.y",
        "outputs": {"id": "x", "property": "y"},
        "inputs": [{"id": "x", "property": "y", "value": "a" * 3_000_000}],
    }
    r = post_callback(client, big)
    assert r.status_code == 413
    assert "too large" in r.get_json()["message"] and "1 MB" in r.get_json()["message"]


def test_language_switch_sets_a_cookie_and_comes_back(client):
    login(client, "admin")
    r = client.get("/lang/zh", headers={"Referer": "http://localhost/styles"})
    assert r.status_code == 302 and r.headers["Location"] == "/styles"
    assert any(c.startswith("lang=zh") for c in r.headers.getlist("Set-Cookie"))
    layout = json.dumps(client.get("/_dash-layout").get_json(), ensure_ascii=False)
    assert "总览" in layout and "退出" in layout
    assert client.get("/lang/en?next=https://evil.example").headers["Location"] == "/"


def test_sign_in_page_follows_the_browser_language(client):
    page = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(
        as_text=True
    )
    assert "登录" in page and 'lang="zh-CN"' in page


def test_secret_key_from_env_or_a_private_file(tmp_path, monkeypatch):
    s = Settings(db_path=tmp_path / "d" / "x.duckdb")
    monkeypatch.setenv("ASSORTMENT_SECRET_KEY", "from-env")
    assert security.secret_key(s) == b"from-env"
    monkeypatch.delenv("ASSORTMENT_SECRET_KEY")
    first = security.secret_key(s)
    path = Path(s.data_dir) / "secret_key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert len(first) == 64 and security.secret_key(s) == first


def test_two_apps_in_one_process_both_work(net):
    a = create_app(net.settings)
    b = create_app(net.settings)
    for app in (a, b):
        c = app.server.test_client()
        login(c, "admin")
        deps = c.get("/_dash-dependencies").get_json()
        outputs = [d["output"] for d in deps]
        assert len(outputs) == len(set(outputs))
        assert any("overview-kpis" in o for o in outputs)
