-- Records the schema version after a migration. Parameters: version.
UPDATE taskmill_schema SET version = ?
