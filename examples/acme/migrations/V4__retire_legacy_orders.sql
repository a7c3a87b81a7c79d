SET lock_timeout = '5s';

-- warden-ignore ban-drop-table: legacy_orders was archived to cold storage in OPS-1234
DROP TABLE legacy_orders;

-- warden-ignore ban-truncate
TRUNCATE orders_archive_staging;
