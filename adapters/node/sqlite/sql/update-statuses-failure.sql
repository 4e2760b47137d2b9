-- Sets the failure columns a status update gave for one task (most updates
-- give none and never run this); each comes as a pair (1 to set it or 0 to
-- keep it, the new value); an error sets message and stack together.
-- Parameters: (set, failures), (set, not_before), (set, error_message),
-- (set, error_stack), id.
UPDATE tasks SET
  failures      = iif(?, ?, failures),
  not_before    = iif(?, ?, not_before),
  error_message = iif(?, ?, error_message),
  error_stack   = iif(?, ?, error_stack)
WHERE id = ?
