-- Take back one attempt (its password check succeeded, so it was no failure).
delete from sign_in_attempts
where attempt_id = :attempt_id
