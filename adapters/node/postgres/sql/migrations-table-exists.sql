-- Whether schema $1 holds a schema_migrations table (read before any DDL, so
-- opening an up-to-date store needs no CREATE privilege and takes no lock).
SELECT to_regclass(format('%I.schema_migrations', $1::text)) IS NOT NULL AS present
