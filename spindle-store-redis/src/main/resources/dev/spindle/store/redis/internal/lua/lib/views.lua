-- ---------------------------------------------------------------- read-only views
-- Shared by the inspector's scripts (workers, finished, stats, summaries, oldest) and by live, which
-- reads them all in one round trip for a dashboard tick.

-- {worker id, record JSON, jobs it holds RUNNING now, store clock minus worker clock or false, ...}
local function read_workers()
  local kv = redis.call('HGETALL', P .. 'workers')
  local out = {}
  for x = 1, #kv, 2 do
    out[#out + 1] = kv[x]
    out[#out + 1] = kv[x + 1]
    out[#out + 1] = redis.call('SCARD', wkey(kv[x]))
    out[#out + 1] = redis.call('HGET', P .. 'clk', kv[x])
    out[#out + 1] = redis.call('HGET', P .. 'wt', kv[x])
  end
  return out
end

-- Rows of terminal jobs with a finish sequence number above cursor, oldest first (merged from the
-- SUCCEEDED/CANCELLED and FAILED/DEAD sets), at most limit.
local function read_finished(cursor, limit)
  local a = redis.call('ZRANGEBYSCORE', P .. 'ok', '(' .. cursor, '+inf', 'WITHSCORES', 'LIMIT', 0, limit)
  local b = redis.call('ZRANGEBYSCORE', P .. 'bad', '(' .. cursor, '+inf', 'WITHSCORES', 'LIMIT', 0, limit)
  local rows = {}
  local i, k = 1, 1
  while #rows < limit and (i <= #a or k <= #b) do
    local m
    if k > #b or (i <= #a and tonumber(a[i + 1]) < tonumber(b[k + 1])) then
      m = a[i]
      i = i + 2
    else
      m = b[k]
      k = k + 2
    end
    local id = unmem(m)
    local text = statustext(id)
    if text then rows[#rows + 1] = rowof(id, text) end
  end
  return rows
end

-- The per-minute statistics of the minutes starting at epoch seconds from, from + 60, ... below to:
-- {minute, {counter, n, ...}} for each minute with any.
local function read_stats(from, to)
  local out = {}
  local m = from
  while m < to do
    local kv = redis.call('HGETALL', P .. 'st:' .. m)
    if #kv > 0 then out[#out + 1] = {tostring(m), kv} end
    m = m + 60
  end
  return out
end

-- {{queue, {state, count, ...}}, ...}, {queue, limit, ...}}
local function read_summaries()
  local out = {}
  for _, q in ipairs(redis.call('SMEMBERS', P .. 'queues')) do
    out[#out + 1] = {q, redis.call('HGETALL', nkey(q))}
  end
  return {out, redis.call('HGETALL', P .. 'limits')}
end

-- The member of the QUEUED job of queue q with the lowest id, or nil. A ready set orders by
-- priority then id, so that job is the first member of one of its priority levels: one call per
-- level present (at most 1,000 levels are looked at).
local function lowest_ready(q)
  local key = rkey(q)
  local best
  local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  local levels = 0
  while first[1] and levels < 1000 do
    if not best or first[1] < best then best = first[1] end
    first = redis.call('ZRANGEBYSCORE', key, '(' .. first[2], '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
    levels = levels + 1
  end
  return best
end

-- The run-at time of the QUEUED job with the lowest id, or false if none waits.
local function read_oldest()
  local best
  for _, q in ipairs(redis.call('SMEMBERS', P .. 'queues')) do
    local m = lowest_ready(q)
    if m and (not best or m < best) then best = m end
  end
  if not best then return false end
  local j = load(unmem(best))
  if not j then return false end
  return j.ra
end

-- {queue, run-at time of its QUEUED job with the lowest id, ...} for each queue with a QUEUED job.
local function read_oldest_by_queue()
  local out = {}
  for _, q in ipairs(redis.call('SMEMBERS', P .. 'queues')) do
    local m = lowest_ready(q)
    local j = m and load(unmem(m))
    if j then
      out[#out + 1] = q
      out[#out + 1] = j.ra
    end
  end
  return out
end
