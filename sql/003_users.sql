-- Dashboard users: who may sign in and what they may see.
-- role: admin (everything), rep (locations whose rep = scope), distributor (location_id or
-- distributor_id = scope). password_hash is scrypt with a random salt (assortment/users.py).

create table users (
    username       varchar primary key,
    password_hash  varchar not null,
    role           varchar not null,
    scope          varchar,
    display_name   varchar,
    created_at     timestamp not null default current_timestamp
);
