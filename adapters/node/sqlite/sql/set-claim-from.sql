-- Moves the seq claimInit starts from past what a claim took (or past every
-- seq when nothing claimable is left). Parameters: seq, num.
UPDATE instances SET claim_from = ? WHERE num = ?
