-- edges(id): {'NOT_FOUND'}, or {'OK', parent, child, policy code, position, ...}: the job's
-- dependencies in declared order, then its dependents (entries naming a deleted job left out).
-- Read-only.
local id = ARGV[1]
if redis.call('EXISTS', skey(id)) == 0 then return {'NOT_FOUND'} end
local out = {'OK'}
local k = 0
for e in string.gmatch(redis.call('HGET', wtkey(id), 'u') or '', '[^,]+') do
  local pid = string.sub(e, 2)
  if redis.call('EXISTS', skey(pid)) == 1 then
    out[#out + 1] = pid
    out[#out + 1] = id
    out[#out + 1] = string.sub(e, 1, 1)
    out[#out + 1] = ids(k)
  end
  k = k + 1
end
for c, pos, pol in string.gmatch(redis.call('HGET', dnkey(id), id) or '', '(%d+):(%d+):(%d)') do
  if redis.call('EXISTS', skey(c)) == 1 then
    out[#out + 1] = id
    out[#out + 1] = c
    out[#out + 1] = pol
    out[#out + 1] = pos
  end
end
return out
