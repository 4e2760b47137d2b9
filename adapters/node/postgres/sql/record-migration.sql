-- Records migration $1 (file name $2) as applied.
INSERT INTO schema_migrations (version, name) VALUES ($1::integer, $2::text)
