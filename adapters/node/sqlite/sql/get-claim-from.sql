-- Reads the seq claimInit starts from: no task below it is claimable.
-- Parameters: num.
SELECT claim_from FROM instances WHERE num = ?
