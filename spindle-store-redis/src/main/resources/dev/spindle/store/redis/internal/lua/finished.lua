-- finished(cursor, limit): rows of terminal jobs with a finish sequence number above cursor, oldest
-- first. Read-only.
local ms = redis.call('ZRANGEBYSCORE', P .. 'feed', '(' .. ARGV[1], '+inf', 'LIMIT', 0, tonumber(ARGV[2]))
local rows = {}
for _, m in ipairs(ms) do
  local j = load(unmem(m))
  if j then rows[#rows + 1] = row(j) end
end
return rows
