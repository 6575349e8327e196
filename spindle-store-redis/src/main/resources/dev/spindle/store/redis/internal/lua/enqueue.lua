-- enqueue(rid, <job batch>): adds jobs, all or none. Fails under OOM before changing anything.
local rid = ARGV[1]
local prev = replay(rid)
if prev then return cjson.decode(prev) end
local out = enqueue(2)
flush()
notify()
remember(rid, cjson.encode(out))
return out
