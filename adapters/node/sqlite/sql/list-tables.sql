-- Lists the tables of the database (SQLite's own aside), to tell a fresh
-- file, a taskmill store and a foreign database apart. No parameters.
SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name
