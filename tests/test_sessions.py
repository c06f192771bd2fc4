"""Sessions end on the server, and sign-in throttling is per account and address, atomic
across threads and processes (issue 10, items 5 and 6)."""

from __future__ import annotations

import multiprocessing
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from assortment import users
from assortment.config import Settings
from assortment.sessions import AuthState
from dashboard.app import create_app
from dashboard.context import services
from tests.e2e.helpers import PASSWORDS, build_with_users, clone, login

COOKIE = "assortment_session"


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return build_with_users(tmp_path_factory.mktemp("sessions"))


@pytest.fixture
def net(base, tmp_path):
    return clone(base, tmp_path)


@pytest.fixture
def app(net, monkeypatch):
    monkeypatch.delenv("ASSORTMENT_SECRET_KEY", raising=False)
    return create_app(net.settings)


def _with_cookie(app, value: str):
    """A fresh browser that holds only a copy of someone's session cookie."""
    thief = app.server.test_client()
    thief.set_cookie(COOKIE, value)
    return thief


# ---------------------------------------------------------------- sessions end on the server


def test_a_copied_cookie_stops_working_after_sign_out(app):
    client = app.server.test_client()
    login(client, "admin")
    copied = client.get_cookie(COOKIE).value
    r = _with_cookie(app, copied).get("/")
    assert r.status_code == 200  # the copy works while signed in, and is not renewed
    assert not [c for c in r.headers.getlist("Set-Cookie") if c.startswith(f"{COOKIE}=")]
    client.post("/logout", data={"csrf_token": client.get_cookie("_csrf_token").value})
    thief = _with_cookie(app, copied)
    r = thief.get("/")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")
    assert thief.post("/_dash-update-component", json={}).status_code == 401
    # and the server does not renew it: the answer drops the cookie instead of refreshing it
    renewed = [c for c in r.headers.getlist("Set-Cookie") if c.startswith(f"{COOKIE}=")]
    assert all(c.startswith(f"{COOKIE}=;") for c in renewed)
    assert _with_cookie(app, copied).get("/").status_code == 302  # still dead the next time


def test_password_change_and_removal_end_sessions_at_once(app, net):
    rep, dist = app.server.test_client(), app.server.test_client()
    login(rep, "rep")
    login(dist, "dist1")
    other = app.server.test_client()
    login(other, "dist2")
    users.set_password(net.settings, "dist1", "a-brand-new-password")
    users.remove_user(net.settings, "rep")
    assert dist.get("/").status_code == 302
    assert rep.get("/").status_code == 302
    assert other.get("/").status_code == 200  # nobody else is signed out
    # the server reads users from the published snapshot, which it re-checks at most every
    # 0.5 s; look now, as it would half a second after the CLI changed the password
    with app.server.app_context():
        services().data.refresh()
    assert login(dist, "dist1", "a-brand-new-password").status_code == 302
    assert dist.get("/").status_code == 200


def test_sessions_are_shared_by_two_apps_over_one_folder(net):
    """Two server processes (here two apps) see each other's sign-outs."""
    a, b = create_app(net.settings), create_app(net.settings)
    client = a.server.test_client()
    login(client, "admin")
    copied = client.get_cookie(COOKIE).value
    assert _with_cookie(b, copied).get("/").status_code == 200
    client.post("/logout", data={"csrf_token": client.get_cookie("_csrf_token").value})
    assert _with_cookie(b, copied).get("/").status_code == 302


def test_sessions_expire(tmp_path):
    state = AuthState(Settings(db_path=tmp_path / "x.duckdb"), session_hours=-1)
    token = state.open_session("ann")
    assert state.session_user(token) is None
    fresh = AuthState(Settings(db_path=tmp_path / "x.duckdb"))
    token = fresh.open_session("ann")
    assert fresh.session_user(token) == "ann"
    assert fresh.session_user(token + "x") is None and fresh.session_user(None) is None


# ---------------------------------------------------------------- throttling


def _guess(app, username: str, password: str) -> int:
    return login(app.server.test_client(), username, password).status_code


def test_fifty_parallel_guesses_get_at_most_the_limit_of_checks(app):
    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(pool.map(lambda _: _guess(app, "admin", "wrong-guess"), range(50)))
    # 10 checked and wrong, 40 refused before any check
    assert sorted(Counter(codes).items()) == [(401, 10), (429, 40)]
    # the right password is refused too while the account is locked
    assert _guess(app, "admin", PASSWORDS["admin"]) == 429


def test_one_accounts_lock_out_does_not_block_another_account(app):
    """Behind a reverse proxy every client has the same address."""
    for _ in range(12):
        _guess(app, "admin", "wrong-guess")
    assert _guess(app, "admin", PASSWORDS["admin"]) == 429
    assert _guess(app, "dist1", PASSWORDS["dist1"]) == 302
    assert _guess(app, "rep", PASSWORDS["rep"]) == 302


def test_an_address_spraying_many_accounts_is_throttled(tmp_path):
    state = AuthState(Settings(db_path=tmp_path / "x.duckdb"), account_limit=3, address_limit=5)
    got = [state.attempt(f"user{i}", "10.0.0.9") for i in range(8)]
    assert sum(t is not None for t in got) == 5
    assert state.attempt("user0", "10.0.0.10") is not None  # another address is not blocked


def test_a_right_password_does_not_count_as_a_failure(tmp_path):
    state = AuthState(Settings(db_path=tmp_path / "x.duckdb"), account_limit=2)
    for _ in range(5):
        ticket = state.attempt("ann", "1.2.3.4")
        assert ticket is not None
        state.succeeded(ticket)
    assert state.attempt("ann", "1.2.3.4") is not None
    assert state.attempt("ann", "1.2.3.4") is not None
    assert state.attempt("ann", "1.2.3.4") is None


def _guess_in_a_process(db_path: str, n: int, barrier) -> list[int]:
    """One server process: its own app over the shared folder, n parallel wrong guesses."""
    app = create_app(Settings(db_path=Path(db_path)))
    barrier.wait()
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda _: _guess(app, "admin", "wrong-guess"), range(n)))


@pytest.mark.slow
def test_the_limit_holds_across_two_server_processes(net):
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Manager().Barrier(2)
    with ctx.Pool(2) as pool:
        runs = [
            pool.apply_async(_guess_in_a_process, (str(net.settings.db_path), 25, barrier))
            for _ in range(2)
        ]
        codes = [c for r in runs for c in r.get(timeout=300)]
    assert sorted(Counter(codes).items()) == [(401, 10), (429, 40)]


def test_the_throttled_page_says_so_in_words(app):
    for _ in range(10):
        _guess(app, "nobody", "x-wrong-password")
    client = app.server.test_client()
    r = login(client, "nobody", "x-wrong-password")
    assert r.status_code == 429
    assert re.search(r"Too many failed sign-ins", r.get_data(as_text=True))


def test_a_stray_request_before_sign_in_keeps_the_forms_token(app):
    """A request from an old page between showing the form and posting it must not drop the
    form's CSRF token (only an ended session's cookie is dropped)."""
    client = app.server.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    assert client.post("/_dash-update-component", json={}).status_code == 401
    r = client.post(
        "/login",
        data={"username": "admin", "password": PASSWORDS["admin"], "csrf_token": token[1]},
    )
    assert r.status_code == 302
