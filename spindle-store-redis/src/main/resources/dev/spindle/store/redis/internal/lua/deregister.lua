-- deregister(worker, now): removes a worker that stops cleanly; its jobs go back to QUEUED
-- (released, not a strike). Idempotent. Runs under OOM (see lib).
redis.call('DEL', P .. 'oom')
local w = ARGV[1]
local now = storeclock(ARGV[2])
redis.call('HDEL', P .. 'workers', w)
redis.call('HDEL', P .. 'clk', w)
redis.call('ZREM', P .. 'leases', w)
for _, id in ipairs(redis.call('SMEMBERS', wkey(w))) do
  local j = load(id)
  if j and j.s == 'RUNNING' and j.w == w then
    release(j, now)
    save(j)
  end
end
flush()
settle(now)
redis.call('DEL', wkey(w))
redis.call('SREM', P .. 'holders', w)
notify()
return 1
