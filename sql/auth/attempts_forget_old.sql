-- Forget attempts older than the throttle window.
delete from sign_in_attempts
where attempted_at <= :since
