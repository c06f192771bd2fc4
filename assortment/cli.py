"""The `assortment` command line: one typer sub-app per area, errors turned into clear messages."""

from __future__ import annotations

import atexit
import contextlib
import csv
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, cast

import typer

from assortment.config import Settings
from assortment.config import today as config_today
from assortment.errors import (
    AssortmentError,
    UsageError,
    ValidationError,
    environment_problem,
)

app = typer.Typer(
    help="Assortment Health: load distributors' monthly counts, classify styles, check minimums.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
load_app = typer.Typer(
    help="Load products, locations, stock counts or sales files.", no_args_is_help=True
)
app.add_typer(load_app, name="load")


class State:
    """Options given before the subcommand."""

    settings: Settings = Settings()


state = State()


@app.callback()
def _main(
    db: Annotated[
        Path | None,
        typer.Option(
            "--db", help="Database file (env ASSORTMENT_DB; default data/assortment.duckdb)."
        ),
    ] = None,
    rules: Annotated[
        Path | None,
        typer.Option("--rules", help="Rules TOML (env ASSORTMENT_RULES; default: shipped rules)."),
    ] = None,
) -> None:
    state.settings = Settings.from_env(db=db, rules=rules)


def echo(msg: str = "") -> None:
    """Print to stdout."""
    typer.echo(msg)


def err(msg: str) -> None:
    """Print to stderr."""
    typer.echo(msg, err=True)


# ---------------------------------------------------------------- init / status


@app.command()
def init() -> None:
    """Create or migrate the database."""
    from assortment import store

    applied = store.init(state.settings)
    if applied:
        echo(f"{state.settings.db_path}: applied {', '.join(applied)}")
    else:
        echo(f"{state.settings.db_path}: up to date")


@app.command()
def status() -> None:
    """What is loaded: months, counted and missing locations per month, last load per distributor."""
    from assortment.status import status_report

    echo(status_report(state.settings))


@app.command()
def verify(
    deep: Annotated[
        bool,
        typer.Option(
            "--deep", help="Also replay the archive into a scratch copy and compare every table."
        ),
    ] = False,
) -> None:
    """Check the store: published snapshot vs master, load log vs archive vs tables.

    Publishes the master when readers were left on older data. Exit 0 when consistent,
    1 when a problem needs you (each is named with what to do).
    """
    from assortment.verify import verify as run

    report = run(state.settings, deep=deep, today=config_today())
    echo(report.text())
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def rebuild(
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Rebuild into a scratch copy and compare; change nothing."),
    ] = False,
) -> None:
    """Rebuild the tables from the archive, replaying successful loads in load-log order.

    The current database is kept beside the rebuilt one (<db>.before-rebuild-<time>).
    With --dry-run, exit 1 when the rebuilt tables would differ.
    """
    from assortment.rebuild import rebuild as run

    report = run(state.settings, dry_run=dry_run, today=config_today())
    for line in report.lines():
        echo(line)
    if dry_run and not report.identical:
        raise typer.Exit(1)


# ---------------------------------------------------------------- load


def _check_errors_out(path: Path) -> None:
    """Refuse an --errors-out that cannot be a file, before anything is loaded."""
    if path.is_dir():
        raise UsageError(
            f"--errors-out {str(path)!r} is a folder; give a file name such as "
            f"{str(path / 'errors.csv')!r}"
        )


def _write_errors(path: Path, rejected: list[ValidationError]) -> None:
    from assortment.export import formula_safe

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8-sig") as fh:
            w = csv.writer(fh)
            w.writerow(["file", "row", "column", "value", "reason"])
            for exc in rejected:
                for e in exc.errors:
                    w.writerow(
                        [
                            exc.file_name,
                            e.row,
                            formula_safe(e.column),
                            formula_safe(e.value),
                            e.reason,
                        ]
                    )
    except OSError as exc:
        raise environment_problem(path, exc, what="write the error report") from None


def _load(
    kind: str,
    files: list[Path],
    sheet: str | None,
    errors_out: Path | None,
    check: bool,
    accept_drop: bool = False,
) -> None:
    from assortment import store
    from assortment.ingest import load_file, validate_file
    from assortment.ingest.load import CountDropError

    for f in files:
        if not f.is_file():
            raise UsageError(f"no such file: {str(f)!r}")
    if errors_out is not None:
        _check_errors_out(errors_out)
    rejected: list[ValidationError] = []
    held = 0
    today = config_today()
    rules = state.settings.rules()
    user = os.environ.get("USER") or None
    # --check only reads (a snapshot, never waiting on a writer); a load writes the master,
    # and the writer publishes whenever the master differs from what readers see
    opened = store.reader(state.settings) if check else store.writer(state.settings)
    try:
        with opened as con:
            for f in files:
                try:
                    if check:
                        _, result = validate_file(
                            con, kind, f, sheet=sheet, today=today, rules=rules
                        )
                        if result.drops and not accept_drop:
                            raise CountDropError(
                                result.file_name, result.drops, share=rules.count_drop_share
                            )
                    else:
                        result = load_file(
                            con,
                            state.settings,
                            kind,
                            f,
                            sheet=sheet,
                            loaded_by=user,
                            today=today,
                            accept_drop=accept_drop,
                        )
                    echo(result.summary())
                except ValidationError as exc:
                    rejected.append(exc)
                    err(str(exc))
                except CountDropError as exc:
                    held += 1
                    err(str(exc))
    finally:
        if errors_out is not None:
            _write_errors(errors_out, rejected)
            if rejected:
                err(f"error report written to {errors_out}")
    if rejected or held:
        raise typer.Exit(1)


FilesArg = Annotated[list[Path], typer.Argument(help="CSV or XLSX files.", show_default=False)]
FileArg = Annotated[Path, typer.Argument(help="CSV or XLSX file.", show_default=False)]
SheetOpt = Annotated[
    str | None, typer.Option("--sheet", help="Workbook sheet (default: the first).")
]
ErrorsOpt = Annotated[
    Path | None, typer.Option("--errors-out", help="Write every rejected row to this CSV.")
]
CheckOpt = Annotated[bool, typer.Option("--check", help="Validate only; store nothing.")]
AcceptDropOpt = Annotated[
    bool,
    typer.Option(
        "--accept-drop",
        help="Load counts that leave a location far fewer styles than before "
        "(count_drop_share); the confirmation is recorded in the load log.",
    ),
]


@load_app.command("products")
def load_products(
    file: FileArg, sheet: SheetOpt = None, errors_out: ErrorsOpt = None, check: CheckOpt = False
) -> None:
    """Load the products file (one row per SKU); known SKUs are updated."""
    _load("products", [file], sheet, errors_out, check)


@load_app.command("locations")
def load_locations(
    file: FileArg, sheet: SheetOpt = None, errors_out: ErrorsOpt = None, check: CheckOpt = False
) -> None:
    """Load the locations file (distributors and stores); known locations are updated."""
    _load("locations", [file], sheet, errors_out, check)


@load_app.command("stock")
def load_stock(
    files: FilesArg,
    sheet: SheetOpt = None,
    errors_out: ErrorsOpt = None,
    check: CheckOpt = False,
    accept_drop: AcceptDropOpt = False,
) -> None:
    """Load month-end stock counts; each (month, location) in a file replaces what was stored.

    A count that would leave a location fewer than count_drop_share (0.5) of the styles it
    had is held unless --accept-drop is given.
    """
    _load("stock", files, sheet, errors_out, check, accept_drop)


@load_app.command("sales")
def load_sales(
    files: FilesArg, sheet: SheetOpt = None, errors_out: ErrorsOpt = None, check: CheckOpt = False
) -> None:
    """Load monthly sales; each (month, location) in a file replaces what was stored."""
    _load("sales", files, sheet, errors_out, check)


# ---------------------------------------------------------------- classify / export


@app.command()
def classify(
    month: Annotated[
        str | None, typer.Option("--month", help="YYYY-MM (default: latest counted month).")
    ] = None,
    all_months: Annotated[
        bool, typer.Option("--all-months", help="Classify every counted month.")
    ] = False,
    partitions: Annotated[
        int,
        typer.Option(
            min=1, help="Run the per-location work in N partitions of distributor groups."
        ),
    ] = 1,
    engine: Annotated[
        str,
        typer.Option(
            help="local (polars on this machine) or spark (the same rules on Apache Spark;"
            " needs pip install -e '.[spark]' and Java 17)."
        ),
    ] = "local",
    master: Annotated[
        str | None,
        typer.Option(help="Spark master URL (--engine spark; default local[2])."),
    ] = None,
    inputs: Annotated[
        str | None,
        typer.Option(
            help="Parquet inputs for --engine spark: a folder or URL (hdfs://, s3a://) of the"
            " layout export-parquet writes;"
            " default: the store exported to <data>/spark/inputs first)."
        ),
    ] = None,
) -> None:
    """Classify every style at every location, check compliance and plan actions for a month."""
    if engine not in ("local", "spark"):
        raise UsageError(f"unknown engine {engine!r}; choose local or spark")
    if engine == "local":
        if master is not None or inputs is not None:
            raise UsageError("--master and --inputs go with --engine spark")
        from assortment.job import classify as run

        for result in run(
            state.settings, month=month, all_months=all_months, partitions=partitions
        ):
            echo(result.summary())
        return
    from assortment import spark_engine

    runs = spark_engine.classify(
        state.settings,
        month=month,
        all_months=all_months,
        master=master or spark_engine.DEFAULT_MASTER,
        inputs=inputs,
    )
    for spark_run in runs:
        echo(spark_run.result.summary() + " (spark)")


@app.command("export-parquet")
def export_parquet(
    folder: Annotated[Path, typer.Argument(help="Folder to write (see README: Engines).")],
) -> None:
    """Write the store's products, locations, stock and sales as Parquet partitioned by month."""
    from assortment import parquet, store

    with store.reader(state.settings) as con:
        echo(parquet.export(con, folder).summary())


@app.command()
def export(
    kind: Annotated[
        str,
        typer.Argument(
            help="style-health, compliance, actions, order-plan, bestsellers, new-styles,"
            " follow-through, rep-scorecard or stuck."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="Output file: .csv, .xlsx or .parquet.")],
    month: Annotated[
        str | None, typer.Option("--month", help="YYYY-MM (default: latest counted month).")
    ] = None,
) -> None:
    """Write a classification result table for a month (classified first when out of date)."""
    from assortment import months, store
    from assortment.export import EXPORTS, JUDGED_BY_NEXT_MONTH
    from assortment.export import export as run
    from assortment.job import ensure_classified, ensure_next_classified

    if kind not in EXPORTS:
        raise UsageError(f"unknown export {kind!r}; choose one of {', '.join(EXPORTS)}")
    # results always match the data and rules in force: classify first when they do not
    resolved, refreshed = ensure_classified(state.settings, month)
    if refreshed is not None:
        err(f"classified first (results were missing or out of date): {refreshed.summary()}")
    if kind in JUDGED_BY_NEXT_MONTH:
        # the follow-through of M is judged by M+1's count and compliance
        following = ensure_next_classified(state.settings, resolved)
        if following is not None:
            err(f"classified the following month first: {following.summary()}")
    with store.reader(state.settings) as con:
        n = run(con, kind, months.fmt(resolved), out)
    echo(f"wrote {n:,} rows to {out}")


# ---------------------------------------------------------------- monthly batch


@app.command()
def monthly(
    out: Annotated[Path, typer.Option("--out", help="Folder for the month's reports.")],
    month: Annotated[
        str | None, typer.Option("--month", help="YYYY-MM (default: latest counted month).")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="en, zh, or both.")] = "both",
) -> None:
    """The monthly batch: classify the month, then write the reports per region and rep.

    Runs at a lower CPU priority (ASSORTMENT_BATCH_NICE, default 10; 0: unchanged), so a
    dashboard on the same machine answers first."""
    from assortment.config import batch_nice
    from assortment.priority import background
    from assortment.report import run_monthly

    with background(batch_nice()):
        run_monthly(state.settings, month=month, out=out, lang=lang)


# ---------------------------------------------------------------- dashboard and users


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(envvar="ASSORTMENT_HOST", help="Interface to listen on.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="ASSORTMENT_PORT", help="Port.")] = 8050,
    threads: Annotated[
        int, typer.Option(envvar="ASSORTMENT_THREADS", help="Threads per worker process.")
    ] = 8,
    workers: Annotated[
        int | None,
        typer.Option(
            envvar="ASSORTMENT_WORKERS",
            help="Worker processes sharing the snapshot store (default: one per core, at most 8).",
        ),
    ] = None,
) -> None:
    """Serve the dashboard with a production WSGI server (gunicorn: worker processes x threads)."""
    run = _web_server()
    run(state.settings, host=host, port=port, threads=threads, workers=workers)


WEB_ENTRY_POINT = "assortment.web"


def _web_server() -> Callable[..., None]:
    """The dashboard's ``serve`` function, found through the ``assortment.web`` entry point.

    ``assortment`` never imports ``dashboard`` (data flows one way); the dashboard package
    registers itself in pyproject.toml and the CLI looks it up by name.
    """
    from importlib.metadata import entry_points

    found = entry_points(group=WEB_ENTRY_POINT, name="serve")
    if not found:
        raise UsageError(
            "the dashboard is not installed in this environment: run `make install` "
            "(or `pip install -e .`) first"
        )
    return cast(Callable[..., None], next(iter(found)).load())


users_app = typer.Typer(
    help="Manage dashboard users (admin, rep, distributor).", no_args_is_help=True
)
app.add_typer(users_app, name="users")


@users_app.command("add")
def users_add(
    username: str,
    role: Annotated[str, typer.Option(help="admin, rep or distributor.")],
    scope: Annotated[
        str | None,
        typer.Option(
            help="For a rep: the rep name in locations.csv; for a distributor: its distributor_id."
        ),
    ] = None,
    password: Annotated[str | None, typer.Option(help="Password (default: prompt).")] = None,
    display_name: Annotated[
        str | None, typer.Option("--name", help="Name shown in the header.")
    ] = None,
) -> None:
    """Add a user."""
    from assortment import users

    pw = password or typer.prompt("password", hide_input=True, confirmation_prompt=True)
    users.add_user(state.settings, username, pw, role=role, scope=scope, display_name=display_name)
    echo(f"added {username} ({role}{', ' + scope if scope else ''})")


@users_app.command("list")
def users_list() -> None:
    """List users."""
    from assortment import users

    for u in users.list_users(state.settings):
        echo(
            f"{u['username']:<16} {u['role']:<12} {u['scope'] or '-':<16} {u['display_name'] or ''}"
        )


@users_app.command("remove")
def users_remove(username: str) -> None:
    """Remove a user."""
    from assortment import users

    users.remove_user(state.settings, username)
    echo(f"removed {username}")


@users_app.command("set-password")
def users_set_password(
    username: str,
    password: Annotated[str | None, typer.Option(help="New password (default: prompt).")] = None,
) -> None:
    """Set a user's password."""
    from assortment import users

    pw = password or typer.prompt("new password", hide_input=True, confirmation_prompt=True)
    users.set_password(state.settings, username, pw)
    echo(f"password set for {username}")


@users_app.command("demo")
def users_demo() -> None:
    """Create the demo logins (one admin, one rep, one distributor) and print them."""
    from assortment import users

    for line in users.demo_users(state.settings):
        echo(line)


# ---------------------------------------------------------------- sample


@app.command()
def sample(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the network's files to.")],
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same files).")] = 7,
    distributors: Annotated[int, typer.Option(min=1)] = 6,
    stores: Annotated[int, typer.Option(min=0)] = 60,
    styles: Annotated[int, typer.Option(min=10)] = 150,
    months: Annotated[int, typer.Option(min=1, max=60)] = 18,
    end_month: Annotated[str, typer.Option("--end-month", help="Last month, YYYY-MM.")] = "2026-10",
    clean: Annotated[
        bool, typer.Option("--clean", help="Plain UTF-8 CSV only (no messy forms).")
    ] = False,
) -> None:
    """Generate a synthetic brand network as the files distributors send."""
    from assortment.sample import generate, write_files

    net = generate(
        seed=seed,
        distributors=distributors,
        stores=stores,
        styles=styles,
        months=months,
        end_month=end_month,
    )
    paths = write_files(net, out, messy=not clean)
    echo(f"wrote {len(paths)} files to {out}")


def main() -> None:
    """Console entry point: project errors become messages and exit codes, never tracebacks.

    Usage errors are reported by typer itself (exit 2); rejected input exits 1.
    """
    try:
        app()  # standalone: handles --help, usage errors and typer.Exit, then sys.exit()
    except AssortmentError as exc:
        err(f"error: {exc}")
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err("interrupted; nothing half-stored (each file is one transaction)")
        sys.exit(130)
    except OSError as exc:  # a folder or file of the user's: full, read-only, missing rights
        where = exc.filename if exc.filename is not None else "a file"
        err(f"error: {environment_problem(where, exc, what='use')}")
        sys.exit(2)
    except Exception as exc:  # a bug: say so briefly; the traceback on request
        if os.environ.get("ASSORTMENT_DEBUG"):
            traceback.print_exc()
        err(f"internal error: {type(exc).__name__}: {exc} (set ASSORTMENT_DEBUG=1 for details)")
        sys.exit(3)


def entry() -> None:
    """The ``assortment`` command: :func:`main`, then leave without tearing the interpreter down.

    Everything is written and closed by then (stores are closed by their context managers,
    output is flushed here, exit handlers run); what is skipped is freeing each of the run's
    objects one by one, 0.2-0.3 s after a classification of a large network.
    """
    code: int | str | None = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    if code is not None and not isinstance(code, int):  # sys.exit("message")
        err(str(code))
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code or 0)
