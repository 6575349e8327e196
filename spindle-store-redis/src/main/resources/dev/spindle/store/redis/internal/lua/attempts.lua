-- attempts(id): the job's attempts ledger (see "attempts ledger" in lib), if the job exists: the
-- stored entries with the current attempt its status tells. Returns {found 1/0, {attempt entries,
-- oldest first}, {refused writes, oldest first}}. Read-only.
local id = ARGV[1]
local text = statustext(id)
if not text then return {0, {}, {}} end
local j = parse(id, text)
local entries = redis.call('LRANGE', LEDGER.akey(id), 0, -1)
return {1, LEDGER.withcurrent(j, entries), LEDGER.recent(j, redis.call('LRANGE', LEDGER.arkey(id), 0, -1))}
