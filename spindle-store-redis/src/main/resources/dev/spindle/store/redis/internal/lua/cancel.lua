-- cancel(rid, id, now): CANCELLED if waiting (WAITING, SCHEDULED, QUEUED), a cancel request if
-- RUNNING; what depends on a cancelled job is told in the same script (see settle in lib).
-- Returns CANCELLED, CANCEL_REQUESTED, ALREADY_FINISHED or NOT_FOUND.
local rid, id = ARGV[1], ARGV[2]
local now = storeclock(ARGV[3])
local prev = replay(rid)
if prev then return prev end
local j = load(id)
local r
if not j then
  return 'NOT_FOUND'
elseif j.s == 'WAITING' or j.s == 'SCHEDULED' or j.s == 'QUEUED' then
  move(j, 'CANCELLED', now)
  save(j)
  settle(now)
  r = 'CANCELLED'
elseif j.s == 'RUNNING' then
  if not j.c then
    j.c = 1
    save(j)
    redis.call('SADD', P .. 'cxl', id)
  end
  C.changed = true
  r = 'CANCEL_REQUESTED'
else
  return 'ALREADY_FINISHED'
end
flush()
notify()
remember(rid, r)
return r
