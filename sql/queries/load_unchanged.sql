-- One row: how many (month, location) slices the registered file `incoming` holds, and how
-- many of them were last written by a file of kind $kind with sha256 $sha256.
with slices as (
    select distinct month, location_key
    from incoming
),

sources as (
    select month, location_key, sha256
    from slice_source
    where kind = $kind
),

final as (
    select
        count(*) as n_slices,
        count(src.sha256) filter (where src.sha256 = $sha256) as n_same
    from slices as s
    left join sources as src using (month, location_key)
)

select * from final
