-- durable_signal_at(id, name#number): the signal "received at|payload JSON", or nil (none, or no
-- such job). Read-only.
if redis.call('EXISTS', hkey(ARGV[1])) == 0 then return false end
return redis.call('HGET', dgkey(ARGV[1]), ARGV[2])
