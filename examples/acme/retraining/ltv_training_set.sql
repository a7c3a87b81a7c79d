-- Unsafe: the email reaches the training set in the clear.
SELECT
    a.customer_id,
    a.email,
    a.lifetime_cents
FROM analytics.customer_ltv AS a;

-- warden-ignore pii-unmasked-read: the phone column was hashed upstream
SELECT a.customer_id, md5(a.phone) AS phone_key FROM analytics.customer_ltv AS a;
