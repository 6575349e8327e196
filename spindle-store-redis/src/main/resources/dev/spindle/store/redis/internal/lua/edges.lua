-- edges(id): {'NOT_FOUND'}, or {'OK', parent, child, policy code, position, ...}: the job's
-- dependencies in declared order (then those running dependencies added, position -1: not an
-- input), then its dependents (entries naming a deleted job left out). Read-only.
local id = ARGV[1]
if redis.call('EXISTS', hkey(id)) == 0 then return {'NOT_FOUND'} end
local out = {'OK'}
local v = redis.call('HMGET', wtkey(id), 'u', 'a', 'n')
local n = tonumber(v[3] or '0')
local k = 0
for e in string.gmatch((v[1] or '') .. ',' .. (v[2] or ''), '[^,]+') do
  local pid = string.sub(e, 2)
  if redis.call('EXISTS', hkey(pid)) == 1 then
    out[#out + 1] = pid
    out[#out + 1] = id
    out[#out + 1] = string.sub(e, 1, 1)
    out[#out + 1] = k < n and ids(k) or '-1'
  end
  k = k + 1
end
for c, pos, pol in string.gmatch(redis.call('HGET', dnkey(id), id) or '', '(%d+):(%d+):(%d)') do
  if redis.call('EXISTS', hkey(c)) == 1 then
    local n = tonumber(redis.call('HGET', wtkey(c), 'n') or '0')
    out[#out + 1] = id
    out[#out + 1] = c
    out[#out + 1] = pol
    out[#out + 1] = tonumber(pos) < n and pos or '-1'
  end
end
return out
