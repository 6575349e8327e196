-- durable_suspend(rid, id, fence, worker, kind, sequence, until (caller's clock), signal number,
--                 signal name or awaited job id, caller now): ends the attempt that holds the job
-- suspended on a timer, a signal or another job's end: keeps the wait and moves the job RUNNING to
-- SCHEDULED at its wake time, or to QUEUED if that time has come, the awaited signal is already
-- stored or the awaited job has ended or is gone (DurableRules.awaitedIsOver; else the job is added
-- to the awaited job's P..'aw:' hash, which its end reads: see deps.lua), or ends it as a release
-- with a cancel request does (RULES.OUTCOME.L.C). No failure and no strike are counted. Returns 1,
-- or 0 if the caller does not hold the job. Runs under OOM (see keys.lua): it frees a worker's slot.
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
if not j.c then LEDGER.ended(j, now, 'SUSPENDED', nil) end -- a cancel ends the job: its status tells it
redis.call('HSET', dk, '#w', kind .. '|' .. ARGV[6] .. '|' .. untl .. '|' .. ARGV[8] .. '|' .. name)
if j.c then
  move(j, RULES.OUTCOME.L.C, now)
else
  local signalled = kind == 'SIGNAL' and num(redis.call('HGET', dk, '@' .. name)) > tonumber(ARGV[8])
  local over = false
  if kind == 'JOB' then
    local tj = load(name)
    if not tj or TERMINAL[tj.s] then
      over = true
    else
      local ak = P .. 'aw:' .. name
      if redis.call('HSET', ak, id, '1') == 1 and redis.call('HLEN', ak) == 1 then
        redis.call('INCR', P .. 'naw')
      end
    end
  end
  if signalled or over or not tless(now, untl) then
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
