"""The upload workflow: check without storing, confirm, scope, re-classification, history."""

from __future__ import annotations

import base64
import json
import logging

import polars as pl
import pytest

from assortment import i18n, store
from assortment.errors import UsageError
from assortment.users import User
from dashboard import ids, uploads
from dashboard.app import create_app
from dashboard.data import Data
from tests.e2e.helpers import build_with_users, callback_body, clone, login, post_callback
from tests.e2e.network import TODAY


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return build_with_users(tmp_path_factory.mktemp("uploads"))


@pytest.fixture
def net(base, tmp_path):
    return clone(base, tmp_path)


DIST1 = User("dist1", "distributor", "D01")
ADMIN = User("admin", "admin")


def stock_csv(rows: list[tuple[str, str, str, int]]) -> bytes:
    lines = ["month,location_id,sku,on_hand"] + [f"{m},{loc},{sku},{q}" for m, loc, sku, q in rows]
    return ("\n".join(lines) + "\n").encode()


def full_count(net, location_id: str, month: str = "2026-10") -> list[tuple[str, str, str, int]]:
    """A corrected count for a location: one SKU of every style it holds, 2 units each.

    It keeps every style in stock, so the completeness guard (domain.md 3) lets it through.
    """
    held = net.in_stock(location_id).unique("style", keep="first", maintain_order=True)
    return [(month, location_id, sku, 2) for sku in held["sku"]]


@pytest.fixture(scope="module")
def files(base):
    """The stock files the tests upload, with codes from the generated network."""
    mine = base.stores["D01"][-1]
    sku, sku2 = base.in_stock(mine)["sku"][:2]
    good = full_count(base, mine)
    first = base.in_stock("D01-S001").unique("style", keep="first", maintain_order=True)
    return {
        "mine": mine,
        "sku": sku,
        "good_rows": len(good),
        "good": stock_csv(good),
        "bad": stock_csv(
            [
                ("2026-10", mine, sku, -1),
                ("2026-13", mine, sku2, 1),
                ("2026-10", "D01-S099", "NOPE", 1),
            ]
        ),
        # two of the styles D01-S001 holds: a short count the completeness guard holds
        "short": stock_csv([("2026-10", "D01-S001", k, 2) for k in first["sku"][:2]]),
        "short_before": first.height,
        "theirs": stock_csv([("2026-10", "D01-S001", sku, 1), ("2026-10", "D02-S001", sku, 1)]),
        "south": stock_csv(full_count(base, "D02-S001")),
    }


def stored_rows(settings, location_id: str, month: str = "2026-10-01") -> int:
    with store.reader(settings) as con:
        return con.execute(
            "select count(*) from stock join locations using (location_key)"
            " where location_id = ? and month = ?",
            [location_id, month],
        ).fetchone()[0]


def test_check_stores_nothing_and_reports_what_it_found(net, files):
    data = Data(net.settings)
    before = stored_rows(net.settings, files["mine"])
    found = uploads.check(data, DIST1, "stock", "good.csv", files["good"], today=TODAY)
    assert found.ok and found.result.n_rows == files["good_rows"]
    assert found.result.months == ["2026-10"] and found.result.locations == [files["mine"]]
    assert stored_rows(net.settings, files["mine"]) == before


def test_check_names_every_bad_row(net, files):
    found = uploads.check(Data(net.settings), DIST1, "stock", "bad.csv", files["bad"], today=TODAY)
    assert not found.ok
    where = {(e.row, e.column) for e in found.errors}
    assert {(2, "on_hand"), (3, "month"), (4, "location_id"), (4, "sku")} <= where
    frame = uploads.error_frame(found.errors)
    assert (
        frame.columns == ["row", "column", "value", "reason"] and frame.height == found.total_errors
    )


def test_a_distributor_may_not_load_another_distributors_rows(net, files):
    data = Data(net.settings)
    found = uploads.check(data, DIST1, "stock", "theirs.csv", files["theirs"], today=TODAY)
    assert not found.ok and found.out_of_scope == ["D02-S001"]
    # and the confirm step re-checks inside the writer, whatever the browser sends
    with pytest.raises(uploads.OutOfScopeError, match="D02-S001"):
        uploads.confirm(data, DIST1, found.token, today=TODAY)
    assert stored_rows(net.settings, "D01-S001") > 1  # untouched


def test_confirm_loads_logs_the_user_and_reclassifies_the_month(net, files):
    data = Data(net.settings)
    found = uploads.check(data, DIST1, "stock", "good.csv", files["good"], today=TODAY)
    assert found.drops == []  # it keeps every style the location had in stock
    loaded = uploads.confirm(data, DIST1, found.token, today=TODAY)
    assert loaded.result.result == "loaded" and loaded.result.n_rows == files["good_rows"]
    assert stored_rows(net.settings, files["mine"]) == files["good_rows"]
    assert loaded.classified == ["2026-10"] or "2026-10" in loaded.classify_errors
    with store.reader(net.settings) as con:
        who = con.execute(
            "select loaded_by, file_name from load_log order by load_id desc limit 1"
        ).fetchone()
    assert who == ("dist1", "good.csv")
    history = data.upload_history(DIST1)
    assert history["file_name"][0] == "good.csv" and history["result"][0] == "loaded"
    # the token is spent
    with pytest.raises(UsageError, match="no longer available"):
        uploads.confirm(data, DIST1, found.token, today=TODAY)


def test_a_token_belongs_to_its_user(net, files):
    data = Data(net.settings)
    found = uploads.check(data, DIST1, "stock", "good.csv", files["good"], today=TODAY)
    with pytest.raises(UsageError, match="no longer available"):
        uploads.unstash(net.settings, User("dist2", "distributor", "D02"), found.token)
    with pytest.raises(UsageError):
        uploads.unstash(net.settings, DIST1, "../../etc/passwd")


def test_history_of_a_distributor_hides_other_distributors_loads(net, files):
    data = Data(net.settings)
    theirs = uploads.check(
        data,
        User("dist2", "distributor", "D02"),
        "stock",
        "south.csv",
        files["south"],
        today=TODAY,
    )
    uploads.confirm(
        data, User("dist2", "distributor", "D02"), theirs.token, today=TODAY, accept_drop=True
    )
    mine = data.upload_history(DIST1)["file_name"].to_list()
    assert "south.csv" not in mine
    assert "south.csv" in data.upload_history(ADMIN)["file_name"].to_list()


def test_template_has_the_headers_and_real_codes(net):
    data = Data(net.settings)
    frame = uploads.template("sales", ["D01-S001"], data.template_skus(), "2026-10")
    assert frame.columns == ["month", "location_id", "sku", "units_sold", "amount"]
    assert (
        set(frame["sku"]) <= set(net.skus["sku"])
        and frame["location_id"].to_list()[0] == "D01-S001"
    )


def test_decode_contents():
    assert (
        uploads.decode_contents("data:text/csv;base64," + base64.b64encode(b"a,b").decode())
        == b"a,b"
    )
    with pytest.raises(UsageError):
        uploads.decode_contents("data:text/csv;base64,@@@")


# ---------------------------------------------------------------- through the callbacks


def check_body(name: str, raw: bytes, kind: str = "stock"):
    payload = {"name": name, "contents": "data:text/csv;base64," + base64.b64encode(raw).decode()}
    return callback_body(
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
        [(ids.UP_FILE_DATA, "data", payload), (ids.UP_KIND, "value", kind)],
    )


def confirm_body(client, token: str, ticked: list[str]) -> str:
    """Press Load on the upload page: the confirm callback's answer as text."""
    body = callback_body(
        [(ids.UP_DONE, "children"), (ids.UP_CONFIRM, "disabled")],
        [(ids.UP_CONFIRM, "n_clicks", 1)],
        [(ids.UP_TOKEN, "data", token), (ids.UP_ACCEPT_DROP, "value", ticked)],
    )
    body["output"] = [
        d["output"]
        for d in client.get("/_dash-dependencies").get_json()
        if d["output"].startswith("..upload-done.children@")
    ][0]
    return json.dumps(post_callback(client, body).get_json(), ensure_ascii=False)


def test_upload_callbacks_end_to_end_for_a_distributor(net, files, monkeypatch):
    monkeypatch.setenv("ASSORTMENT_TODAY", TODAY.isoformat())
    client = create_app(net.settings).server.test_client()
    login(client, "dist1")
    client.get("/")
    bad = post_callback(client, check_body("bad.csv", files["bad"])).get_json()["response"]
    assert bad[ids.UP_CONFIRM]["disabled"] is True and bad["upload-errors-box"]["hidden"] is False
    assert {r["row"] for r in bad[ids.UP_ERRORS_GRID]["rowData"]} == {2, 3, 4}
    theirs = post_callback(client, check_body("theirs.csv", files["theirs"])).get_json()["response"]
    assert (
        "D02-S001" in json.dumps(theirs[ids.UP_RESULT])
        and theirs[ids.UP_CONFIRM]["disabled"] is True
    )

    def confirm(token: str, ticked: list[str]) -> str:
        return confirm_body(client, token, ticked)

    # D01-S001 had many styles in stock: a count of 2 is held, the tick box shows, Load waits
    before = files["short_before"]
    short = post_callback(client, check_body("short.csv", files["short"])).get_json()["response"]
    assert short[ids.UP_DROP_BOX]["hidden"] is False and short[ids.UP_CONFIRM]["disabled"] is True
    shown = json.dumps(short[ids.UP_RESULT], ensure_ascii=False)
    assert f"D01-S001, 2026-10: {before} styles in stock before, 2 in this file" in shown
    token = short[ids.UP_TOKEN]["data"]
    assert "held, nothing was stored" in confirm(token, [])  # whatever the browser sends
    assert stored_rows(net.settings, "D01-S001") > 2
    assert "loaded 2 rows" in confirm(token, ["yes"])
    assert stored_rows(net.settings, "D01-S001") == 2
    with store.reader(net.settings) as con:
        logged = con.execute(
            "select result, confirmed_drops from load_log order by load_id desc limit 2"
        ).fetchall()
    assert logged[0] == ("loaded", f'[["2026-10", "D01-S001", {before}, 2]]')
    assert logged[1][0] == "held"

    good = post_callback(client, check_body("good.csv", files["good"])).get_json()["response"]
    assert good[ids.UP_CONFIRM]["disabled"] is False and good[ids.UP_TOKEN]["data"]
    assert good[ids.UP_DROP_BOX]["hidden"] is True
    assert f"loaded {files['good_rows']} rows" in confirm(good[ids.UP_TOKEN]["data"], [])
    assert stored_rows(net.settings, files["mine"]) == files["good_rows"]
    # the same file again: unchanged, said when it is checked, nothing to confirm
    again = post_callback(client, check_body("good.csv", files["good"])).get_json()["response"]
    assert "already loaded" in json.dumps(again[ids.UP_RESULT])
    assert again[ids.UP_CONFIRM]["disabled"] is True and again[ids.UP_TOKEN]["data"] is None


def test_errors_download_is_a_csv_of_every_problem(net, files):
    client = create_app(net.settings).server.test_client()
    login(client, "admin")
    client.get("/")
    bad = post_callback(client, check_body("bad.csv", files["bad"])).get_json()["response"]
    body = callback_body(
        [(ids.UP_ERRORS_DOWNLOAD, "data")],
        [(ids.UP_ERRORS_BTN, "n_clicks", 1)],
        [(ids.UP_TOKEN, "data", bad[ids.UP_TOKEN]["data"]), (ids.UP_KIND, "value", "stock")],
    )
    data = post_callback(client, body).get_json()["response"][ids.UP_ERRORS_DOWNLOAD]["data"]
    raw = base64.b64decode(data["content"])
    assert raw.startswith(b"\xef\xbb\xbf")
    frame = pl.read_csv(raw[3:])
    assert frame.columns == ["row", "column", "value", "reason"] and frame.height >= 4


def test_a_new_database_has_an_empty_users_table(tmp_path):
    from assortment.config import Settings

    s = Settings(db_path=tmp_path / "d" / "x.duckdb")
    store.init(s)
    assert Data(s).users() == {}
    with store.reader(s) as con:
        assert con.execute("select count(*) from users").fetchone() == (0,)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"{}",
        b"[]",
        b'{"output": "nope.children", "outputs": [], "inputs": [], "changedPropIds": []}',
        b'{"output": "upload-result.children", "inputs": 5}',
    ],
)
def test_a_malformed_callback_request_is_a_400_logged_in_one_line(net, caplog, body):
    import logging

    from tests.e2e.helpers import csrf_of

    client = create_app(net.settings).server.test_client()
    login(client, "admin")
    client.get("/")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="dashboard"):
        r = client.post(
            "/_dash-update-component",
            data=body,
            headers={"X-CSRFToken": csrf_of(client), "Content-Type": "application/json"},
        )
    assert r.status_code == 400 and r.get_json() == {"message": "malformed request"}
    records = [rec for rec in caplog.records if rec.name == "dashboard"]
    assert len(records) == 1 and records[0].levelname == "WARNING"
    assert records[0].exc_info is None and "Traceback" not in caplog.text


def test_distributors_are_told_to_ask_the_brand_and_chinese_has_no_english_left(net, files):
    from dashboard.pages.upload import problem_rows

    text = stock_csv(
        [
            ("2026-10", files["mine"], files["sku"], 1),
            ("2026-10", files["mine"], "NOPE-1", 1),
            ("2026-10", files["mine"], files["sku"], 2),
        ]
    )
    found = uploads.check(Data(net.settings), DIST1, "stock", "x.csv", text, today=TODAY)
    en = {r["row"]: r["reason"] for r in problem_rows(found.errors, DIST1, "en")}
    assert "ask the brand" in en[3] and "load the products file" not in en[3]
    admin = {r["row"]: r["reason"] for r in problem_rows(found.errors, ADMIN, "en")}
    assert "load the products file first" in admin[3]
    zh = {r["row"]: r["reason"] for r in problem_rows(found.errors, DIST1, "zh")}
    assert zh[4] == "与前面某行的月份、网点、SKU 重复（第 2 行）" and "row" not in zh[4]
    assert "品牌方" in zh[3]


def test_a_stock_file_uploaded_as_sales_and_one_problem_in_words(net, files):
    from assortment.i18n import t
    from dashboard.pages.upload import problem_rows

    found = uploads.check(Data(net.settings), DIST1, "sales", "s.csv", files["good"], today=TODAY)
    rows = problem_rows(found.errors, DIST1, "en")
    assert [r["reason"] for r in rows] == [
        "this looks like a Stock file, not a Sales file: choose Stock as the file type"
    ]
    assert "这看起来是库存文件" in problem_rows(found.errors, DIST1, "zh")[0]["reason"]
    assert "(1 problem)" in t("upload.rejected_one", "en", file="s.csv")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_failed_publish_is_told_in_words_without_server_paths(
    net, files, monkeypatch, caplog, lang
):
    """The file is stored but the pages' read copy cannot be written (a full disk): the page
    says so in the user's language, names no folder of the server, and the log has the details."""
    monkeypatch.setenv("ASSORTMENT_TODAY", TODAY.isoformat())
    client = create_app(net.settings).server.test_client()
    login(client, "dist1")
    client.get(f"/lang/{lang}")
    good = post_callback(client, check_body("good.csv", files["good"])).get_json()["response"]
    monkeypatch.setenv("ASSORTMENT_TEST_PUBLISH_FAULT", "copy:fail")  # as from a full disk
    with caplog.at_level(logging.ERROR, logger="dashboard"):
        shown = confirm_body(client, good[ids.UP_TOKEN]["data"], [])
    assert i18n.t("upload.not_published", lang, file="good.csv") in shown
    assert (
        i18n.t("upload.loaded", lang, file="good.csv", rows=files["good_rows"], months="2026-10")
        in shown
    )
    for secret in (str(net.settings.data_dir), "snapshots", "No space left", "verify`"):
        assert secret not in shown
    assert "stored but not published" in caplog.text and "snapshots" in caplog.text
    # the rows are in the master; the next write publishes them for the pages
    monkeypatch.delenv("ASSORTMENT_TEST_PUBLISH_FAULT")
    with store.writer(net.settings):
        pass
    assert stored_rows(net.settings, files["mine"]) == files["good_rows"]


def test_a_failed_publish_in_any_callback_is_a_message_in_words(monkeypatch, caplog):
    """Any other writer's PublishError (a new password, a user added) ends in the toast in the
    user's language; its paths go to the log only."""
    import flask

    from assortment.errors import PublishError
    from dashboard import app as app_module

    shown = {}
    monkeypatch.setattr(app_module, "set_props", lambda key, props: shown.update({key: props}))
    for lang in ("en", "zh"):
        monkeypatch.setattr(app_module, "lang", lambda lg=lang: lg)
        with flask.Flask(__name__).test_request_context(), caplog.at_level(logging.ERROR):
            app_module.on_callback_error(PublishError("the data is stored in /srv/x.duckdb, but"))
        assert shown[ids.TOAST_TEXT]["children"] == i18n.t("common.not_published", lang)
        assert "/srv/x.duckdb" in caplog.text


def test_an_upload_and_its_classification_reach_readers_in_one_snapshot(net, files, monkeypatch):
    """Readers never see the new counts with the old month's results: the load and the
    re-classification share one writer and one publish (and the dashboard's caches, keyed by
    snapshot, are emptied once per upload, not twice)."""
    published: list[str] = []
    real = store.publish_snapshot

    def counting(settings, **kw):
        path = real(settings, **kw)
        published.append(path.name)
        return path

    monkeypatch.setattr(store, "publish_snapshot", counting)
    data = Data(net.settings)
    found = uploads.check(data, DIST1, "stock", "good.csv", files["good"], today=TODAY)
    loaded = uploads.confirm(data, DIST1, found.token, today=TODAY)
    assert loaded.classified == ["2026-10"] and loaded.published
    assert len(published) == 1
    with store.reader(net.settings) as con:
        ((seen, latest),) = con.execute(
            "select r.data_version, (select max(load_id) from load_log where result = 'loaded')"
            " from classify_runs r where r.month = date '2026-10-01'"
        ).fetchall()
    assert seen == latest  # the snapshot's results were computed from the counts it holds
