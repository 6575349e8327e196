-- flow(op, ...): flow control; see lib/flow.lua for the keys. Ops:
--   put(name, text form, numbers) / define(...): store a limit (define only if absent) -> {1} or {0}
--   remove(name) -> {1} or {0};  limits() -> the text forms
--   pause(caller now, id, fence, until on the caller's clock): pause the key of a job RUNNING under
--     fence until then (a later pause keeps the later time) -> {1}, or {0} if not held or unkeyed
--   hold(caller now, id): why a QUEUED job waits -> {} or {rule, until us or '', key, detail}
--   keys(caller now, name, max): the keys of limit 'name' holding something, in key order ->
--     per key {key, running, ready, rule or '', until us or '', detail or ''} (keys of running jobs
--     only are found among the first 20,000 keyed jobs)
-- put / define: stores a limit (define only if absent).
local function put(define)
  if define and redis.call('HSETNX', P .. 'fl', ARGV[2], ARGV[3]) == 0 then return {0} end
  redis.call('HSET', P .. 'fl', ARGV[2], ARGV[3])
  redis.call('HSET', P .. 'fln', ARGV[2], ARGV[4])
  redis.call('DEL', P .. 'fh') -- queues found held are looked at again under the new rules
  C.changed = true
  notify()
  return {1}
end

local function remove()
  local n = redis.call('HDEL', P .. 'fl', ARGV[2])
  redis.call('HDEL', P .. 'fln', ARGV[2])
  redis.call('DEL', P .. 'fh')
  C.changed = true
  notify()
  return {n}
end

local function pause()
  local _, off = storeclock(ARGV[2])
  local v = statustext(ARGV[3])
  if not v then return {0} end
  local s, _, fe = string.match(v, HEAD)
  if s ~= 'RUNNING' or fe ~= ARGV[4] then return {0} end
  local key = redis.call('HGET', P .. 'fk', ARGV[3])
  if not key then return {0} end
  local untilus = ceilus(tadd(ARGV[5], off))
  local cur = tonumber(redis.call('HGET', P .. 'fp', key) or '0')
  if untilus > cur then redis.call('HSET', P .. 'fp', key, ids(untilus)) end
  return {1}
end

local function hold()
  local now = storeclock(ARGV[2])
  local v = statustext(ARGV[3])
  if not v or string.match(v, HEAD) ~= 'QUEUED' then return {} end
  local key = redis.call('HGET', P .. 'fk', ARGV[3])
  if not key then return {} end
  local h = flowhold(key, floorus(now), false)
  if not h then return {} end
  return {h[1], h[2], key, h[3]}
end

-- The keys starting with 'prefix' that hold something: found (key -> true) and nready (key -> its
-- QUEUED jobs).
local function keysof(prefix)
  local n = #prefix
  local found, nready = {}, {}
  local function take(k)
    if string.sub(k, 1, n) == prefix then found[k] = true end
  end
  for _, q in ipairs(redis.call('SMEMBERS', P .. 'fq')) do
    for _, k in ipairs(redis.call('ZRANGE', P .. 'q:' .. q .. ':kr', 0, -1)) do
      if string.sub(k, 1, n) == prefix then
        found[k] = true
        nready[k] = (nready[k] or 0) + redis.call('ZCARD', P .. 'q:' .. q .. ':k:' .. k)
      end
    end
  end
  for _, h in ipairs({'ft', 'fp'}) do
    for _, k in ipairs(redis.call('HKEYS', P .. h)) do take(k) end
  end
  local cursor, rounds = '0', 0
  repeat
    local r = redis.call('HSCAN', P .. 'fk', cursor, 'COUNT', 1000)
    cursor = r[1]
    for i = 2, #r[2], 2 do take(r[2][i]) end
    rounds = rounds + 1
  until cursor == '0' or rounds >= 20
  return found, nready
end

-- How many jobs of key k run under their current fence.
local function running(k)
  local live = 0
  for _, m in ipairs(redis.call('SMEMBERS', P .. 'fr:' .. k)) do
    local id, fe = string.match(m, '^(%d+):(%d+)$')
    local v = id and statustext(id)
    if v then
      local s, _, fence = string.match(v, HEAD)
      if s == 'RUNNING' and fence == fe then live = live + 1 end
    end
  end
  return live
end

local function keys()
  local nowus = floorus(storeclock(ARGV[2]))
  local found, nready = keysof(ARGV[3] .. ':')
  local sorted = {}
  for k in pairs(found) do sorted[#sorted + 1] = k end
  table.sort(sorted)
  local out = {}
  for i = 1, math.min(#sorted, tonumber(ARGV[4])) do
    local k = sorted[i]
    local h = flowhold(k, nowus, false)
    append3(out, k, tostring(running(k)), tostring(nready[k] or 0))
    append3(out, h and h[1] or '', h and h[2] or '', h and h[3] or '')
  end
  return out
end

local op = ARGV[1]
if op == 'put' or op == 'define' then return put(op == 'define') end
if op == 'remove' then return remove() end
if op == 'limits' then return redis.call('HVALS', P .. 'fl') end
if op == 'pause' then return pause() end
if op == 'hold' then return hold() end
if op == 'keys' then return keys() end
error('spindle: unknown flow op ' .. tostring(op))
