-- The schema's version: the highest migration applied, 0 for a new schema.
SELECT coalesce(max(version), 0)::integer AS version FROM schema_migrations
