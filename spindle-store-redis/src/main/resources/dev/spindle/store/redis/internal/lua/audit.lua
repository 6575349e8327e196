-- audit(entry, kept): prepends an operator action (its id is assigned here) and keeps the newest
-- 'kept' entries. Returns the id.
local id = redis.call('INCR', P .. 'audit:seq')
redis.call('LPUSH', P .. 'audit', id .. '\t' .. ARGV[1])
redis.call('LTRIM', P .. 'audit', 0, tonumber(ARGV[2]) - 1)
return id
