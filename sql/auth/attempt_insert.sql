-- Count one attempt against a throttle key; returns its id.
insert into sign_in_attempts (throttle_key, attempted_at)
values (:throttle_key, :now)
returning attempt_id
