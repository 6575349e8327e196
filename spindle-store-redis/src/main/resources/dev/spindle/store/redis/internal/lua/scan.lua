-- scan(mode, before, limit, budget, states, queue, task, finished before, finished after, created
-- after, created before, text): walks jobs from the
-- newest down, starting below 'before' ('+inf' or '(id'), looking at most 'budget' jobs.
-- mode 'list' returns matching rows; mode 'purge' deletes matching finished jobs and returns ids.
-- Filters: states a ',STATE,...,' list or '', queue/task '' for any, times or '' (after: at or
-- after; before: strictly before), text '' or lower-case text found in the arguments or the error
-- (ASCII case ignored).
-- Returns {results, last id looked at or '' if the walk reached the oldest job, jobs looked at}.
local mode, before, limit, budget = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
-- mode 'purge' runs under OOM (see keys.lua): its only writes delete jobs. Mode 'list' writes
-- nothing, so it also runs on a read-only replica.
if mode == 'purge' then redis.call('DEL', P .. 'oom') end
local states, queue, task, fb = ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local fa, ca, cb, needle = ARGV[9] or '', ARGV[10] or '', ARGV[11] or '', ARGV[12] or ''
local needh = task ~= '' or ca ~= '' or cb ~= '' or needle ~= ''
-- the header's task and created time, and the arguments (up to a first status's NUL: codec.lua)
local HDR = '^([^|]*)|[^|]*|[^|]*|([^|]*)|[^\n]*\n([^%z]*)'
local function others(id, h)
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
-- A filter on states with a small index of their own walks that index instead of every job:
-- FAILED/DEAD ('bad'), RUNNING (the workers' in-flight sets), SCHEDULED ('sched').
local MAX_CANDIDATES = 200000
local function only(set)
  if states == '' then return false end
  for st in string.gmatch(states, '[^,]+') do
    if not set[st] then return false end
  end
  return true
end
local candidates
local function fromzset(key)
  if redis.call('ZCARD', key) > MAX_CANDIDATES then return nil end
  local found = {}
  for _, m in ipairs(redis.call('ZRANGE', key, 0, -1)) do found[#found + 1] = tonumber(unmem(m)) end
  return found
end
if only({FAILED = true, DEAD = true}) then
  candidates = fromzset(P .. 'bad')
elseif only({SCHEDULED = true}) then
  candidates = fromzset(P .. 'sched')
elseif only({RUNNING = true}) then
  local holders = redis.call('SMEMBERS', P .. 'holders')
  local found, n = {}, 0
  for _, w in ipairs(holders) do
    n = n + redis.call('SCARD', wkey(w))
  end
  if n <= MAX_CANDIDATES then
    for _, w in ipairs(holders) do
      for _, id in ipairs(redis.call('SMEMBERS', wkey(w))) do found[#found + 1] = tonumber(id) end
    end
    candidates = found
  end
end
-- The id a cursor ('+inf' or '(id') is below.
local function belowof(cursor)
  if cursor == '+inf' then return math.huge end
  return tonumber(string.sub(cursor, 2))
end
local ci = 1
if candidates then
  local below = belowof(before)
  local kept = {}
  for _, id in ipairs(candidates) do
    if id < below then kept[#kept + 1] = id end
  end
  table.sort(kept, function(a, b) return a > b end)
  candidates = kept
end
-- The next 250 ids below 'before', newest first: from the existence bitmaps, merged with the sorted
-- set P..'all' of jobs an earlier version wrote (empty once deletions drained it).
local function newest()
  local fresh = existingbelow(belowof(before), 250)
  local legacy = redis.call('ZREVRANGEBYSCORE', P .. 'all', before, '-inf', 'LIMIT', 0, 250)
  local c, i, k = {}, 1, 1
  while #c < 250 and (i <= #fresh or k <= #legacy) do
    local a, l = fresh[i], legacy[k] and tonumber(unmem(legacy[k]))
    if l and (not a or l >= a) then
      c[#c + 1] = ids(l)
      k = k + 1
      if l == a then i = i + 1 end
    else
      c[#c + 1] = ids(a)
      i = i + 1
    end
  end
  return c
end
-- the next ids to look at, newest first (at most 250)
local function nextchunk()
  local c = {}
  if candidates then
    while #c < 250 and ci <= #candidates do
      c[#c + 1] = ids(candidates[ci])
      ci = ci + 1
    end
    return c
  end
  return newest()
end
local needparse = queue ~= '' or fb ~= '' or fa ~= '' or mode ~= 'list'
local out, scanned, last = {}, 0, ''
local done = false
while #out < limit and scanned < budget and not done do
  local chunk = nextchunk()
  if #chunk == 0 then
    last = ''
    done = true
  else
    local texts = statustexts(chunk)
    local heads = {}
    if needh then
      -- the headers of the chunk in one call too (not one GET per job)
      local hk = {}
      for x, id in ipairs(chunk) do hk[x] = hkey(id) end
      heads = redis.call('MGET', unpack(hk))
    end
    for x, id in ipairs(chunk) do
      scanned = scanned + 1
      last = id
      local text = texts[x]
      if text then
        local s = string.match(text, '^(%u+)|')
        if states == '' or string.find(states, ',' .. s .. ',', 1, true) then
          local j = needparse and parse(id, text) or nil
          if (not j or ((queue == '' or queue == j.q)
              and (fb == '' or (j.fi and tless(j.fi, fb))) and (fa == '' or (j.fi and not tless(j.fi, fa)))))
              and (not needh or others(id, heads[x])) then
            if mode == 'list' then
              out[#out + 1] = rowof(id, text)
            elseif TERMINAL[s] then
              deletejob(id)
              out[#out + 1] = id
            end
          end
        end
      end
      if #out >= limit or scanned >= budget then break end
    end
    before = '(' .. last
  end
end
flush()
return {out, last, scanned}
