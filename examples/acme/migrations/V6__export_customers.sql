-- Exports customers' emails to a file in the clear.
COPY (SELECT id, email FROM customers) TO '/tmp/customers.csv' WITH (FORMAT csv);
