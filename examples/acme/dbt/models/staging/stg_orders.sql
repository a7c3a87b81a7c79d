select
    id as order_id,
    customer_id,
    total_cents,
    placed_at
from {{ source('shop', 'orders') }}
