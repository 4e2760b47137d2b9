-- The DDL creating the store's schema ($1 schema name), quoted by the server.
SELECT format('CREATE SCHEMA IF NOT EXISTS %I', $1::text) AS ddl
