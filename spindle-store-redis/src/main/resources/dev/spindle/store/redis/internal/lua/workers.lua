-- workers(): {worker id, record JSON, jobs it holds RUNNING now, store clock minus worker clock or
-- false, ...} for every registered worker.
-- Read-only.
local kv = redis.call('HGETALL', P .. 'workers')
local out = {}
for x = 1, #kv, 2 do
  out[#out + 1] = kv[x]
  out[#out + 1] = kv[x + 1]
  out[#out + 1] = redis.call('SCARD', wkey(kv[x]))
  out[#out + 1] = redis.call('HGET', P .. 'clk', kv[x])
end
return out
