-- add_children(rid, parent id, fence, exits, now, <job batch as for enqueue>): adds the jobs as children
-- of the running job, all or none, only while it is RUNNING under that fence; exits: the batch
-- positions (from 0, comma-separated) of the children that whatever waits for the parent now also
-- waits for (see adopt in lib). Returns enqueue's reply, {'NOT_FOUND'}, {'STATE', state, fence}, or
-- enqueue's refusal ({'missing', ...} / {'badref', ...}); nothing is added unless it is enqueue's
-- reply.
local rid, parent, fence, exitlist = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local now = storeclock(ARGV[5])
local prev = replay(rid)
if prev then return cjson.decode(prev) end
local pj = load(parent)
if not pj then return {'NOT_FOUND'} end
if pj.s ~= 'RUNNING' or pj.fe ~= fence then return {'STATE', pj.s, pj.fe or '0'} end
local out = enqueue(6, now)
if out[1] == 'missing' or out[1] == 'badref' then return out end -- nothing was written
flush()
local exits = {}
for x in string.gmatch(exitlist, '%d+') do
  local i = tonumber(x)
  exits[#exits + 1] = out[1] == 'ids' and ids(tonumber(out[2]) + i) or out[3 * i + 1]
end
C.jobs, C.meta = {}, {}
adopt(parent, exits, now)
C.jobs, C.meta = nil, nil
flush()
settle(now)
notify()
remember(rid, cjson.encode(out))
return out
