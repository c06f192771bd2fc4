-- One row per dashboard user, with the password hash (sign-in only).
select username, password_hash, role, scope, display_name
from users
order by username
