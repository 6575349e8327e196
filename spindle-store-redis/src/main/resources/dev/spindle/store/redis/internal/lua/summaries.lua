-- summaries(): {{queue, {state, count, ...}}, ...}, {queue, limit, ...}}. Read-only.
local out = {}
for _, q in ipairs(redis.call('SMEMBERS', P .. 'queues')) do
  out[#out + 1] = {q, redis.call('HGETALL', nkey(q))}
end
return {out, redis.call('HGETALL', P .. 'limits')}
