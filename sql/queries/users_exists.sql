-- One row: how many users are named $username (0 or 1).
select count(*) as n_users
from users
where username = $username
