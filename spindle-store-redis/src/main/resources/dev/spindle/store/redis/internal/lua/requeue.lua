-- requeue(rid, id, now): a FAILED, DEAD or CANCELLED job back to QUEUED with its failure and
-- lost-worker counts reset. Returns {'OK', row}, {'NOT_FOUND'} or {'STATE', state}.
local rid, id = ARGV[1], ARGV[2]
local now = storeclock(ARGV[3])
local prev = replay(rid)
if prev then
  local text = redis.call('GET', skey(id))
  if text then return {'OK', rowof(id, text)} end
  return {'NOT_FOUND'}
end
local j = load(id)
if not j then return {'NOT_FOUND'} end
if not (j.s == 'FAILED' or j.s == 'DEAD' or j.s == 'CANCELLED') then return {'STATE', j.s} end
j.f, j.l, j.d, j.c = 0, 0, nil, nil
j.ra = now
move(j, 'QUEUED', now)
local text = save(j)
flush()
notify()
remember(rid, '1')
return {'OK', rowof(id, text)}
