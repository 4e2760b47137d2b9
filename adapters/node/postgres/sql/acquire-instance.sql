-- acquireInstance: owner $2 takes instance $1; its token grows by one.
-- FOR UPDATE waits for every write in flight (they hold FOR KEY SHARE on the
-- row), so no write of the deposed owner lands after the new token is out.
-- No row comes back for an unknown instance.
WITH cur AS (
  SELECT ikey FROM instances WHERE id = $1::text FOR UPDATE
)
UPDATE instances i SET owner = $2::text, fence = i.fence + 1
FROM cur
WHERE i.ikey = cur.ikey
RETURNING i.fence
