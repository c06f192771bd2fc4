-- Forget sessions that have expired.
delete from sessions
where expires_at <= :now
