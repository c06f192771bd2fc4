"""`make soak`: everything at once, writers killed at random, then prove nothing was lost.

In separate processes, at the same time, on a small generated network in a temporary
folder (all traffic to 127.0.0.1, bounded by ``--seconds`` and a request cap):

* the production server (``assortment serve``, several threads) with signed-in clients
  (admin, rep, two distributors) reading the location page's style list;
* a distributor uploading stock counts through the upload page's callbacks (check, then
  confirm: a writer inside the server, which then re-classifies the month);
* another distributor's counts loaded with the CLI, some runs paused inside publishing
  (``ASSORTMENT_TEST_PUBLISH_FAULT``) and killed there, some given a failing publish;
* ``assortment classify`` and ``assortment monthly`` in a loop;
* a killer SIGKILLing CLI loads, classify and monthly runs at random moments;
* a process reading the published snapshot directly, as exports and reports do.

Every upload writes one version number ``v`` as the on-hand of every SKU at every store
of its distributor, so a read is consistent when a distributor's whole month shows one
``v`` (the file is one transaction) and the style list shows ``v`` x the style's SKUs.
Then: every accepted upload is in the load log exactly once and the stored month is the
last accepted version (data lost: none), ``assortment verify`` finds the master and the
published snapshot equal, re-running classify, monthly and the last load completes, and
``rebuild --dry-run`` replays the archive to identical tables. Figures go to
BENCHMARKS.md (section "Soak") unless ``--no-write``.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import hashlib
import io
import json
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import machine, write_section  # noqa: E402
from benchmarks.soak_client import (  # noqa: E402
    WebClient,
    add_user,
    cli,
    cli_env,
    load_args,
    serve_args,
)

PORT = 8160  # developer 6's range: 8160-8169
TODAY = "2026-11-22"
MONTH = "2026-10"  # the month uploaded during the soak (the network ends one month earlier)
PASSWORDS = {
    "admin": "soak-admin-1",
    "rep": "soak-rep-12",
    "dist1": "soak-dist-1",
    "dist2": "soak-dist-2",
}
MAX_REQUESTS = 20_000
PUBLISH_STAGES = ("copy", "rename", "pointer")


@dataclass
class Tally:
    """What happened, shared by the threads (under ``lock``)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    cases: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    reads: int = 0
    inconsistent: list[str] = field(default_factory=list)
    attempted: dict[str, set[int]] = field(default_factory=lambda: {"web": {0}, "cli": {0}})
    accepted: dict[str, list[tuple[int, str]]] = field(
        default_factory=lambda: {"web": [], "cli": []}
    )
    running: dict[int, tuple[str, subprocess.Popen[str], bool]] = field(default_factory=dict)

    def error(self, msg: str) -> None:
        with self.lock:
            self.errors.append(msg)
        print(f"  ERROR {msg}", flush=True)


@dataclass
class Network:
    """The soak's generated network: SKUs per style, and the stores of each upload set."""

    skus: list[str]
    skus_per_style: dict[str, int]
    stores: dict[str, list[str]]  # 'web' (distributor 1, through the page), 'cli' (distributor 2)
    distributors: dict[str, str]
    rep: str


def stock_file(net: Network, which: str, v: int) -> bytes:
    """Version ``v`` of a distributor's month: every SKU at each of its stores has on hand v."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["month", "location_id", "sku", "on_hand"])
    for loc in net.stores[which]:
        for sku in net.skus:
            w.writerow([MONTH, loc, sku, v])
    return out.getvalue().encode()


def run_ok(args: list[str], env: dict[str, str], timeout: float = 600) -> str:
    """Run ``assortment ARGS`` and return stdout; raises with stderr on failure."""
    p = cli(args, env=env)
    out, err = p.communicate(timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(
            f"assortment {' '.join(args)} exited {p.returncode}: {err.strip()[-500:]}"
        )
    return out


def setup(work: Path, env: dict[str, str]) -> Network:
    """Generate and load a small network (three months ending the month before MONTH)."""
    files = work / "net"
    run_ok(
        [
            "sample",
            "--out",
            str(files),
            "--clean",
            "--distributors",
            "3",
            "--stores",
            "9",
            "--styles",
            "24",
            "--months",
            "3",
            "--end-month",
            "2026-09",
        ],
        env,
    )
    run_ok(["init"], env)
    run_ok(["load", "products", str(files / "products.csv")], env)
    run_ok(["load", "locations", str(files / "locations.csv")], env)
    run_ok(["load", "stock", *sorted(str(p) for p in (files / "stock").iterdir())], env)
    run_ok(["load", "sales", *sorted(str(p) for p in (files / "sales").iterdir())], env)
    run_ok(["classify", "--all-months"], env)
    with (files / "products.csv").open(encoding="utf-8") as fh:
        products = list(csv.DictReader(fh))
    with (files / "locations.csv").open(encoding="utf-8") as fh:
        locations = list(csv.DictReader(fh))
    dists = sorted(r["location_id"] for r in locations if r["kind"] == "distributor")
    net = Network(
        skus=[r["sku"] for r in products],
        skus_per_style=dict(Counter(r["style"] for r in products)),
        stores={
            which: sorted(
                r["location_id"]
                for r in locations
                if r["kind"] == "store"
                and r["distributor_id"] == d
                and r.get("status", "active") != "closed"
            )
            for which, d in (("web", dists[0]), ("cli", dists[1]))
        },
        distributors={"web": dists[0], "cli": dists[1]},
        rep=next(r["rep"] for r in locations if r["location_id"] == dists[0]),
    )
    add_user(env, "admin", PASSWORDS["admin"], "admin", None)
    add_user(env, "rep", PASSWORDS["rep"], "rep", net.rep)
    add_user(env, "dist1", PASSWORDS["dist1"], "distributor", dists[0])
    add_user(env, "dist2", PASSWORDS["dist2"], "distributor", dists[1])
    return net


# ---------------------------------------------------------------- the actors


def web_reader(base: str, user: str, net: Network, tally: Tally, stop: threading.Event) -> None:
    """A signed-in user reading the style lists of the locations in their scope."""
    scope = {
        "admin": net.stores["web"] + net.stores["cli"],
        "rep": net.stores["web"],
        "dist1": net.stores["web"],
        "dist2": net.stores["cli"],
    }[user]
    which_of = {loc: w for w, locs in net.stores.items() for loc in locs}
    client = WebClient(base, user, PASSWORDS[user])
    rng = random.Random(user)
    n = 0
    while not stop.is_set() and client.requests < MAX_REQUESTS // 6:
        loc = rng.choice(scope)
        status, on_hand = client.style_on_hand(loc, MONTH)
        n += 1
        if status != 200:
            tally.error(f"{user}: style list of {loc} answered {status}")
            continue
        ratios = {on_hand[s] / net.skus_per_style[s] for s in on_hand if s in net.skus_per_style}
        with tally.lock:
            tally.reads += 1
            known = set(tally.attempted[which_of[loc]])
        if on_hand and (len(ratios) != 1 or next(iter(ratios)) not in known):
            with tally.lock:
                tally.inconsistent.append(f"web {user} {loc}: on hand per SKU {sorted(ratios)}")
        if n % 10 == 0 and client.page("/") != 200:
            tally.error(f"{user}: the overview page did not answer 200")
    with tally.lock:
        tally.cases["web requests"] += client.requests


def web_uploader(base: str, net: Network, tally: Tally, stop: threading.Event) -> None:
    """Distributor 1 uploading successive versions of its month through the upload page."""
    client = WebClient(base, "dist1", PASSWORDS["dist1"])
    rng = random.Random(1)
    v = 0
    while not stop.is_set():
        v += 1
        raw = stock_file(net, "web", v)
        with tally.lock:
            tally.attempted["web"].add(v)
        ok, said = client.upload("stock", f"web_v{v:03d}.csv", raw)
        with tally.lock:
            tally.cases["web uploads"] += 1
        if not ok:
            tally.error(f"web upload v{v}: {said}")
            break
        with tally.lock:
            tally.accepted["web"].append((v, hashlib.sha256(raw).hexdigest()))
        stop.wait(rng.uniform(0.5, 2.0))
    with tally.lock:
        tally.cases["web requests"] += client.requests


def _watch(
    name: str,
    args: list[str],
    env: dict[str, str],
    tally: Tally,
    *,
    kill_on_marker: bool = False,
    killable: bool = True,
) -> tuple[int, str, str]:
    """Run a writer the killer may SIGKILL (when ``killable``); with ``kill_on_marker`` kill
    it ourselves when it pauses inside publishing. Returns (returncode, stdout, stderr)."""
    p = cli(args, env=env)
    with tally.lock:
        tally.running[p.pid] = (name, p, killable)
    out_lines = []
    try:
        assert p.stdout is not None
        for line in p.stdout:
            out_lines.append(line)
            if kill_on_marker and line.startswith("PAUSED-IN-PUBLISH"):
                p.send_signal(signal.SIGKILL)
                with tally.lock:
                    tally.faults[f"SIGKILL {name} inside publish ({line.split()[-1]})"] += 1
        err = p.stderr.read() if p.stderr else ""
        p.wait(timeout=600)
    finally:
        with tally.lock:
            tally.running.pop(p.pid, None)
    return p.returncode, "".join(out_lines), err


def cli_uploader(
    work: Path, env: dict[str, str], net: Network, tally: Tally, stop: threading.Event
) -> None:
    """Distributor 2's counts loaded with the CLI; killed or failing runs are retried as a
    user would, until the file is accepted."""
    rng = random.Random(2)
    v = 0
    while not stop.is_set():
        v += 1
        path = work / "cli" / f"cli_v{v:03d}.csv"
        path.parent.mkdir(exist_ok=True)
        raw = stock_file(net, "cli", v)
        path.write_bytes(raw)
        with tally.lock:
            tally.attempted["cli"].add(v)
        for attempt in range(1, 30):
            roll = rng.random()
            extra: dict[str, str] = {}
            marker = False
            if roll < 0.35:
                extra["ASSORTMENT_TEST_PUBLISH_FAULT"] = f"{rng.choice(PUBLISH_STAGES)}:1"
                marker = rng.random() < 0.8
            elif roll < 0.5:
                extra["ASSORTMENT_TEST_PUBLISH_FAULT"] = f"{rng.choice(PUBLISH_STAGES)}:fail"
            rc, out, err = _watch(
                "load",
                load_args("stock", path),
                {**env, **extra},
                tally,
                kill_on_marker=marker,
                killable=attempt == 1 and not extra,  # a retry is left to finish
            )
            with tally.lock:
                tally.cases["CLI loads"] += 1
            if rc == 0 and ("loaded" in out or "unchanged" in out):
                with tally.lock:
                    tally.accepted["cli"].append((v, hashlib.sha256(raw).hexdigest()))
                break
            if rc == -signal.SIGKILL:
                continue  # counted by whoever killed it
            if rc == 1 and "publishing it for readers failed" in err and "Traceback" not in err:
                with tally.lock:
                    tally.faults["failed publish (injected disk full)"] += 1
                continue
            tally.error(f"CLI load v{v} attempt {attempt} exited {rc}: {err.strip()[-300:]}")
            return
        else:
            tally.error(f"CLI load v{v} never accepted")
            return
        stop.wait(rng.uniform(0.2, 1.5))


def batch_loop(
    name: str,
    args: list[str],
    env: dict[str, str],
    tally: Tally,
    stop: threading.Event,
    pause: float,
) -> None:
    """classify or monthly, again and again (the killer may kill any run)."""
    while not stop.is_set():
        rc, _out, err = _watch(name, args, env, tally)
        with tally.lock:
            tally.cases[f"{name} runs"] += 1
        no_count_yet = rc == 1 and "no stock counts" in err
        if rc not in (0, -signal.SIGKILL) and not no_count_yet:
            tally.error(f"{name} exited {rc}: {err.strip()[-300:]}")
        stop.wait(pause)


def killer(tally: Tally, stop: threading.Event, rng: random.Random) -> None:
    """SIGKILL a random running writer (CLI load, classify, monthly) every 2-6 s."""
    while not stop.wait(rng.uniform(2.0, 6.0)):
        with tally.lock:
            running = [(name, p) for name, p, killable in tally.running.values() if killable]
        if not running:
            continue
        name, p = rng.choice(running)
        if p.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                p.send_signal(signal.SIGKILL)
                with tally.lock:
                    tally.faults[f"SIGKILL {name} at a random moment"] += 1


# ---------------------------------------------------------------- the snapshot reader (own process)


def snapshot_reader(db: str, stop_file: str, sets_json: str, out: str) -> None:
    """Read the published snapshot in a loop as exports and reports do; check that each
    distributor's month shows one version, with a summary that matches its rows."""
    from assortment import store
    from assortment.config import Settings

    settings = Settings(db_path=Path(db))
    sets = json.loads(sets_json)
    reads, bad, seen = 0, [], {w: set() for w in sets}
    while not Path(stop_file).exists():
        with store.reader(settings) as con:
            for which, locs in sets.items():
                rows = con.execute(
                    "select l.location_id, count(*), min(s.on_hand), max(s.on_hand),"
                    " any_value(ss.on_hand_units), sum(s.on_hand)"
                    " from stock s join locations l using (location_key)"
                    " left join stock_summary ss using (month, location_key)"
                    " where s.month = ? and l.location_id in (select unnest(?::varchar[]))"
                    " group by l.location_id",
                    [f"{MONTH}-01", locs],
                ).fetchall()
                versions = {r[2] for r in rows} | {r[3] for r in rows}
                sizes = {r[1] for r in rows}
                if rows and (len(versions) != 1 or len(rows) != len(locs) or len(sizes) != 1):
                    bad.append(f"{which}: {rows}")
                if any(r[4] != r[5] for r in rows):
                    bad.append(f"{which}: summary differs from rows {rows}")
                seen[which] |= versions or {0}
        reads += 1
        time.sleep(0.05)
    Path(out).write_text(
        json.dumps(
            {
                "reads": reads,
                "bad": bad[:20],
                "n_bad": len(bad),
                "seen": {w: sorted(s) for w, s in seen.items()},
            }
        )
    )


# ---------------------------------------------------------------- the run


def soak(seconds: float, *, seed: int, keep: bool) -> tuple[dict[str, object], bool]:
    work = Path(tempfile.mkdtemp(prefix="assortment-soak-"))
    db = work / "data" / "assortment.duckdb"
    env = cli_env(db, TODAY, ASSORTMENT_LOCK_TIMEOUT="300")
    rng = random.Random(seed)
    t0 = time.monotonic()
    print(f"soak in {work}: setting up a network", flush=True)
    net = setup(work, env)
    tally = Tally()
    base = f"http://127.0.0.1:{PORT}"
    server = cli(serve_args(PORT, threads=6), env=env, start_new_session=True)
    stop_file = work / "stop-reader"
    reader_out = work / "reader.json"
    reader = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--reader",
            str(db),
            str(stop_file),
            json.dumps(net.stores),
            str(reader_out),
        ],
        env=env,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            with contextlib.suppress(OSError):
                import requests

                if requests.get(base + "/login", timeout=5).status_code == 200:
                    break
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the server did not start")
            time.sleep(0.5)
        print(f"server up; soaking for {seconds:.0f} s", flush=True)
        stop = threading.Event()
        threads = [
            threading.Thread(target=web_reader, args=(base, u, net, tally, stop), name=f"read-{u}")
            for u in ("admin", "rep", "dist1", "dist2")
        ]
        threads += [
            threading.Thread(target=web_uploader, args=(base, net, tally, stop), name="web-upload"),
            threading.Thread(
                target=cli_uploader, args=(work, env, net, tally, stop), name="cli-upload"
            ),
            threading.Thread(
                target=batch_loop,
                args=("classify", ["classify", "--month", MONTH], env, tally, stop, 1.0),
                name="classify",
            ),
            threading.Thread(
                target=batch_loop,
                args=(
                    "monthly",
                    ["monthly", "--out", str(work / "reports"), "--month", MONTH, "--lang", "en"],
                    env,
                    tally,
                    stop,
                    5.0,
                ),
                name="monthly",
            ),
            threading.Thread(target=killer, args=(tally, stop, rng), name="killer"),
        ]
        for t in threads:
            t.start()
        stop.wait(seconds)
        stop.set()
        for t in threads:
            t.join(timeout=900)
        traffic_s = time.monotonic() - t0
    finally:
        stop_file.touch()
        reader.wait(timeout=120)
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    snap = json.loads(reader_out.read_text())
    ok = True

    # ---- afterwards: nothing lost, master and snapshot agree, re-running completes
    print("checking", flush=True)
    lost: list[str] = []
    verify_out = cli(["verify"], env=env)
    vout, verr = verify_out.communicate(timeout=600)
    if verify_out.returncode != 0:
        tally.error(f"verify exited {verify_out.returncode}: {vout}{verr}")
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        for which, accepted in tally.accepted.items():
            for v, sha in accepted:
                n = con.execute(
                    "select count(*) from load_log where sha256 = ? and result = 'loaded'", [sha]
                ).fetchall()[0][0]
                if n != 1:
                    lost.append(f"{which} v{v}: {n} successful loads in the log (want exactly 1)")
            if accepted:
                want = accepted[-1][0]
                got = con.execute(
                    "select distinct on_hand from stock join locations using (location_key)"
                    " where month = ? and location_id in (select unnest(?::varchar[]))",
                    [f"{MONTH}-01", net.stores[which]],
                ).fetchall()
                if got != [(want,)]:
                    lost.append(f"{which}: stored {got}, the last accepted upload was v{want}")
    rerun = []
    for args in (
        ["classify", "--month", MONTH],
        ["monthly", "--out", str(work / "reports"), "--month", MONTH, "--lang", "en"],
        *(
            [load_args("stock", work / "cli" / f"cli_v{tally.accepted['cli'][-1][0]:03d}.csv")]
            if tally.accepted["cli"]
            else []
        ),
        ["rebuild", "--dry-run"],
        ["verify"],
    ):
        p = cli(args, env=env)
        out, err = p.communicate(timeout=900)
        rerun.append((args[0], p.returncode))
        if p.returncode != 0:
            tally.error(
                f"re-run {' '.join(args[:2])} exited {p.returncode}: {(out + err).strip()[-400:]}"
            )
        if args[0] == "load" and "unchanged" not in out:
            tally.error(f"re-loading the last accepted file did not say unchanged: {out}")
        if args[0] == "rebuild" and "identical" not in out:
            tally.error(f"rebuild from the archive differs: {out}")
    summary_json = work / "reports" / MONTH / "summary.json"
    try:
        json.loads(summary_json.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        tally.error(f"{summary_json}: {exc}")
    leftovers = list((db.parent / "snapshots").glob(".*"))
    if leftovers:
        tally.error(f"temporary files left in snapshots/: {leftovers}")
    inconsistent = tally.inconsistent + snap["bad"]
    for which, seen in snap["seen"].items():
        unknown = set(seen) - tally.attempted[which]
        if unknown:
            inconsistent.append(
                f"snapshot showed {which} versions never uploaded: {sorted(unknown)}"
            )
    ok = not tally.errors and not lost and not inconsistent and snap["n_bad"] == 0
    figures = {
        "seconds": round(time.monotonic() - t0),
        "traffic_seconds": round(traffic_s),
        "cases": dict(tally.cases),
        "n_cases": sum(v for k, v in tally.cases.items() if k != "web requests"),
        "faults": dict(tally.faults),
        "n_faults": sum(tally.faults.values()),
        "requests": tally.cases["web requests"],
        "web_reads_checked": tally.reads,
        "snapshot_reads_checked": snap["reads"],
        "accepted_uploads": {w: len(a) for w, a in tally.accepted.items()},
        "errors": tally.errors,
        "inconsistent_reads": inconsistent,
        "data_lost": lost,
        "rerun": rerun,
    }
    if keep:
        print(f"kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return figures, ok


def report(f: dict[str, object]) -> str:
    cases = f["cases"]
    faults = f["faults"]
    assert isinstance(cases, dict) and isinstance(faults, dict)
    lines = [
        "## Soak",
        "",
        f"`make soak` on {machine()}: {f['traffic_seconds']} s of concurrent traffic,"
        f" {f['seconds']} s in all. Server: `assortment serve --threads 6` on 127.0.0.1:{PORT}.",
        "",
        "A read is consistent when a distributor's month shows one upload's version at every"
        " store (snapshot reads) and the style list shows that version times each style's SKUs"
        " (reads through the server). Data lost: an accepted upload missing from the load log,"
        " logged twice, or not what the month holds at the end.",
        "",
        "| what | figure |",
        "|---|---|",
        f"| cases run | {f['n_cases']:,}: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(cases.items()) if k != "web requests")
        + " |",
        f"| faults injected | {f['n_faults']:,}: "
        + (", ".join(f"{k} {v}" for k, v in sorted(faults.items())) or "none")
        + " |",
        f"| requests served | {f['requests']:,} (signed-in readers and the upload page) |",
        f"| reads checked for consistency | {f['web_reads_checked']:,} style lists through the server,"
        f" {f['snapshot_reads_checked']:,} snapshot reads |",
        f"| uploads accepted | {f['accepted_uploads']} (web, CLI), each in the load log exactly once |",
        f"| inconsistent reads | {len(f['inconsistent_reads'])} |",  # type: ignore[arg-type]
        f"| errors | {len(f['errors'])} |",  # type: ignore[arg-type]
        f"| data lost | {'none' if not f['data_lost'] else len(f['data_lost'])} |",  # type: ignore[arg-type]
        "| afterwards | `verify` (master = published snapshot), classify, monthly, re-load (`unchanged`),"
        " `rebuild --dry-run` (identical): "
        + ", ".join(f"{name} exit {rc}" for name, rc in f["rerun"])  # type: ignore[attr-defined]
        + " |",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--reader":
        snapshot_reader(*argv[1:5])
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=120, help="how long the traffic runs")
    ap.add_argument("--seed", type=int, default=10)
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--no-write", action="store_true", help="do not write BENCHMARKS.md")
    args = ap.parse_args(argv)
    figures, ok = soak(args.seconds, seed=args.seed, keep=args.keep)
    text = report(figures)
    print(text)
    for key in ("errors", "inconsistent_reads", "data_lost"):
        for item in figures[key][:20]:  # type: ignore[index]
            print(f"{key}: {item}")
    if not args.no_write:
        write_section(text)
    print("soak passed" if ok else "soak FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
