-- purge_expired(caller now, maxSucceeded, maxFailed, batch): deletes finished jobs whose expiry passed,
-- then the oldest finished jobs beyond the limits (in the order of JobRules.Kept, as RULES.KEPT[1],
-- RULES.KEPT[2] name their sets), but never one a waiting job still needs (awaited; an expired one
-- is looked at again a minute later); at most batch. Returns how many. Runs under OOM (it frees
-- memory).
redis.call('DEL', P .. 'oom')
local batch = tonumber(ARGV[4])
local nowus = floorus((storeclock(ARGV[1])))
local deleted = 0
-- Expired jobs, through the expiry buckets (see keys.lua): each due bucket names a range of finish
-- sequence numbers; the finished jobs in that range whose own expiry has passed are deleted. A
-- bucket cut short by the batch limit is put back for the rest of its range.
local KEXP = P .. 'exp'
local RECHECK_US = 60000000 -- an awaited job's expiry is looked at again this much later
while deleted < batch do
  local due = redis.call('ZRANGEBYSCORE', KEXP, '-inf', nowus, 'WITHSCORES', 'LIMIT', 0, 1)
  if #due == 0 then break end
  local bucket, score = due[1], due[2]
  local lo, hi = string.match(bucket, '^(%d+):(%d+)$')
  redis.call('ZREM', KEXP, bucket)
  if lo then
    local room = batch - deleted
    local found = {}
    for _, k in ipairs(RULES.KEPT) do
      local r = redis.call('ZRANGEBYSCORE', P .. k, lo, hi, 'WITHSCORES', 'LIMIT', 0, room)
      for x = 1, #r, 2 do found[#found + 1] = {tonumber(r[x + 1]), r[x]} end
    end
    table.sort(found, function(a, b) return a[1] < b[1] end)
    local last = nil
    for x = 1, math.min(#found, room) do
      local fs, id = found[x][1], unmem(found[x][2])
      local j = load(id)
      if j and TERMINAL[j.s] and j.ex and ceilus(j.ex) <= nowus then
        if awaited(id) then
          redis.call('ZADD', KEXP, nowus + RECHECK_US, ids(fs) .. ':' .. ids(fs))
        else
          deletejob(id)
          deleted = deleted + 1
        end
      end
      last = fs
    end
    if #found >= room and last and last < tonumber(hi) then
      redis.call('ZADD', KEXP, score, ids(last + 1) .. ':' .. hi)
    end
    flush()
  end
end
-- the sets and the limits come in JobRules.Kept's order
for x, set in ipairs(RULES.KEPT) do
  local kind = {P .. set, tonumber(ARGV[1 + x])}
  local excess = redis.call('ZCARD', kind[1]) - kind[2]
  if excess > 0 and deleted < batch then
    local take = math.min(excess, batch - deleted)
    -- the oldest beyond the limit, but those a waiting job still needs (not replaced by newer ones)
    for _, m in ipairs(redis.call('ZRANGE', kind[1], 0, take - 1)) do
      local id = unmem(m)
      if not awaited(id) then
        deletejob(id)
        deleted = deleted + 1
      end
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
