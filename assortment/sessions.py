"""Sign-in state shared by every server thread and process: revocable sessions and throttling.

Why not the DuckDB database: it has one writer process at a time (a file lock) and readers
on published snapshots (see ``store``). Writing a session or a failed sign-in there would
take the writers' lock and publish a whole snapshot per sign-in, and a reader could not see
a sign-out until the next publish. So this state lives in a small SQLite file next to the
database, ``<data dir>/auth.sqlite``, in WAL mode: any number of processes read and write
it, each write is one short transaction, and ``begin immediate`` makes the throttle's
check-and-count atomic across threads and processes.

Choices:

* A session is a random token in the browser's signed cookie; the file keeps only its
  sha256, the username and an absolute expiry. Sign-out deletes the row, so a copied cookie
  stops working at once; a password change or user removal deletes all the user's rows.
* Throttling counts attempts per account and per client address in a sliding window.
  An attempt is counted *before* its password check (so 50 parallel guesses let at most
  ``account_limit`` checks through) and taken back when the password was right. Attempts
  refused by the throttle are not counted. The address limit is above the account limit,
  so the failures of one account can never reach it: one account's lock-out never blocks
  another account's sign-in, even when every client comes through one reverse proxy.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from assortment.config import Settings
from assortment.store import SQL_DIR

SESSION_HOURS = 12
ACCOUNT_LIMIT = 10
ADDRESS_LIMIT = 30
WINDOW_S = 600.0
_BUSY_TIMEOUT_S = 30.0


@functools.cache
def _sql(name: str) -> str:
    return (SQL_DIR / "auth" / f"{name}.sql").read_text("utf-8")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Ticket:
    """An attempt let through to a password check; give it back with ``succeeded``."""

    attempt_ids: tuple[int, ...]


class AuthState:
    """Sessions and sign-in attempts in ``<data dir>/auth.sqlite`` (safe across processes).

    Args:
        settings: Where the data folder is.
        account_limit: Attempts per account within ``window_s``.
        address_limit: Attempts per client address within ``window_s``.
        window_s: The throttle's sliding window in seconds.
        session_hours: How long a session lasts after sign-in.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        account_limit: int = ACCOUNT_LIMIT,
        address_limit: int = ADDRESS_LIMIT,
        window_s: float = WINDOW_S,
        session_hours: float = SESSION_HOURS,
    ) -> None:
        self.path: Path = settings.data_dir / "auth.sqlite"
        self.account_limit = account_limit
        self.address_limit = max(address_limit, account_limit + 1)
        self.window_s = window_s
        self.session_s = session_hours * 3600
        self._local = threading.local()

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection (opened once per thread and process; a forked child opens
        its own)."""
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None or getattr(self._local, "pid", None) != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            con = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
            # the first connections of several processes may race to create the file and
            # switch it to WAL: one at a time (a lock file beside it)
            with open(self.path.with_suffix(".lock"), "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                con.execute("pragma journal_mode = wal")
                con.executescript(_sql("schema"))
            con.execute("pragma synchronous = normal")
            self._local.con, self._local.pid = con, os.getpid()
        yield con

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One ``begin immediate`` transaction: other writers wait, so check-and-count is atomic."""
        with self._connect() as con:
            con.execute("begin immediate")
            try:
                yield con
                con.execute("commit")
            except BaseException:
                con.execute("rollback")
                raise

    # ------------------------------------------------------------ sessions

    def open_session(self, username: str) -> str:
        """Start a session for ``username``; returns the token to put in the cookie."""
        token = secrets.token_urlsafe(32)
        now = time.time()
        with self._transaction() as con:
            con.execute(_sql("session_delete_expired"), {"now": now})
            con.execute(
                _sql("session_insert"),
                {
                    "session_hash": _digest(token),
                    "username": username,
                    "now": now,
                    "expires_at": now + self.session_s,
                },
            )
        return token

    def session_user(self, token: str | None) -> str | None:
        """The username of an open session, or None when it ended, expired or never existed."""
        if not token:
            return None
        with self._connect() as con:
            row = con.execute(
                _sql("session_user"), {"session_hash": _digest(token), "now": time.time()}
            ).fetchone()
        return str(row[0]) if row else None

    def end_session(self, token: str | None) -> None:
        """End one session (sign-out); a copy of its cookie no longer signs anyone in."""
        if token:
            with self._transaction() as con:
                con.execute(_sql("session_delete"), {"session_hash": _digest(token)})

    def end_sessions_of(self, username: str) -> None:
        """End every session of ``username`` (password change, removal)."""
        with self._transaction() as con:
            con.execute(_sql("session_delete_user"), {"username": username})

    # ------------------------------------------------------------ throttling

    def attempt(self, username: str, address: str) -> Ticket | None:
        """Count a sign-in attempt before its password is checked.

        Returns:
            A ticket when the attempt may go on to the password check; None when the account
            or the address has used up its attempts in the window (nothing is counted then).
        """
        now = time.time()
        account_key = f"account:{username.strip().lower()}"
        address_key = f"address:{address}"
        with self._transaction() as con:
            con.execute(_sql("attempts_forget_old"), {"since": now - self.window_s})
            n_account, n_address = con.execute(
                _sql("attempts_count"),
                {
                    "account_key": account_key,
                    "address_key": address_key,
                    "since": now - self.window_s,
                },
            ).fetchone()
            if n_account >= self.account_limit or n_address >= self.address_limit:
                return None
            ids = tuple(
                int(
                    con.execute(
                        _sql("attempt_insert"), {"throttle_key": key, "now": now}
                    ).fetchone()[0]
                )
                for key in (account_key, address_key)
            )
        return Ticket(attempt_ids=ids)

    def succeeded(self, ticket: Ticket) -> None:
        """The password was right: the attempt no longer counts as a failure."""
        with self._transaction() as con:
            for attempt_id in ticket.attempt_ids:
                con.execute(_sql("attempt_delete"), {"attempt_id": attempt_id})


def for_settings(settings: Settings) -> AuthState:
    """The sign-in state of ``settings``' data folder with the default limits."""
    return AuthState(settings)
