-- delete_schedule(rid, name): 1 if it was removed, 0 if there was none.
local rid, name = ARGV[1], ARGV[2]
local prev = replay(rid)
if prev then return tonumber(prev) end
local n = redis.call('DEL', P .. 'sch:' .. name)
redis.call('ZREM', P .. 'scheds', name)
redis.call('SREM', P .. 'spaused', name)
if n > 0 then
  C.changed = true
  notify()
end
remember(rid, ids(n))
return n
