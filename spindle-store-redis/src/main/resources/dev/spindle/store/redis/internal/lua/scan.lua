-- scan(mode, before, limit, budget, states, queue, task, finished before): walks jobs from the
-- newest down, starting below 'before' ('+inf' or '(id'), looking at most 'budget' jobs.
-- mode 'list' returns matching rows; mode 'purge' deletes matching finished jobs and returns ids.
-- Filters: states a ',STATE,...,' list or '', queue/task '' for any, finished before a time or ''.
-- Returns {results, last id looked at or '' if the walk reached the oldest job}.
local mode, before, limit, budget = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local states, queue, task, fb = ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local out, scanned, last = {}, 0, ''
local done = false
while #out < limit and scanned < budget and not done do
  local chunk = redis.call('ZREVRANGEBYSCORE', P .. 'all', before, '-inf', 'LIMIT', 0, 250)
  if #chunk == 0 then
    last = ''
    done = true
  end
  for _, m in ipairs(chunk) do
    local id = unmem(m)
    scanned = scanned + 1
    last = id
    local text = redis.call('GET', skey(id))
    local j = text and parse(id, text)
    if j and (states == '' or string.find(states, ',' .. j.s .. ',', 1, true))
        and (queue == '' or queue == j.q) and (task == '' or task == header(id).t)
        and (fb == '' or (j.fi and tless(j.fi, fb))) then
      if mode == 'list' then
        out[#out + 1] = rowof(id, text)
      elseif TERMINAL[j.s] then
        deletejob(id)
        out[#out + 1] = id
      end
    end
    if #out >= limit or scanned >= budget then break end
  end
  before = '(' .. last
end
flush()
return {out, last}
