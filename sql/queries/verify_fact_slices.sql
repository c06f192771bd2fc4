-- One row per (kind, month, location) slice present in only one of the fact tables
-- (stock, sales) and slice_source: data no load wrote, or a load whose rows are gone.
with facts as (
    select distinct 'stock' as kind, month, location_key from stock
    union all
    select distinct 'sales' as kind, month, location_key from sales
),

sources as (
    select kind, month, location_key from slice_source
),

joined as (
    select
        coalesce(f.kind, s.kind) as kind,
        coalesce(f.month, s.month) as month,
        coalesce(f.location_key, s.location_key) as location_key,
        f.kind is not null as is_in_facts,
        s.kind is not null as is_in_sources
    from facts as f
    full outer join sources as s
        on f.kind = s.kind and f.month = s.month and f.location_key = s.location_key
),

final as (
    select
        j.kind,
        strftime(j.month, '%Y-%m') as month,
        coalesce(l.location_id, '#' || j.location_key::varchar) as location_id,
        case when j.is_in_facts then 'no_source' else 'rows_missing' end as problem
    from joined as j
    left join locations as l using (location_key)
    where not (j.is_in_facts and j.is_in_sources)
)

select * from final order by kind, month, location_id
