-- attempts(id): the job's attempts ledger (see "attempts ledger" in lib), if the job exists.
-- Returns {found 1/0, {attempt entries, oldest first}, {refused writes, oldest first}}. Read-only.
local id = ARGV[1]
if redis.call('EXISTS', skey(id)) == 0 then return {0, {}, {}} end
return {1, redis.call('LRANGE', LEDGER.akey(id), 0, -1), redis.call('LRANGE', LEDGER.arkey(id), 0, -1)}
