-- deregister(worker, now): removes a worker that stops. A clean stop handed back what it stopped;
-- a job it still holds gets a lost-worker strike (see strike in lib). Idempotent. Runs under OOM.
redis.call('DEL', P .. 'oom')
local w = ARGV[1]
local now = storeclock(ARGV[2])
redis.call('HDEL', P .. 'workers', w)
redis.call('HDEL', P .. 'clk', w)
redis.call('HDEL', P .. 'wt', w)
redis.call('ZREM', P .. 'leases', w)
for _, id in ipairs(redis.call('SMEMBERS', wkey(w))) do
  local j = load(id)
  if j and j.s == 'RUNNING' and j.w == w then
    strike(j, w, now)
    save(j)
  end
end
flush()
settle(now)
redis.call('DEL', wkey(w))
redis.call('SREM', P .. 'holders', w)
notify()
return 1
