-- reclaim(rid, caller now, '', limit): takes back the jobs of workers whose lease ended at or before
-- now on the store's clock (TIME), or that hold jobs without being registered. Each gets a lost-worker strike and becomes
-- CANCELLED (cancel requested), DEAD worker_lost (strikes reached the policy's limit) or QUEUED.
-- Workers left without jobs are removed. Returns the reclaimed jobs' rows. Runs under OOM.
redis.call('DEL', P .. 'oom')
local rid, limit = ARGV[1], tonumber(ARGV[4])
local now = storeclock(ARGV[2])
local nowus = floorus(now)
local function rows(list)
  local out = {}
  for _, id in ipairs(list) do
    local text = statustext(id)
    if text then out[#out + 1] = rowof(id, text) end
  end
  return out
end
local prev = replay(rid)
if prev then return rows(cjson.decode(prev)) end
local expired, seen = {}, {}
for _, w in ipairs(redis.call('ZRANGEBYSCORE', P .. 'leases', '-inf', nowus)) do
  expired[#expired + 1] = w
  seen[w] = true
end
for _, w in ipairs(redis.call('SMEMBERS', P .. 'holders')) do
  if not seen[w] and not redis.call('ZSCORE', P .. 'leases', w) then
    expired[#expired + 1] = w
    seen[w] = true
  end
end
table.sort(expired)
local done = {}
for _, w in ipairs(expired) do
  local held = redis.call('SMEMBERS', wkey(w))
  table.sort(held, function(a, b) return tonumber(a) < tonumber(b) end)
  local left = #held
  for _, id in ipairs(held) do
    if #done >= limit then break end
    local j = load(id)
    if j and j.s == 'RUNNING' and j.w == w then
      strike(j, w, now)
      save(j)
      done[#done + 1] = j.id
    else
      push(C.srems, wkey(w), id) -- a stale entry
      C.wrem[w] = true
    end
    left = left - 1
  end
  if left == 0 then
    redis.call('HDEL', P .. 'workers', w)
    redis.call('HDEL', P .. 'clk', w)
    redis.call('HDEL', P .. 'wt', w)
    redis.call('ZREM', P .. 'leases', w)
    C.wrem[w] = true
  end
end
flush()
settle(now)
notify()
if #done > 0 then remember(rid, cjson.encode(done)) end
return rows(done)
