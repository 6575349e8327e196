-- fire_schedule(rid, name, expected version, next fire at, fired tick or '', caller now, <job batch>): if the
-- schedule's version is still the expected one, adds the tick's jobs, moves the schedule on and
-- bumps its version - atomically. Returns 1, or 0 if the version differed (or it is gone).
local rid, name, expected, nx, tick = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local prev = replay(rid)
if prev then return tonumber(prev) end
local k = P .. 'sch:' .. name
local v = redis.call('HGET', k, 'v')
if not v or v ~= expected then return 0 end
enqueue(7, (storeclock(ARGV[6])))
redis.call('HSET', k, 'nx', nx, 'v', ids(tonumber(v) + 1))
if tick == '' then redis.call('HDEL', k, 'lf') else redis.call('HSET', k, 'lf', tick) end
redis.call('ZADD', P .. 'scheds', ceilus(nx), name)
flush()
C.changed = true
notify()
remember(rid, '1')
return 1
