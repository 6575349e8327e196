-- resume(rid, id, now, hasargs, args): a FAILED or DEAD workflow node back to QUEUED with its
-- failure and lost-worker counts reset, with 'args' as its own arguments if 'hasargs' is '1'; the
-- dependents its failure cancelled wait for it again (and theirs, in turn), unless another
-- dependency still cancels them. A node with dependencies is first weighed again against their
-- current states: refused if one cancels it or it would have to wait (they run again).
-- Returns {'OK', moves}, {'NOT_FOUND'}, {'STATE', state[, target]}, {'DEPENDS', dependency, state}
-- or {'INPUT'} (new arguments for a node whose input its dependencies build); moves is
-- 'id:FROM:TO' entries joined by ','.
local rid, id = ARGV[1], ARGV[2]
local now = storeclock(ARGV[3])
local hasargs, args = ARGV[4] == '1', ARGV[5]
local prev = replay(rid)
if prev then return {'OK', prev} end
local j = load(id)
if not j then return {'NOT_FOUND'} end
if not (j.s == 'FAILED' or j.s == 'DEAD') then return {'STATE', j.s} end
local from, to, meta = j.s, 'QUEUED', nil
C.jobs, C.meta = {}, {}
C.jobs[id] = j
if redis.call('EXISTS', wtkey(id)) == 1 then
  meta = waitmeta(id)
  if hasargs and meta and meta.mode ~= 'A' then return {'INPUT'} end
  local w, by = reevaluate(id)
  if not w then return {'DEPENDS', by, j.s} end
  if w.p > 0 then to = 'WAITING' end
end
if not ALLOWED[j.s][to] then return {'STATE', j.s, to} end
if hasargs then setinput(id, args) end
LEDGER.keeplast(j) -- the status forgets its last attempt at the next claim
j.f, j.l, j.d, j.c = 0, 0, nil, nil
j.ra = now
if to == 'QUEUED' and meta and meta.mode ~= 'A' then setinput(id, inputof(id, meta)) end
move(j, to, now)
save(j)
local revived = requeued(id, now)
flush()
C.jobs, C.meta = nil, nil
notify()
local moves = {id .. ':' .. from .. ':' .. to}
for k = 2, #revived do moves[#moves + 1] = revived[k] .. ':CANCELLED:WAITING' end
local text = table.concat(moves, ',')
remember(rid, text)
return {'OK', text}
