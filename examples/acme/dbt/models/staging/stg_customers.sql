-- Staging model: the PII columns are tagged in schema.yml, so this approved store may hold them.
select
    id as customer_id,
    email,
    full_name,
    created_at
from {{ source('shop', 'customers') }}
