-- Unsafe twice over: reads public.customers (outside the allowed schemas) with SELECT *.
SELECT * FROM customers;
