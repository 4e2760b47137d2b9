-- maxSeq: the highest seq stored for instance $1, or -1.
SELECT coalesce(max(seq), -1) AS max_seq
FROM tasks
WHERE ikey = (SELECT ikey FROM instances WHERE id = $1::text)
