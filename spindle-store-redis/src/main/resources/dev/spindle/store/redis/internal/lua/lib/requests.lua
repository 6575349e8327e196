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
-- lost the namespace's data since); nil to go on, and then whether somebody waits for a change
-- (P..'wait', see wake()) and the highest bucket of the existence index known (P..'jbt', see
-- addexisting()). One MGET reads all four.
local function enqueuefirst(rid, epoch)
  local v = redis.call('MGET', P .. 'req:' .. rid, P .. 'epoch', P .. 'wait', P .. 'jbt')
  if rid ~= '' and v[1] then return cjson.decode(v[1]), false, nil end
  if epoch ~= '' and v[2] ~= epoch then return {'epoch', v[2] or ''}, false, nil end
  return nil, v[3] ~= false, jbtop(v[4])
end
