-- Safe: reads only from the features schema and masks the email.
SELECT
    a.customer_id,
    md5(a.email) AS email_key,
    acme.mask_email(a.email) AS email_masked,
    a.orders_90d,
    a.days_since_last_order
FROM features.customer_activity AS a
WHERE a.days_since_last_order IS NOT NULL;
