-- durable_log(id, fence, worker): the job's step hash (see durable.lua) as HGETALL gives it, if
-- the worker holds the job RUNNING under fence; with fence '' (a reader's view), if the job
-- exists. Returns {found 1/0, field, value, ...}. Read-only.
local id, fence = ARGV[1], ARGV[2]
if fence == '' then
  if redis.call('EXISTS', hkey(id)) == 0 then return {0} end
elseif not heldjob(id, fence, ARGV[3]) then
  return {0}
end
local out = redis.call('HGETALL', dskey(id))
table.insert(out, 1, 1)
return out
