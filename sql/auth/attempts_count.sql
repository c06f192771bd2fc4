-- One row: the attempts within the window for the account key and for the address key.
select
    count(*) filter (where throttle_key = :account_key) as n_account,
    count(*) filter (where throttle_key = :address_key) as n_address
from sign_in_attempts
where attempted_at > :since
    and throttle_key in (:account_key, :address_key)
