SET lock_timeout = '5s';

-- Unsafe: rewrites every customer row in one transaction.
UPDATE customers SET loyalty_tier = 'basic';

-- Safe: bounded by a WHERE clause.
DELETE FROM orders WHERE placed_at < now() - interval '7 years';

-- A typo the database would reject.
ALTER TABLE orders ADD COLUMN note text DEFALT '';
