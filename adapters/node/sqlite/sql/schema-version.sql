-- Reads the schema version recorded by the migrations. No parameters.
SELECT version FROM taskmill_schema
