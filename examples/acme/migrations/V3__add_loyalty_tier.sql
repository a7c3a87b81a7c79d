-- Unsafe on a populated table: the NOT NULL column has no default, and the index
-- is built with a lock that blocks writes.
ALTER TABLE customers ADD COLUMN loyalty_tier text NOT NULL;

CREATE INDEX customers_email_idx ON customers (email);
