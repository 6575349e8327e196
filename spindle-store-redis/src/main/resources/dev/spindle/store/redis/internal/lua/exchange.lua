-- exchange(rid, caller now, '', unconfirmed rids, nCompletions, <completions>, worker, max, nQueues,
--          <queues>[, task names]): applies completions (see lib/completions.lua), then claims jobs
-- (lib/claims.lua), atomically. With the task names (comma-separated), only jobs of those tasks are
-- claimed; the others stay where they are. A claim with worker '' is skipped.
-- Returns {applied flags (1/0), the claimed jobs {id, fence, header+args, status, ...}, earliest
-- SCHEDULED run time or nil}: one round trip per exchange.
redis.call('DEL', P .. 'oom') -- runs under OOM: see keys.lua
local rid, unconfirmed = ARGV[1], ARGV[4]
local now, offset = storeclock(ARGV[2])
local nowus = floorus(now)

local prev = replay(rid)
if prev then
  local rec = exchangerecord(prev)
  return {rec.f, withtexts(stillheld(rec)), nextrun(nil)}
end
giveback(unconfirmed, now)
local nc = tonumber(ARGV[5])
local flags, at = applycompletions(nc, 6, now, offset)
-- what depends on the jobs that ended is released or cancelled in this same script
settle(now)
local worker = ARGV[at]
local x = nil
if worker ~= '' then x = claim(worker, tonumber(ARGV[at + 1]), tonumber(ARGV[at + 2]), at + 2, now, nowus) end
notify()
-- after notify(): this claim's own changes are announced to earlier waiters, and the next change
-- wakes this worker (the claim found fewer jobs than asked)
if x and x.remaining > 0 then redis.call('SET', P .. 'wait', '1') end
local claimed = x and x.claimed or {}
if #claimed > 0 or nc > 0 then
  remember(rid, esc(worker) .. '\n' .. table.concat(flags) .. '\n' .. table.concat(claimed, ','))
end
return {flags, withtexts(claimed, x and x.statuses or {}, x and x.headers), nextrun(x and x.flownext)}
