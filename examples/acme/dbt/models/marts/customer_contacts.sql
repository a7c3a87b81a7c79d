{{ config(materialized='table') }}

-- The email flows from stg_customers, but schema.yml does not tag this column pii.
select
    c.customer_id,
    c.email,
    count(o.order_id) as order_count
from {{ ref('stg_customers') }} as c
left join {{ ref('stg_orders') }} as o on o.customer_id = c.customer_id
group by c.customer_id, c.email
