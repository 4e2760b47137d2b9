-- Lowers the seq claimInit starts from, after a write that may have made
-- tasks from that seq on claimable. Parameters: seq, num.
UPDATE instances SET claim_from = min(claim_from, ?) WHERE num = ?
