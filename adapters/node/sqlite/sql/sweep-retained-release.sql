-- sweepRetained, once an instance's tasks are deleted: nothing is retained
-- any more, and claimInit starts from the first seq again. Parameters: num.
UPDATE instances SET retain_until = NULL, claim_from = 0 WHERE num = ?
