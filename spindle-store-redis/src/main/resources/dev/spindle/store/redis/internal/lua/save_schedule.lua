-- save_schedule(name, definition, next fire at, created at): adds or replaces a schedule; an
-- identical definition keeps the stored one. Returns {definition, next, last, version, created}.
local name, def, nx, ct = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local k = P .. 'sch:' .. name
local cur = redis.call('HMGET', k, 'd', 'nx', 'lf', 'v', 'ct')
if cur[1] and cur[1] == def then return cur end
local v = 1
if cur[1] then v = tonumber(cur[4]) + 1; ct = cur[5] end
redis.call('HSET', k, 'd', def, 'nx', nx, 'v', ids(v), 'ct', ct)
redis.call('ZADD', P .. 'scheds', ceilus(nx), name)
C.changed = true
notify()
return {def, nx, cur[3], ids(v), ct}
