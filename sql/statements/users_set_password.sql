-- Set the password hash of $username; returns one row per user changed (0 or 1).
update users
set password_hash = $password_hash
where username = $username
returning username
