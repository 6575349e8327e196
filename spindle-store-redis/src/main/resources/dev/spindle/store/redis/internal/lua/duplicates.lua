-- duplicates(): per task, how many jobs of P..'dup' (whose body may have run twice at once) exist.
-- Returns {task, count, task, count, ...}. Read-only.
local counts = {}
for _, id in ipairs(redis.call('SMEMBERS', P .. 'dup')) do
  local t = header(id).t
  if t then counts[t] = (counts[t] or 0) + 1 end
end
local out = {}
for t, n in pairs(counts) do
  out[#out + 1] = t
  out[#out + 1] = n
end
return out
