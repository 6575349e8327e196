-- durable_record(id, fence, worker, name#occurrence, "sequence|kind|fence|attempt|took ms",
--                result ('-' none, '=' .. JSON), result bytes, took a signal ('1'/'0'),
--                max steps, max result bytes, max job bytes, caller now): records one step of the
-- attempt that holds the job (RUNNING, worker, fence), unless that step is recorded or a limit of
-- DurableRules (the last three numbers) refuses it; a record ends the job's wait. Returns the
-- facts DurableRules.onRecord decides by: {held 1/0, the stored record or nil, records, bytes, the
-- new record or nil}. A repeat finds its own record: nothing is written twice.
local id, fence, w, key = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local now = storeclock(ARGV[12])
if not heldjob(id, fence, w) then
  LEDGER.refuse(id, fence, now, w, 'step ' .. key)
  return {0, false, 0, 0, false}
end
local dk = dskey(id)
local existing = redis.call('HGET', dk, key)
if existing then return {1, existing, 0, 0, false} end
local meta = redis.call('HMGET', dk, '#n', '#b', '#w')
local steps, bytes, size = num(meta[1]), num(meta[2]), tonumber(ARGV[7])
if steps >= tonumber(ARGV[9]) or size > tonumber(ARGV[10]) or bytes + size > tonumber(ARGV[11]) then
  return {1, false, steps, bytes, false}
end
local text = ARGV[5] .. '|' .. now .. '|' .. ARGV[6]
redis.call('HSET', dk, key, text, '#n', steps + 1, '#b', bytes + size)
if ARGV[8] == '1' then redis.call('HINCRBY', dk, '#t', 1) end
if meta[3] then redis.call('HDEL', dk, '#w') end
return {1, false, steps, bytes, text}
