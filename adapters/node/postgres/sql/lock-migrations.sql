-- Serializes schema migrations of one schema across every process opening it
-- ($1 schema name); released when the migration transaction ends.
SELECT pg_advisory_xact_lock(hashtext('taskmill.migrate'), hashtext($1::text))
