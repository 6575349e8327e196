-- incident_raise(open key, record without id, kept): opens an incident unless one is open under the
-- open key. The record is "kind\tqueue\tsubject\tsince\topened at\t\tdetails" (queue, subject and
-- details escaped: no raw tab or newline; the empty field is the resolution time). Returns
-- {1, "id\t" .. record} if it opened one, {0, the open one's "id\t..."} if one was open. Keeps the
-- newest 'kept' incidents: older resolved ones are deleted.
local open = redis.call('HGET', P .. 'inc:open', ARGV[1])
if open then
  return {0, redis.call('HGET', P .. 'inc', open)}
end
local id = redis.call('INCR', P .. 'inc:seq')
local rec = id .. '\t' .. ARGV[2]
redis.call('HSET', P .. 'inc', id, rec)
redis.call('ZADD', P .. 'inc:ids', id, id)
redis.call('HSET', P .. 'inc:open', ARGV[1], id)
local kept = tonumber(ARGV[3])
local over = redis.call('ZCARD', P .. 'inc:ids') - kept
if over > 0 then
  for _, old in ipairs(redis.call('ZRANGE', P .. 'inc:ids', 0, over - 1)) do
    local r = redis.call('HGET', P .. 'inc', old)
    -- resolved: the seventh field (resolution time) is not empty
    if not r or string.match(r, '^[^\t]*\t[^\t]*\t[^\t]*\t[^\t]*\t[^\t]*\t[^\t]*\t[^\t]') then
      redis.call('HDEL', P .. 'inc', old)
      redis.call('ZREM', P .. 'inc:ids', old)
    end
  end
end
return {1, rec}
