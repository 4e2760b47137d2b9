-- The DDL dropping a store's schema ($1 schema name) and everything in it, quoted by the server.
SELECT format('DROP SCHEMA IF EXISTS %I CASCADE', $1::text) AS ddl
