-- One row per dashboard user, without the password hash, by username.
select username, role, scope, display_name
from users
order by username
