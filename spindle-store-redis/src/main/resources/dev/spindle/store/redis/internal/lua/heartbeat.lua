-- heartbeat(worker, record JSON, caller now, lease end[, task names]): registers the worker, extends its lease
-- over every job it holds. The lease end, on the worker's clock, is moved onto the store's (TIME):
-- a lease of 10 s ends 10 s after this call whatever the worker's clock says. Records the offset
-- of the two clocks. The task names (comma-separated), when sent, replace the worker's in P..'wt';
-- absent, the names kept stay. Returns {held ids, held ids with a cancel request, the store's now}. Runs
-- under OOM (see keys.lua).
redis.call('DEL', P .. 'oom')
local w = ARGV[1]
local now, offset = storeclock(ARGV[3])
redis.call('HSET', P .. 'workers', w, ARGV[2])
redis.call('HSET', P .. 'clk', w, offset)
if ARGV[5] then redis.call('HSET', P .. 'wt', w, ARGV[5]) end
redis.call('ZADD', P .. 'leases', ids(ceilus(tadd(ARGV[4], offset))), w)
return {redis.call('SMEMBERS', wkey(w)), redis.call('SINTER', wkey(w), P .. 'cxl'), now}
