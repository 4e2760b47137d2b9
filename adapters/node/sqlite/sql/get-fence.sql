-- Reads the current fencing token of an instance; every write checks it
-- inside its own transaction. Parameters: num.
SELECT fence FROM instances WHERE num = ?
