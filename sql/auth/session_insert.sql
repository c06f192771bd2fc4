-- Record one new session (one row per session).
insert into sessions (session_hash, username, created_at, expires_at)
values (:session_hash, :username, :now, :expires_at)
