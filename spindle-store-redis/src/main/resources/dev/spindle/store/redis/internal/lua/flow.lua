-- flow(op, ...): flow control; see "flow control" in lib.lua for the keys. Ops:
--   put(name, text form, numbers) / define(...): store a limit (define only if absent) -> {1} or {0}
--   remove(name) -> {1} or {0};  limits() -> the text forms
--   pause(caller now, id, fence, until on the caller's clock): pause the key of a job RUNNING under
--     fence until then (a later pause keeps the later time) -> {1}, or {0} if not held or unkeyed
--   hold(caller now, id): why a QUEUED job waits -> {} or {rule, until us or '', key, detail}
local op = ARGV[1]
if op == 'put' or op == 'define' then
  if op == 'define' and redis.call('HSETNX', P .. 'fl', ARGV[2], ARGV[3]) == 0 then return {0} end
  redis.call('HSET', P .. 'fl', ARGV[2], ARGV[3])
  redis.call('HSET', P .. 'fln', ARGV[2], ARGV[4])
  redis.call('DEL', P .. 'fh') -- queues found held are looked at again under the new rules
  CHANGED = true
  notify()
  return {1}
elseif op == 'remove' then
  local n = redis.call('HDEL', P .. 'fl', ARGV[2])
  redis.call('HDEL', P .. 'fln', ARGV[2])
  redis.call('DEL', P .. 'fh')
  CHANGED = true
  notify()
  return {n}
elseif op == 'limits' then
  return redis.call('HVALS', P .. 'fl')
elseif op == 'pause' then
  local _, off = storeclock(ARGV[2])
  local v = redis.call('GET', skey(ARGV[3]))
  if not v then return {0} end
  local s, _, fe = string.match(v, HEAD)
  if s ~= 'RUNNING' or fe ~= ARGV[4] then return {0} end
  local key = redis.call('HGET', P .. 'fk', ARGV[3])
  if not key then return {0} end
  local untilus = ceilus(tadd(ARGV[5], off))
  local cur = tonumber(redis.call('HGET', P .. 'fp', key) or '0')
  if untilus > cur then redis.call('HSET', P .. 'fp', key, ids(untilus)) end
  return {1}
elseif op == 'hold' then
  local now = storeclock(ARGV[2])
  local v = redis.call('GET', skey(ARGV[3]))
  if not v or string.match(v, HEAD) ~= 'QUEUED' then return {} end
  local key = redis.call('HGET', P .. 'fk', ARGV[3])
  if not key then return {} end
  local h = flowhold(key, floorus(now), false)
  if not h then return {} end
  return {h[1], h[2], key, h[3]}
end
error('spindle: unknown flow op ' .. tostring(op))
