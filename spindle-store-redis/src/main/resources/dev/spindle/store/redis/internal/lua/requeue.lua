-- requeue(rid, id, now): a FAILED, DEAD or CANCELLED job back to QUEUED with its failure and
-- lost-worker counts reset. A job with dependencies is first weighed again against their current
-- states: it goes to WAITING if some have not ended (its error cleared), is refused if one ended in
-- a way that cancels it, and gets its input anew if it is released. The dependents it had cancelled
-- wait for it again (and theirs, in turn), unless another dependency still cancels them.
-- Returns {'OK', row}, {'NOT_FOUND'}, {'STATE', state[, target]} or {'DEPENDS', dependency, state}.
local rid, id = ARGV[1], ARGV[2]
local now = storeclock(ARGV[3])
local prev = replay(rid)
if prev then
  local text = statustext(id)
  if text then return {'OK', rowof(id, text)} end
  return {'NOT_FOUND'}
end
local j = load(id)
if not j then return {'NOT_FOUND'} end
if not (j.s == 'FAILED' or j.s == 'DEAD' or j.s == 'CANCELLED') then return {'STATE', j.s} end
local to, meta = 'QUEUED', nil
C.jobs, C.meta = {}, {}
C.jobs[id] = j
if redis.call('EXISTS', wtkey(id)) == 1 then
  meta = waitmeta(id)
  local w, by = reevaluate(id)
  if not w then return {'DEPENDS', by, j.s} end
  if w.p > 0 then to = 'WAITING' end
end
if not ALLOWED[j.s][to] then return {'STATE', j.s, to} end
LEDGER.keeplast(j) -- the status forgets its last attempt at the next claim
j.f, j.l, j.d, j.c = 0, 0, nil, nil
j.ra = now
if to == 'WAITING' then seterror(j, nil) end
if to == 'QUEUED' and meta and meta.mode ~= 'A' then setinput(id, inputof(id, meta)) end
move(j, to, now)
save(j)
requeued(id, now)
flush()
C.jobs, C.meta = nil, nil
notify()
remember(rid, '1')
return {'OK', rowof(id, statustext(id))}
