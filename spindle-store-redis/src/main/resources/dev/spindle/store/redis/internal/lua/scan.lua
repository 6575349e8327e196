-- scan(mode, before, limit, budget, states, queue, task, finished before, finished after, created
-- after, created before, text): walks jobs from the
-- newest down, starting below 'before' ('+inf' or '(id'), looking at most 'budget' jobs.
-- mode 'list' returns matching rows; mode 'purge' deletes matching finished jobs and returns ids.
-- Filters: states a ',STATE,...,' list or '', queue/task '' for any, times or '' (after: at or
-- after; before: strictly before), text '' or lower-case text found in the arguments or the error
-- (ASCII case ignored).
-- Returns {results, last id looked at or '' if the walk reached the oldest job, jobs looked at}.
local mode, before, limit, budget = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local states, queue, task, fb = ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local fa, ca, cb, needle = ARGV[9] or '', ARGV[10] or '', ARGV[11] or '', ARGV[12] or ''
local needh = task ~= '' or ca ~= '' or cb ~= '' or needle ~= ''
-- the header's task and created time, and the arguments
local HDR = '^([^|]*)|[^|]*|[^|]*|([^|]*)|[^\n]*\n(.*)$'
local function others(id)
  local h = redis.call('GET', hkey(id))
  if not h then return false end
  local t, cr, args = string.match(h, HDR)
  if task ~= '' and task ~= t then return false end
  if ca ~= '' and tless(cr, ca) then return false end
  if cb ~= '' and not tless(cr, cb) then return false end
  if needle ~= '' and not string.find(string.lower(args), needle, 1, true) then
    local e = redis.call('GET', errkey(id))
    if not (e and string.find(string.lower(e), needle, 1, true)) then return false end
  end
  return true
end
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
        and (queue == '' or queue == j.q)
        and (fb == '' or (j.fi and tless(j.fi, fb))) and (fa == '' or (j.fi and not tless(j.fi, fa)))
        and (not needh or others(id)) then
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
return {out, last, scanned}
