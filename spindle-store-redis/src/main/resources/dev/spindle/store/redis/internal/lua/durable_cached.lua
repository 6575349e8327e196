-- durable_cached(key, caller now): the memoized result {expires at, job id, result JSON} under
-- key if it has not expired on the store's clock, else nil. Read-only.
local now = storeclock(ARGV[2])
local v = redis.call('GET', P .. 'dc:' .. ARGV[1])
if not v then return false end
local ex, job, result = string.match(v, '^([^|]+)|([^|]*)|(.*)$')
if not tless(now, ex) then return false end
return {ex, job, result}
