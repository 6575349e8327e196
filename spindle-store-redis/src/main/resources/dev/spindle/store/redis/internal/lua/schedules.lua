-- schedules(nowUs or '', limit): every schedule, or those due at nowUs (earliest first, at most
-- limit; paused schedules left out). Rows: {name, definition, next, last, version, created}.
-- Read-only.
local names
if ARGV[1] == '' then
  names = redis.call('ZRANGE', P .. 'scheds', 0, -1)
else
  local np = redis.call('SCARD', P .. 'spaused')
  names = redis.call('ZRANGEBYSCORE', P .. 'scheds', '-inf', tonumber(ARGV[1]), 'LIMIT', 0, tonumber(ARGV[2]) + np)
  if np > 0 then
    local kept = {}
    for _, name in ipairs(names) do
      if #kept < tonumber(ARGV[2]) and redis.call('SISMEMBER', P .. 'spaused', name) == 0 then
        kept[#kept + 1] = name
      end
    end
    names = kept
  end
end
local out = {}
for _, name in ipairs(names) do
  local v = redis.call('HMGET', P .. 'sch:' .. name, 'd', 'nx', 'lf', 'v', 'ct')
  if v[1] then out[#out + 1] = {name, v[1], v[2], v[3], v[4], v[5]} end
end
return out
