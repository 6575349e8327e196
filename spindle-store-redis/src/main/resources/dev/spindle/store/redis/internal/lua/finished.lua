-- finished(cursor, limit): rows of terminal jobs with a finish sequence number above cursor, oldest
-- first (merged from the SUCCEEDED/CANCELLED and FAILED/DEAD sets). Read-only.
local limit = tonumber(ARGV[2])
local a = redis.call('ZRANGEBYSCORE', P .. 'ok', '(' .. ARGV[1], '+inf', 'WITHSCORES', 'LIMIT', 0, limit)
local b = redis.call('ZRANGEBYSCORE', P .. 'bad', '(' .. ARGV[1], '+inf', 'WITHSCORES', 'LIMIT', 0, limit)
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
  local text = redis.call('GET', skey(id))
  if text then rows[#rows + 1] = rowof(id, text) end
end
return rows
