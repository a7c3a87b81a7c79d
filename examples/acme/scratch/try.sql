-- Excluded by warden.config.yaml (exclude: **/scratch/**): never checked.
DROP TABLE customers;
