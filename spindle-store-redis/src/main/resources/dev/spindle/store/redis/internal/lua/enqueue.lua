-- enqueue(rid, epoch, reply ttl, caller now, <job batch>): adds jobs, all or none. Fails under OOM
-- before changing anything.
-- epoch: the namespace epoch (P..'epoch') the client knows, or '' for no check; if the marker is
-- missing or different, Redis lost the namespace's data since: nothing is done and the reply is
-- {'epoch', marker or ''}, so the client can record that and keep ids above those it knew.
-- reply ttl: how long the reply is kept for a retried request, in milliseconds (the client's retry
-- window: an enqueue is retried only that long).
local rid = ARGV[1]
local early, waiting, top = enqueuefirst(rid, ARGV[2])
if early then return early end
local out = enqueue(5, (storeclock(ARGV[4])), top)
if out[1] == 'missing' or out[1] == 'badref' then return out end -- nothing was written
flush()
wakewaiting(C.changed and waiting)
remember(rid, cjson.encode(out), ARGV[3])
return out
