-- sweepRetained: the instances not RUNNING whose retain_until is set and
-- due by now, soonest due first, at most `limit`.
-- Parameters: now, limit.
SELECT num FROM instances
WHERE retain_until IS NOT NULL AND retain_until <= ? AND status <> 'RUNNING'
ORDER BY retain_until, num LIMIT ?
