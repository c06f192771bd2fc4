"""Users of the dashboard: scrypt password hashes in the database, roles and scopes, and the
management the CLI and the Users page share (removal and a new password end open sessions)."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from typing import Any

import duckdb

from assortment import sessions, store
from assortment.config import Settings
from assortment.errors import UsageError

ROLES = ("admin", "rep", "distributor")
_USERNAME = re.compile(r"^[A-Za-z0-9_.@\-]{1,64}$")
MIN_PASSWORD = 8
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
DEMO_PASSWORDS = {"admin": "admin-demo", "rep": "rep-demo", "distributor": "distributor-demo"}


@dataclass(frozen=True, slots=True)
class User:
    """A signed-in user and what they may see.

    Attributes:
        username: Login name.
        role: ``admin``, ``rep`` or ``distributor``.
        scope: For a rep the rep name of ``locations.rep``; for a distributor its location_id.
        display_name: Name shown in the header.
    """

    username: str
    role: str
    scope: str | None = None
    display_name: str | None = None

    @property
    def is_admin(self) -> bool:
        """Admins see everything, the order plan and user management."""
        return self.role == "admin"

    @property
    def can_upload(self) -> bool:
        """Admins and distributors upload stock and sales files."""
        return self.role in ("admin", "distributor")

    @property
    def sees_reps(self) -> bool:
        """Admins see every rep's scorecard, a rep their own; distributors none."""
        return self.role in ("admin", "rep")

    @property
    def label(self) -> str:
        """Name for the header."""
        return self.display_name or self.username

    def params(self) -> dict[str, Any]:
        """The bound ``$role`` and ``$scope`` of every ``dash_*`` query: the arguments of the one
        scope rule, ``scoped_locations(role, scope)`` (sql/005_scope.sql)."""
        return {"role": self.role, "scope": self.scope or ""}


# ---------------------------------------------------------------- passwords


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$hash`` (hex) with a random 16-byte salt."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


_DUMMY_HASH = hash_password(secrets.token_hex(8))


def verify_password(password: str, stored: str | None) -> bool:
    """Constant-time check of ``password`` against a stored hash (False for None or junk).

    An unknown user is checked against a dummy hash, so both cases take the same time.
    """
    try:
        algo, n, r, p, salt, digest = (stored or _DUMMY_HASH).split("$")
        if algo != "scrypt":
            return False
        got = hashlib.scrypt(
            password.encode("utf-8"),
            salt=bytes.fromhex(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(digest) // 2,
        )
    except (ValueError, TypeError):
        return False
    return stored is not None and hmac.compare_digest(got.hex(), digest)


# ---------------------------------------------------------------- user management (CLI)


def _check_username(username: str) -> None:
    if not _USERNAME.match(username or ""):
        raise UsageError(
            f"bad username {username!r}: use 1-64 letters, digits, '.', '_', '-' or '@'"
        )


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise UsageError(f"the password must have at least {MIN_PASSWORD} characters")


def _check_scope(con: duckdb.DuckDBPyConnection, role: str, scope: str | None) -> str | None:
    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    if role == "admin":
        return None
    if not scope:
        what = "a rep name from locations.csv" if role == "rep" else "a distributor_id"
        raise UsageError(f"a {role} needs --scope ({what})")
    if role == "rep":
        if not store.query(con, "users_rep_locations", rep=scope).item():
            raise UsageError(f"no location has rep {scope!r} (check the locations file)")
    else:
        if not store.query(con, "users_distributor", location_id=scope).item():
            raise UsageError(f"{scope!r} is not a known distributor location_id")
    return scope


def _put_user(
    con: duckdb.DuckDBPyConnection,
    username: str,
    password: str,
    *,
    role: str,
    scope: str | None,
    display_name: str | None,
    replace: bool,
) -> None:
    _check_username(username)
    _check_password(password)
    scope = _check_scope(con, role, scope)
    if store.query(con, "users_exists", username=username).item() and not replace:
        raise UsageError(
            f"user {username!r} already exists; "
            "use `assortment users set-password` or remove it first"
        )
    con.execute("begin transaction")
    try:
        store.execute(con, "users_delete", username=username)
        store.execute(
            con,
            "users_insert",
            username=username,
            password_hash=hash_password(password),
            role=role,
            scope=scope,
            display_name=display_name,
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def add_user(
    settings: Settings,
    username: str,
    password: str,
    *,
    role: str,
    scope: str | None,
    display_name: str | None,
    replace: bool = False,
) -> None:
    """Add a user (a writer: takes the lock and publishes a snapshot).

    Raises:
        UsageError: bad username, short password, unknown role, a scope that names no
            rep or distributor, or (without ``replace``) an existing username.
    """
    _check_username(username)
    _check_password(password)
    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    with store.writer(settings) as con:
        _put_user(
            con,
            username,
            password,
            role=role,
            scope=scope,
            display_name=display_name,
            replace=replace,
        )


def list_users(settings: Settings) -> list[dict[str, Any]]:
    """Every user: username, role, scope, display_name (sorted by username)."""
    with store.reader(settings) as con:
        try:
            rows = store.query(con, "users_list")
        except duckdb.CatalogException:
            return []
    return rows.to_dicts()


def remove_user(settings: Settings, username: str) -> None:
    """Remove a user and end their open sessions; UsageError when there is no such user."""
    with store.writer(settings) as con:
        if not store.execute(con, "users_delete", username=username):
            raise UsageError(f"no user {username!r}")
    sessions.for_settings(settings).end_sessions_of(username)


def set_password(settings: Settings, username: str, password: str) -> None:
    """Set a user's password and end their open sessions; UsageError for an unknown user."""
    _check_password(password)
    with store.writer(settings) as con:
        changed = store.execute(
            con, "users_set_password", username=username, password_hash=hash_password(password)
        )
        if not changed:
            raise UsageError(f"no user {username!r}")
    sessions.for_settings(settings).end_sessions_of(username)


def demo_users(settings: Settings) -> list[str]:
    """Create (or overwrite) the demo logins and return them as printable lines.

    ``admin`` / ``admin-demo``; ``rep`` / ``rep-demo`` for the rep with the most active
    locations; ``distributor`` / ``distributor-demo`` for the distributor with the most stores.

    Returns:
        A header line and one ``url user password role scope`` line per login.
    """
    host = os.environ.get("ASSORTMENT_HOST", "127.0.0.1")
    url = f"http://{host}:{os.environ.get('ASSORTMENT_PORT', '8050')}"
    lines = ["url  user  password  role  scope"]
    with store.writer(settings) as con:
        rep = store.query(con, "users_demo_rep").rows()
        dist = store.query(con, "users_demo_distributor").rows()
        wanted: list[tuple[str, str | None, str]] = [("admin", None, "Admin")]
        if rep:
            wanted.append(("rep", str(rep[0][0]), str(rep[0][0])))
        if dist:
            wanted.append(("distributor", str(dist[0][0]), str(dist[0][1])))
        for role, scope, name in wanted:
            _put_user(
                con,
                role,
                DEMO_PASSWORDS[role],
                role=role,
                scope=scope,
                display_name=name,
                replace=True,
            )
            lines.append(f"{url}  {role}  {DEMO_PASSWORDS[role]}  {role}  {scope or '-'}")
    return lines
