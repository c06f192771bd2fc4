-- Remove the user $username; returns one row per user removed (0 or 1).
delete from users
where username = $username
returning username
