local REQ_TTL_MS = 600000 -- replies kept for retried requests, unless a script is told less

-- ---------------------------------------------------------------- retried requests
-- A request that timed out or lost its connection is sent again with the same request id; the
-- reply kept under that id is returned instead of doing the work twice.
local function replay(rid)
  if rid == '' then return nil end
  return redis.call('GET', P .. 'req:' .. rid)
end
local function remember(rid, value, ttl)
  if rid ~= '' then redis.call('SET', P .. 'req:' .. rid, value, 'PX', ttl or REQ_TTL_MS) end
end
-- What an enqueue answers before it does anything: the reply kept for a repeated request id, or
-- {'epoch', marker or ''} if the namespace epoch the client knows ('' for no check) is gone (Redis
-- lost the namespace's data since); nil to go on.
local function enqueuefirst(rid, epoch)
  local prev = replay(rid)
  if prev then return cjson.decode(prev) end
  if epoch ~= '' then
    local ep = redis.call('GET', P .. 'epoch')
    if ep ~= epoch then return {'epoch', ep or ''} end
  end
  return nil
end
