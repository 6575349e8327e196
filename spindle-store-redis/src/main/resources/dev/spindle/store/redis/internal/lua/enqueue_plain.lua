-- enqueue_plain(rid, epoch, reply ttl, caller now, <job batch>): enqueue() for jobs without unique
-- keys, dependencies or flow keys, the shape of most enqueues, with the fewest commands: one per key
-- written, straight to Redis (the call starts with enter(), not begin()). The batch is enqueue()'s
-- (EnqueueArgs.appendJobs; a policy's text is '' once the client stored it under the epoch in
-- force, the unique keys are all ''). The reply is enqueue()'s: {'ids', first id}, or
-- {'epoch', marker or ''} as there. Fails under OOM before changing anything (the INCRBY of the
-- ids is its first write).
local rid = ARGV[1]
local early, waiting, top = enqueuefirst(rid, ARGV[2])
if early then return early end
local now = storenow(ARGV[4])
local npol = tonumber(ARGV[5])
local groups = 6 + 2 * npol
local total, x = 0, groups + 1
for _ = 1, tonumber(ARGV[groups]) do
  local n = tonumber(ARGV[x + 6])
  total, x = total + n, x + 7 + 2 * n
end
local id = redis.call('INCRBY', P .. 'id', total) - total
local pols = {}
for k = 1, npol do
  local at = 4 + 2 * k
  pols[k] = ARGV[at]
  if ARGV[at + 1] ~= '' then redis.call('HSETNX', P .. 'pol', ARGV[at], ARGV[at + 1]) end
end
local strings, indexes, counts, first = {}, {}, {}, ids(id + 1)
x = groups + 1
for _ = 1, tonumber(ARGV[groups]) do
  local q, p, delayed, po, n = ARGV[x], ARGV[x + 1], ARGV[x + 4], pols[tonumber(ARGV[x + 5])], tonumber(ARGV[x + 6])
  local ra = now
  if ARGV[x + 2] ~= ARGV[x + 3] then ra = tadd(now, tsub(ARGV[x + 2], ARGV[x + 3])) end
  local s, key, score = startindex(q, tonumber(p), delayed == '1', ra)
  local text = status({s = s, n = 0, f = 0, l = 0, ra = ra, p = tonumber(p), q = q, po = po})
  addplain(strings, indexes, id, x, n, key, score, text)
  id = id + n
  count(q, s, n, counts)
  x = x + 7 + 2 * n
end
chunked('MSET', nil, strings, 2)
for key, l in pairs(indexes) do chunked('ZADD', key, l, 2) end
addexisting(first, id, top)
for q, byState in pairs(counts) do
  for s, n in pairs(byState) do
    -- a queue with a job counted is in P..'queues' (purge_expired forgets it only when every count is 0)
    if redis.call('HINCRBY', nkey(q), s, n) == n then redis.call('SADD', P .. 'queues', q) end
  end
  if redis.call('SISMEMBER', P .. 'fq', q) == 1 then redis.call('HDEL', P .. 'fh', q) end
end
wakewaiting(waiting)
remember(rid, '["ids","' .. first .. '"]', ARGV[3])
return {'ids', first}
