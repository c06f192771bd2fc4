"""The upload workflow behind the Upload page: check a file without storing it, keep it aside
until the user confirms, then load it (only for locations in the user's scope) and refresh
the classification of its months.

Files kept aside live in ``uploads/`` for at most an hour, within a count and a total size
(``config.KeepLimits.uploads``); a rejected file is not kept at all, only its problems (so
they can be downloaded)."""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import logging
import secrets
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from assortment import config, store
from assortment.config import KeepLimits, Settings
from assortment.errors import (
    AssortmentError,
    PublishError,
    RowError,
    UsageError,
    ValidationError,
)
from assortment.ingest import LoadResult, load_file, validate_file
from assortment.ingest.load import Drop
from assortment.ingest.retention import prune
from assortment.users import User
from dashboard.data import Data

log = logging.getLogger("dashboard")
KINDS = ("stock", "sales")
STASH_TTL_S = 3600
_TOKEN_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


class OutOfScopeError(AssortmentError):
    """The file has rows for locations the user may not load."""

    def __init__(self, file_name: str, locations: list[str]) -> None:
        self.file_name = file_name
        self.locations = locations
        shown = ", ".join(locations[:10]) + (
            f" and {len(locations) - 10} more" if len(locations) > 10 else ""
        )
        super().__init__(f"{file_name} has rows for locations that are not yours: {shown}")


@dataclass
class Check:
    """What checking an upload found (nothing is stored)."""

    file_name: str
    kind: str
    token: str
    result: LoadResult | None = None
    errors: list[RowError] = field(default_factory=list)
    total_errors: int = 0
    out_of_scope: list[str] = field(default_factory=list)
    problem: str | None = None  # unreadable file and the like

    @property
    def ok(self) -> bool:
        """True when the file may be loaded (drops need the person's confirmation)."""
        return (
            self.result is not None
            and not self.errors
            and not self.out_of_scope
            and not self.problem
        )

    @property
    def unchanged(self) -> bool:
        """True when this exact file is what is stored already: loading changes nothing."""
        return self.result is not None and self.result.already_loaded

    @property
    def drops(self) -> list[Drop]:
        """Counts that would keep far fewer styles than before (the completeness guard)."""
        return self.result.drops if self.result is not None else []


def decode_contents(contents: str) -> bytes:
    """The bytes of a dcc.Upload ``data:...;base64,...`` string; UsageError when malformed."""
    _, _, payload = (contents or "").partition(",")
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise UsageError("the uploaded file could not be decoded; please choose it again") from None


def _stash_dir(settings: Settings) -> Path:
    folder = Path(settings.data_dir) / "uploads"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def stash(settings: Settings, user: User, kind: str, file_name: str, data: bytes) -> str:
    """Keep an upload aside until it is confirmed; returns its random token.

    Older uploads make room (an hour at most, within a count and a total size).
    """
    folder = _stash_dir(settings)
    prune(folder, KeepLimits.uploads(), room_for=len(data) + 1024, room_files=2)
    token = secrets.token_urlsafe(24)
    try:
        (folder / f"{token}.bin").write_bytes(data)
        _write_meta(folder, token, {"user": user.username, "kind": kind, "file_name": file_name})
    except OSError as exc:
        drop(settings, token)
        from assortment.errors import environment_problem

        raise environment_problem(folder, exc, what="keep the upload in") from None
    return token


def _write_meta(folder: Path, token: str, meta: dict[str, Any]) -> None:
    (folder / f"{token}.json").write_text(
        json.dumps({**meta, "at": time.time()}, ensure_ascii=False), "utf-8"
    )


def _keep_problems_only(settings: Settings, token: str, errors: list[RowError], total: int) -> None:
    """A rejected upload: forget its bytes, keep its problems (for the download)."""
    folder = _stash_dir(settings)
    with contextlib.suppress(OSError):
        (folder / f"{token}.bin").unlink()
    with contextlib.suppress(OSError, ValueError):
        meta = json.loads((folder / f"{token}.json").read_text("utf-8"))
        meta["errors"] = [
            {
                "row": e.row,
                "column": e.column,
                "value": e.value,
                "reason": e.reason,
                "code": e.code,
                "params": e.params,
            }
            for e in errors
        ]
        meta["total_errors"] = total
        _write_meta(folder, token, meta)


def problems(settings: Settings, user: User, token: str) -> tuple[str, list[RowError]]:
    """(file name, problems) of a rejected upload of this user.

    Raises:
        UsageError: the upload is gone, expired or not this user's.
    """
    meta = _meta(settings, user, token)
    errors = [
        RowError(
            int(e["row"]),
            str(e["column"]),
            str(e["value"]),
            str(e["reason"]),
            code=str(e.get("code") or ""),
            params=dict(e.get("params") or {}),
        )
        for e in meta.get("errors", [])
    ]
    return str(meta["file_name"]), errors


def _meta(settings: Settings, user: User, token: str) -> dict[str, Any]:
    gone = "that upload is no longer available; please choose the file again"
    if not token or not set(token) <= _TOKEN_CHARS:
        raise UsageError(gone)
    try:
        meta = json.loads((_stash_dir(settings) / f"{token}.json").read_text("utf-8"))
    except (OSError, ValueError):
        raise UsageError(gone) from None
    if meta.get("user") != user.username or time.time() - float(meta.get("at", 0)) > STASH_TTL_S:
        raise UsageError(gone)
    return dict(meta)


def unstash(settings: Settings, user: User, token: str) -> tuple[str, str, bytes]:
    """(kind, file_name, bytes) of a stashed upload of this user.

    Raises:
        UsageError: the upload is gone, expired or not this user's.
    """
    meta = _meta(settings, user, token)
    try:
        data = (_stash_dir(settings) / f"{token}.bin").read_bytes()
    except OSError:
        raise UsageError(
            "that upload is no longer available; please choose the file again"
        ) from None
    return str(meta["kind"]), str(meta["file_name"]), data


def drop(settings: Settings, token: str) -> None:
    """Forget a stashed upload."""
    folder = _stash_dir(settings)
    for suffix in (".bin", ".json"):
        with contextlib.suppress(OSError):
            (folder / f"{token}{suffix}").unlink()


def allowed_locations(data: Data, user: User) -> set[str] | None:
    """Locations the user may load rows for (None: any, for an admin)."""
    if not user.can_upload:
        return set()
    if user.is_admin:
        return None
    return set(data.scope_locations(user)["location_id"].to_list())


def check(
    data: Data, user: User, kind: str, file_name: str, raw: bytes, *, today: date | None = None
) -> Check:
    """Validate an upload against the current snapshot and the user's scope; store nothing
    but the file aside (so it can be confirmed or its problems downloaded)."""
    if kind not in KINDS:
        raise UsageError(f"unknown file type {kind!r}; use stock or sales")
    if not user.can_upload:
        raise PermissionError("uploads are for distributors and admins")
    token = stash(data.settings, user, kind, file_name, raw)
    found = Check(file_name=file_name, kind=kind, token=token)
    cur = data.reader.cursor()
    try:
        _, found.result = validate_file(
            cur,
            kind,
            raw,
            file_name=file_name,
            today=today or config.today(),
            rules=data.settings.rules(),
        )
    except ValidationError as exc:
        found.errors, found.total_errors = exc.errors, exc.total
        _keep_problems_only(data.settings, token, exc.errors, exc.total)
        return found
    except AssortmentError as exc:
        found.problem = str(exc)
        drop(data.settings, token)
        return found
    finally:
        cur.close()
    allowed = allowed_locations(data, user)
    if allowed is not None:
        found.out_of_scope = sorted(set(found.result.locations) - allowed)
    return found


def error_frame(errors: list[RowError]) -> pl.DataFrame:
    """Every problem as a table: row, column, value, reason."""
    return pl.DataFrame(
        {
            "row": [e.row for e in errors],
            "column": [e.column for e in errors],
            "value": [e.value for e in errors],
            "reason": [e.reason for e in errors],
        },
        schema={"row": pl.Int64, "column": pl.String, "value": pl.String, "reason": pl.String},
    )


@dataclass
class Loaded:
    """What confirming an upload did."""

    result: LoadResult
    classified: list[str] = field(default_factory=list)
    classify_errors: dict[str, str] = field(default_factory=dict)
    published: bool = True
    """False when the data is stored but the dashboard's read copy could not be updated
    (PublishError: a full disk, say); the details are in the server's log."""


def confirm(
    data: Data, user: User, token: str, *, today: date | None = None, accept_drop: bool = False
) -> Loaded:
    """Load a stashed upload and re-classify each month it touched, on one writer: readers
    see the new counts together with their classification (one new snapshot, not one with the
    counts and another with the results moments later).

    The scope is checked again inside the writer, against the master's locations.

    Args:
        accept_drop: The person ticked "the count is complete" (the completeness guard).

    Raises:
        OutOfScopeError: rows for locations the user may not load (nothing stored).
        ValidationError: the file is invalid (nothing stored; the rejection is logged).
        CountDropError: counts would drop and ``accept_drop`` is false (nothing stored).
    """
    if not user.can_upload:
        raise PermissionError("uploads are for distributors and admins")
    settings = data.settings
    kind, file_name, raw = unstash(settings, user, token)
    today = today or config.today()
    published = True
    classified: list[str] = []
    classify_errors: dict[str, str] = {}
    try:
        with store.writer(settings) as con:
            _, checked = validate_file(
                con, kind, raw, file_name=file_name, today=today, rules=settings.rules()
            )
            if not user.is_admin:
                mine = set(store.query(con, "dash_scope_locations", **user.params())["location_id"])
                outside = sorted(set(checked.locations) - mine)
                if outside:
                    raise OutOfScopeError(file_name, outside)
            result = load_file(
                con,
                settings,
                kind,
                raw,
                file_name=file_name,
                loaded_by=user.username,
                today=today,
                accept_drop=accept_drop,
            )
            if result.result == "loaded":
                classified, classify_errors = _reclassify(con, settings, result.months)
    except PublishError as exc:  # stored in the master; the page says so without server paths
        log.error("upload %r by %s is stored but not published: %s", file_name, user.username, exc)
        published = False
    drop(settings, token)
    loaded = Loaded(
        result=result, published=published, classified=classified, classify_errors=classify_errors
    )
    data.refresh()
    return loaded


def _reclassify(
    con: duckdb.DuckDBPyConnection, settings: Settings, touched: list[str]
) -> tuple[list[str], dict[str, str]]:
    """Classify each month the load touched on its writer (each month its own transaction).

    Returns:
        The months classified, and the reason for each one that failed (its counts stay
        stored).
    """
    from assortment import job  # imported late: the job pulls in the whole rules engine

    rules = settings.rules()
    classified: list[str] = []
    errors: dict[str, str] = {}
    for month in touched:
        try:
            job.run_month(con, job.resolve_month(con, month), rules)
            classified.append(month)
        except AssortmentError as exc:
            errors[month] = str(exc)
        except Exception as exc:  # the data is stored; say so and log the cause
            log.exception("classification of %s after an upload failed", month)
            errors[month] = type(exc).__name__
    return classified, errors


def template(kind: str, locations: list[str], skus: pl.DataFrame, month: str) -> pl.DataFrame:
    """A template file for ``kind``: the headers and a few example rows with real codes."""
    qty = "on_hand" if kind == "stock" else "units_sold"
    rows = []
    for i, sku in enumerate(skus["sku"].to_list()[:3]):
        row: dict[str, Any] = {
            "month": month,
            "location_id": locations[0] if locations else "D01-S001",
            "sku": sku,
            qty: 3 - i,
        }
        if kind == "sales":
            row["amount"] = (3 - i) * 199
        rows.append(row)
    cols = ["month", "location_id", "sku", qty] + (["amount"] if kind == "sales" else [])
    return pl.DataFrame(
        rows, schema={c: (pl.Int64 if c in (qty, "amount") else pl.String) for c in cols}
    )
