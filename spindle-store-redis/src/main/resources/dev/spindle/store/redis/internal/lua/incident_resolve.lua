-- incident_resolve(open key, resolved at): resolves the incident open under the open key, writing
-- its resolution time (the seventh field). Returns its record as resolved, or false if none was open.
local id = redis.call('HGET', P .. 'inc:open', ARGV[1])
if not id then return false end
redis.call('HDEL', P .. 'inc:open', ARGV[1])
local rec = redis.call('HGET', P .. 'inc', id)
if not rec then return false end
local head, tail = string.match(rec, '^([^\t]*\t[^\t]*\t[^\t]*\t[^\t]*\t[^\t]*\t[^\t]*\t)[^\t]*(\t.*)$')
rec = head .. ARGV[2] .. tail
redis.call('HSET', P .. 'inc', id, rec)
return rec
