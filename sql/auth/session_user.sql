-- The username of an unexpired session: one row, or none when it ended or never existed.
select username
from sessions
where session_hash = :session_hash
    and expires_at > :now
