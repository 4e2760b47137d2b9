-- Changes the patched fields of an instance record; each field comes as a
-- pair (1 to set it or 0 to keep it, the new value).
-- Parameters: (set, status), (set, result), (set, serial_num),
-- (set, finished_at), (set, progress), (set, failed_count), (set, errors),
-- (set, started_at), (set, retain_until), num.
UPDATE instances SET
  status       = iif(?, ?, status),
  result       = iif(?, ?, result),
  serial_num   = iif(?, ?, serial_num),
  finished_at  = iif(?, ?, finished_at),
  progress     = iif(?, ?, progress),
  failed_count = iif(?, ?, failed_count),
  errors       = iif(?, ?, errors),
  started_at   = iif(?, ?, started_at),
  retain_until = iif(?, ?, retain_until)
WHERE num = ?
