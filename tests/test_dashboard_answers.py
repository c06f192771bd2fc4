"""Answers of read-only callbacks are kept per snapshot, role, scope and language: a repeated
request is answered from memory, and a new snapshot (an upload in another worker) is seen at once."""

from __future__ import annotations

import json

import pytest

from dashboard import answers, figures, ids
from dashboard.app import create_app
from tests.e2e.helpers import build_with_users, callback_body, clone, login, post_callback
from tests.e2e.network import TODAY
from tests.test_dashboard_uploads import check_body, confirm_body, full_count, stock_csv


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return build_with_users(tmp_path_factory.mktemp("answers"))


@pytest.fixture
def net(base, tmp_path):
    return clone(base, tmp_path)


def signed_in(app, user: str, lang: str = "en"):
    client = app.server.test_client()
    assert login(client, user).status_code == 302
    client.get(f"/lang/{lang}")
    return client


def styles_body(location_id: str, month: str) -> dict:
    """The location page's style list, as dash-renderer asks for it."""
    return callback_body(
        [
            (ids.LOC_STYLES_GRID, "rowData"),
            (ids.LOC_SELL_THROUGH, "figure"),
            (ids.LOC_SIZE_STYLE, "options"),
            (ids.LOC_SIZE_STYLE, "value"),
        ],
        [(ids.LOC_MONTH, "value", month)],
        [(ids.LOC_ID, "data", location_id), (ids.LOC_SIZE_STYLE, "value", None)],
    )


def on_hand(response) -> dict[str, int]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    rows = response.get_json()["response"][ids.LOC_STYLES_GRID]["rowData"]
    return {r["style"]: int(r["on_hand"]) for r in rows}


@pytest.fixture
def built(monkeypatch):
    """How many times the style list was built (the callback really ran)."""
    calls: list[int] = []
    real = figures.style_rows

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(figures, "style_rows", counting)
    return calls


def test_a_repeated_request_is_answered_from_memory_for_anyone_with_the_same_scope(
    base, built
) -> None:
    app = create_app(base.settings)
    store_id = base.stores["D01"][0]
    one, two = signed_in(app, "admin"), signed_in(app, "admin")
    first = post_callback(one, styles_body(store_id, base.latest))
    again = post_callback(two, styles_body(store_id, base.latest))  # another session
    assert first.get_data() == again.get_data() and on_hand(first)
    assert len(built) == 1
    cache = app.server.extensions[answers.EXTENSION]
    assert cache.hits == 1 and len(cache) == 1
    # another month is another question
    post_callback(one, styles_body(store_id, base.months[-2]))
    assert len(built) == 2


def test_another_scope_or_language_never_gets_an_answer_kept_for_someone_else(base, built) -> None:
    app = create_app(base.settings)
    theirs = base.stores["D01"][0]
    admin = on_hand(post_callback(signed_in(app, "admin"), styles_body(theirs, base.latest)))
    assert admin
    # distributor two may not see D01's store: the admin's kept answer must not reach it
    assert on_hand(post_callback(signed_in(app, "dist2"), styles_body(theirs, base.latest))) == {}
    zh = post_callback(signed_in(app, "admin", "zh"), styles_body(theirs, base.latest))
    assert on_hand(zh) == admin and len(built) == 3


def test_an_upload_through_another_worker_changes_the_answer_at_once(
    net, monkeypatch, built
) -> None:
    """Two apps over one data folder are two server workers: the reader's kept answer must
    give way to the uploaded count on the very next request (no stale read)."""
    monkeypatch.setenv("ASSORTMENT_TODAY", TODAY.isoformat())
    store_id = net.stores["D01"][-1]
    reader = signed_in(create_app(net.settings), "dist1")
    before = on_hand(post_callback(reader, styles_body(store_id, net.latest)))
    assert before == on_hand(post_callback(reader, styles_body(store_id, net.latest)))
    assert len(built) == 1 and set(before.values()) != {2}

    writer = signed_in(create_app(net.settings), "dist1")
    checked = post_callback(writer, check_body("recount.csv", stock_csv(full_count(net, store_id))))
    token = checked.get_json()["response"][ids.UP_TOKEN]["data"]
    assert "loaded" in confirm_body(writer, token, [])

    after = on_hand(post_callback(reader, styles_body(store_id, net.latest)))
    assert after != before and {v for v in after.values() if v} == {2}  # the recount
    assert len(built) == 2


def test_an_answer_with_an_error_in_it_is_not_kept(base, monkeypatch) -> None:
    app = create_app(base.settings)
    client = signed_in(app, "admin")
    real = figures.style_rows
    failures = [RuntimeError("once")]

    def flaky(*args, **kwargs):
        if failures:
            raise failures.pop()
        return real(*args, **kwargs)

    monkeypatch.setattr(figures, "style_rows", flaky)
    body = styles_body(base.stores["D01"][0], base.latest)
    failed = post_callback(client, body)
    assert ids.TOAST_TEXT in json.dumps(failed.get_json())  # told in the toast
    ok = post_callback(client, body)
    assert ids.TOAST_TEXT not in json.dumps(ok.get_json()) and on_hand(ok)


def test_page_layouts_are_kept_but_not_an_unmarked_one(base) -> None:
    app = create_app(base.settings)
    cache = app.server.extensions[answers.EXTENSION]
    page = callback_body(
        [("_pages_content", "children"), ("_pages_store", "data")],
        [("_pages_location", "pathname", "/"), ("_pages_location", "search", "")],
    )
    one, two = signed_in(app, "admin"), signed_in(app, "admin")
    assert post_callback(one, page).get_data() == post_callback(two, page).get_data()
    assert cache.hits == 1

    # the upload page is not marked (its callbacks name the user): asked twice, run twice
    page["inputs"][0]["value"] = "/upload"
    assert post_callback(one, page).status_code == 200
    assert post_callback(two, page).status_code == 200
    assert cache.hits == 1 and len(cache) == 1


def test_kept_answers_stay_within_their_bytes_and_a_new_snapshot_drops_them() -> None:
    cache = answers.AnswerCache(max_bytes=100)
    cache.put("v1", ("a",), b"x" * 20)
    cache.put("v1", ("b",), b"y" * 20)
    assert cache.get("v1", ("a",)) == b"x" * 20  # a is now the most recently used
    for key in "cdef":
        cache.put("v1", (key,), b"z" * 20)
    assert cache.get("v1", ("b",)) is None and cache.get("v1", ("a",)) is not None
    cache.put("v1", ("big",), b"w" * 26)  # over a quarter of the allowance: not kept
    assert cache.get("v1", ("big",)) is None
    assert cache.get("v2", ("a",)) is None and len(cache) == 0


def test_the_cache_can_be_turned_off(base, monkeypatch, built) -> None:
    monkeypatch.setenv("ASSORTMENT_ANSWER_CACHE_MB", "0")
    app = create_app(base.settings)
    assert answers.EXTENSION not in app.server.extensions
    client = signed_in(app, "admin")
    body = styles_body(base.stores["D01"][0], base.latest)
    assert on_hand(post_callback(client, body)) == on_hand(post_callback(client, body))
    assert len(built) == 2
