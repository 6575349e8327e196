-- enqueue_one(rid, epoch, caller now, policy id, policy text or '' (stored already), queue,
-- priority, run at, created at, delayed (1/0), job text): enqueue() for one job without a unique
-- key, dependencies or a flow key, the shape of most single enqueues, with the fewest commands:
-- its writes go straight to Redis (started with enter(), not begin()). The reply is enqueue()'s:
-- {'ids', id}, or {'epoch', marker or ''} as there. Fails under OOM before changing anything (the
-- INCRBY is its first write).
local rid = ARGV[1]
local prev = replay(rid)
if prev then return cjson.decode(prev) end
if ARGV[2] ~= '' then
  local ep = redis.call('GET', P .. 'epoch')
  if ep ~= ARGV[2] then return {'epoch', ep or ''} end
end
local now = storenow(ARGV[3])
local id = ids(redis.call('INCRBY', P .. 'id', 1))
local po, q, p = ARGV[4], ARGV[6], tonumber(ARGV[7])
if ARGV[5] ~= '' then redis.call('HSETNX', P .. 'pol', po, ARGV[5]) end
local ra = now
if ARGV[8] ~= ARGV[9] then ra = tadd(now, tsub(ARGV[8], ARGV[9])) end
local s, key, score = 'QUEUED', rkey(q), ids(-p)
if ARGV[10] == '1' then s, key, score = 'SCHEDULED', P .. 'sched', ids(ceilus(ra)) end
local m = mem(id)
redis.call('MSET', hkey(id), ARGV[11], skey(id), status({s = s, n = 0, f = 0, l = 0, ra = ra, p = p, q = q, po = po}))
redis.call('ZADD', key, score, m)
redis.call('ZADD', P .. 'all', id, m)
-- a queue with a job counted is in P..'queues' (purge_expired forgets it only when every count is 0)
if redis.call('HINCRBY', nkey(q), s, 1) == 1 then redis.call('SADD', P .. 'queues', q) end
if redis.call('SISMEMBER', P .. 'fq', q) == 1 then redis.call('HDEL', P .. 'fh', q) end
CHANGED = true
notify()
remember(rid, '["ids","' .. id .. '"]')
return {'ids', id}
