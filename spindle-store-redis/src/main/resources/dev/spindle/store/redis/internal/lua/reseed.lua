-- reseed(incident id, new epoch, highest id known, incident JSON): called by a client that found
-- the marker P..'epoch' missing or different from the one it knew, or the id counter below an id
-- it saw, so Redis lost the namespace's data (a restart without persistence, a flush, eviction).
-- Records the incident once per incident id (the lost epoch) in P..'incidents', keeps new ids
-- above every id the client knew (they never restart at 1 under it), and writes the new epoch if
-- there is no marker. Returns the epoch in force.
local cur = redis.call('GET', P .. 'epoch')
if not cur then
  cur = ARGV[2]
  redis.call('SET', P .. 'epoch', cur)
end
local known = tonumber(ARGV[3])
if num(redis.call('GET', P .. 'id')) < known then redis.call('SET', P .. 'id', ids(known)) end
redis.call('HSETNX', P .. 'incidents', ARGV[1], ARGV[4])
return cur
