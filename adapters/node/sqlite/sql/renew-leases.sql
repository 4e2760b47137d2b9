-- renewLeases, one lease per run: extends it when the owner and token are
-- still the ones given; a row comes back when it was renewed.
-- Parameters: lease_until, instance_id, owner, fence.
UPDATE instances SET lease_until = ? WHERE instance_id = ? AND owner = ? AND fence = ? RETURNING num
