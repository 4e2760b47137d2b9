-- Records the schema version a migration brought the file to. Parameters: version.
UPDATE taskmill_schema SET version = ?
