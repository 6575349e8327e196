-- migrate_index(n): moves up to n jobs, oldest first, from the sorted set P..'all', where versions
-- before the existence bitmaps filed every job, into the bitmaps (keys.lua). Idempotent, so a
-- retried call is harmless. Returns {jobs moved, jobs left in the set}. Opening a store calls it
-- until none are left; listings read the set beside the bitmaps meanwhile.
local moved = redis.call('ZRANGE', P .. 'all', 0, tonumber(ARGV[1]) - 1)
if #moved == 0 then return {0, 0} end
local offsets = {}
for _, m in ipairs(moved) do
  local id = tonumber(unmem(m))
  local b = jbucket(id)
  offsets[b] = offsets[b] or {}
  table.insert(offsets[b], id - b * JB)
end
local top = jbtop(redis.call('GET', P .. 'jbt'))
local high = top
for b, offs in pairs(offsets) do
  setbits(b, offs, 1)
  redis.call('ZADD', P .. 'jbk', 'NX', b, b) -- unlike addexisting(): old buckets may be unlisted
  high = math.max(high, b)
end
if high > top then redis.call('SET', P .. 'jbt', high) end
redis.call('ZREM', P .. 'all', unpack(moved))
return {#moved, redis.call('ZCARD', P .. 'all')}
