-- End one session (sign-out).
delete from sessions
where session_hash = :session_hash
