-- durable_signal(rid, 'i' (by id) or 'u' (by unique key), id or key, name, payload JSON,
--                max pending signals, caller now): stores a signal for a job as RULES.SIGNAL
-- (DurableRules.onSignal, rendered) answers for its state, whether its pending signals are at the
-- limit, and whether it waits for this name; a job SCHEDULED on a wait for it moves to QUEUED in
-- this script and workers are woken. Returns the answer's name (SignalResult).
local rid, by, ref, name, payload = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local now = storeclock(ARGV[7])
local prev = replay(rid)
if prev then return prev end
local id = ref
if by == 'u' then id = redis.call('HGET', P .. 'uniq', ref) end
local j = id and load(id)
if not j then return RULES.SIGNAL.NONE.ROOM.N end
local dk = dskey(id)
local meta = redis.call('HMGET', dk, '#g', '#t', '#w', '@' .. name)
local full = num(meta[1]) - num(meta[2]) >= tonumber(ARGV[6])
local waits = waitsignal(meta[3]) == name
local r = RULES.SIGNAL[j.s][full and 'FULL' or 'ROOM'][waits and 'W' or 'N']
if r ~= 'STORED' and r ~= 'WOKE' then return r end
local number = num(meta[4])
redis.call('HSET', dgkey(id), name .. '#' .. number, now .. '|' .. payload)
redis.call('HSET', dk, '#g', num(meta[1]) + 1, '@' .. name, number + 1)
if r == 'WOKE' then
  j.ra = now
  move(j, 'QUEUED', now)
  save(j)
  flush()
  notify()
end
remember(rid, r)
return r
