-- oldest(): the run-at time of the QUEUED job with the lowest id, or false if none waits. Each
-- ready set orders by priority then id, so the lowest id of a queue is the first member of one of
-- its priority levels: one call per level present. Read-only.
local best
for _, q in ipairs(redis.call('SMEMBERS', P .. 'queues')) do
  local key = rkey(q)
  local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  local levels = 0
  while first[1] and levels < 1000 do
    if not best or first[1] < best then best = first[1] end
    first = redis.call('ZRANGEBYSCORE', key, '(' .. first[2], '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
    levels = levels + 1
  end
end
if not best then return false end
local j = load(unmem(best))
if not j then return false end
return j.ra
