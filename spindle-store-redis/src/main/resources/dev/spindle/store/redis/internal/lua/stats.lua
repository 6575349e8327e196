-- stats(from, to): the per-minute statistics of the minutes starting at epoch seconds from, from +
-- 60, ... below to: {minute, {counter, n, ...}} for each minute with any. Read-only.
local out = {}
local m = tonumber(ARGV[1])
local to = tonumber(ARGV[2])
while m < to do
  local kv = redis.call('HGETALL', P .. 'st:' .. m)
  if #kv > 0 then out[#out + 1] = {tostring(m), kv} end
  m = m + 60
end
return out
