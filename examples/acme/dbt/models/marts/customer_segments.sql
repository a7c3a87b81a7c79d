-- Safe: the email is hashed before it leaves staging.
select
    c.customer_id,
    md5(c.email) as email_key,
    sum(o.total_cents) as lifetime_cents
from {{ ref('stg_customers') }} as c
join {{ ref('stg_orders') }} as o on o.customer_id = c.customer_id
group by c.customer_id, c.email
