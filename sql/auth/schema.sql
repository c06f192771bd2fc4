-- The sign-in state shared by every server thread and process (SQLite, WAL mode):
-- open sessions, and recent sign-in attempts for throttling.
-- session_hash is the sha256 of the session token; the token itself lives only in the
-- browser's signed cookie. Times are Unix seconds (REAL).
create table if not exists sessions (
    session_hash  text primary key,
    username      text not null,
    created_at    real not null,
    expires_at    real not null
);

create index if not exists sessions_by_username on sessions (username);

-- One row per sign-in attempt that was let through to a password check and not (yet) known
-- to have succeeded, per throttle key ('account:<name>' or 'address:<ip>').
create table if not exists sign_in_attempts (
    attempt_id    integer primary key autoincrement,
    throttle_key  text not null,
    attempted_at  real not null
);

create index if not exists sign_in_attempts_by_key on sign_in_attempts (throttle_key, attempted_at);
