-- durable_cache(key, result JSON, job id, expires at (caller's clock), caller now): keeps a
-- memoized result until it expires (moved onto the store's clock; Redis deletes it then),
-- replacing an older one. Returns 1, or 0 if it had expired already (nothing kept).
local now, offset = storeclock(ARGV[5])
local k = P .. 'dc:' .. ARGV[1]
local ex = tadd(ARGV[4], offset)
local ms = math.ceil((floorus(ex) - floorus(now)) / 1000)
if ms <= 0 then
  redis.call('DEL', k)
  return 0
end
redis.call('SET', k, ex .. '|' .. ARGV[3] .. '|' .. ARGV[2], 'PX', ms)
return 1
