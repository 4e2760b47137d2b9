-- countByStatus: tasks of instance $1 per name and status (empty pairs never appear).
SELECT name, status, count(*)::integer AS count
FROM tasks
WHERE ikey = (SELECT ikey FROM instances WHERE id = $1::text)
GROUP BY name, status
ORDER BY name, status
