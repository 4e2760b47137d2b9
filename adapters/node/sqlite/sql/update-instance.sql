-- Changes the patched fields of an instance record; each field comes as a
-- pair (1 to set it or 0 to keep it, the new value).
-- Parameters: (set, status), (set, result), (set, serial_num),
-- (set, finished_at), (set, progress), num.
UPDATE instances SET
  status      = iif(?, ?, status),
  result      = iif(?, ?, result),
  serial_num  = iif(?, ?, serial_num),
  finished_at = iif(?, ?, finished_at),
  progress    = iif(?, ?, progress)
WHERE num = ?
