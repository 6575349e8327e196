-- purge_expired(nowUs, maxSucceeded, maxFailed, batch): deletes finished jobs whose expiry passed,
-- then the oldest finished jobs beyond the limits; at most batch. Returns how many. Runs under OOM
-- (it frees memory).
redis.call('DEL', P .. 'oom')
local nowus, maxok, maxbad, batch = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local deleted = 0
for _, m in ipairs(redis.call('ZRANGEBYSCORE', P .. 'exp', '-inf', nowus, 'LIMIT', 0, batch)) do
  deletejob(unmem(m))
  deleted = deleted + 1
end
flush()
for _, kind in ipairs({{P .. 'ok', maxok}, {P .. 'bad', maxbad}}) do
  local excess = redis.call('ZCARD', kind[1]) - kind[2]
  if excess > 0 and deleted < batch then
    local take = math.min(excess, batch - deleted)
    for _, m in ipairs(redis.call('ZRANGE', kind[1], 0, take - 1)) do
      deletejob(unmem(m))
      deleted = deleted + 1
    end
    flush()
  end
end
if deleted > 0 then
  -- forget queues left without jobs and without a limit
  for _, q in ipairs(redis.call('SMEMBERS', P .. 'queues')) do
    local empty = true
    local c = redis.call('HGETALL', nkey(q))
    for x = 2, #c, 2 do
      if tonumber(c[x]) ~= 0 then empty = false end
    end
    if empty and not redis.call('HGET', P .. 'limits', q) then
      redis.call('DEL', nkey(q))
      redis.call('SREM', P .. 'queues', q)
    end
  end
end
return deleted
