-- renewLeases: the instances named in $2 (ids) whose owner is $1 and whose
-- token is the one beside it in $3 get lease_until $4. Comes back: the ids
-- renewed. A row another master acquired meanwhile no longer matches: an
-- acquisition's FOR UPDATE and this UPDATE serialize on the row, and the
-- second re-checks the token of the row as the first left it.
UPDATE instances i SET lease_until = $4::bigint
FROM unnest($2::text[], $3::float8[]) AS u(id, token)
WHERE i.id = u.id AND i.fence = u.token AND i.owner = $1::text
RETURNING i.id
