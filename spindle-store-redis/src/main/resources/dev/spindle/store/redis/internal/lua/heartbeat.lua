-- heartbeat(worker, record JSON, lease end us): registers the worker, extends its lease over every
-- job it holds. Returns {held ids, held ids with a cancel request}. Runs under OOM (see lib).
redis.call('DEL', P .. 'oom')
local w = ARGV[1]
redis.call('HSET', P .. 'workers', w, ARGV[2])
redis.call('ZADD', P .. 'leases', tonumber(ARGV[3]), w)
return {redis.call('SMEMBERS', wkey(w)), redis.call('SINTER', wkey(w), P .. 'cxl')}
