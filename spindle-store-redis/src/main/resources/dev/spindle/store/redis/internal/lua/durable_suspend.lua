-- durable_suspend(rid, id, fence, worker, kind, sequence, until (caller's clock), signal number,
--                 signal name, caller now): ends the attempt that holds the job suspended on a
-- timer or a signal: keeps the wait and moves the job RUNNING to SCHEDULED at its wake time, or
-- to QUEUED if that time has come or the awaited signal is already stored, or ends it as a release
-- with a cancel request does (RULES.OUTCOME.L.C). No failure and no strike are counted. Returns 1,
-- or 0 if the caller does not hold the job. Runs under OOM (see lib): it frees a worker's slot.
redis.call('DEL', P .. 'oom')
local rid, id, fence, w = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local kind, name = ARGV[5], ARGV[9]
local now, offset = storeclock(ARGV[10])
local prev = replay(rid)
if prev then return tonumber(prev) end
local j = heldjob(id, fence, w)
if not j then return 0 end
local dk = dskey(id)
local untl = tadd(ARGV[7], offset)
redis.call('HSET', dk, '#w', kind .. '|' .. ARGV[6] .. '|' .. untl .. '|' .. ARGV[8] .. '|' .. name)
if j.c then
  move(j, RULES.OUTCOME.L.C, now)
else
  local signalled = kind == 'SIGNAL' and num(redis.call('HGET', dk, '@' .. name)) > tonumber(ARGV[8])
  if signalled or not tless(now, untl) then
    j.ra = now
    move(j, 'QUEUED', now)
  else
    j.ra = untl
    move(j, 'SCHEDULED', now)
  end
end
save(j)
settle(now)
flush()
notify()
remember(rid, '1')
return 1
