-- requeue(rid, id, now): a FAILED, DEAD or CANCELLED job back to QUEUED with its failure and
-- lost-worker counts reset. Returns {'OK', row}, {'NOT_FOUND'} or {'STATE', state}.
local rid, id, now = ARGV[1], ARGV[2], ARGV[3]
local prev = replay(rid)
if prev then
  local j = load(id)
  if j then return {'OK', row(j)} end
  return {'NOT_FOUND'}
end
local j = load(id)
if not j then return {'NOT_FOUND'} end
if not (j.s == 'FAILED' or j.s == 'DEAD' or j.s == 'CANCELLED') then return {'STATE', j.s} end
del(j, 'f')
del(j, 'l')
del(j, 'd')
set(j, 'ra', now)
move(j, 'QUEUED', now)
save(j)
flush()
notify()
remember(rid, '1')
return {'OK', row(j)}
