-- exchange(rid, now, nowUs, unconfirmed rids, nCompletions, <9 values per completion>,
--          worker, max, nQueues, <queues>): applies completions, then claims jobs, atomically.
-- A completion is: id, fence, worker, outcome (S R F D C L), result, error, dead reason, retry at,
-- retry delayed ('1'/'0'); '' stands for null. A claim with worker '' is skipped.
-- Returns {applied flags (1/0), claimed job rows (without the result and error of earlier attempts),
-- earliest SCHEDULED run time or nil}.
redis.call('DEL', P .. 'oom') -- runs under OOM: see lib
local rid, now, nowus, unconfirmed = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]

local function nextrun()
  local first = redis.call('ZRANGE', P .. 'sched', 0, 0)
  if first[1] then return redis.call('HGET', jkey(unmem(first[1])), 'ra') end
  return false
end

-- The reply is kept as applied flags plus claimed id/fence pairs; rows are read again on replay,
-- and only jobs this claim still holds are returned.
local function rows_of(rec)
  local rows = {}
  local c = rec.c
  for x = 1, #c, 2 do
    local j = load(c[x])
    if j and j.s == 'RUNNING' and j.fe == c[x + 1] and j.w == rec.w then rows[#rows + 1] = row(j) end
  end
  return rows
end

local prev = replay(rid)
if prev then
  local rec = cjson.decode(prev)
  return {rec.f, rows_of(rec), nextrun()}
end

-- Earlier exchanges of this worker whose replies never arrived (comma-separated request ids): give
-- back the jobs they claimed (they never reached the worker); their completions stay applied
-- (repeats are idempotent).
for urid in string.gmatch(unconfirmed, '[^,]+') do
  local lost = redis.call('GET', P .. 'req:' .. urid)
  if lost then
    local rec = cjson.decode(lost)
    local c = rec.c
    for x = 1, #c, 2 do
      local j = load(c[x])
      if j and j.s == 'RUNNING' and j.fe == c[x + 1] and j.w == rec.w then release(j, now); save(j) end
    end
    redis.call('DEL', P .. 'req:' .. urid)
  end
end
flush()

local nc = tonumber(ARGV[5])
local flags, applied = {}, {}
if nc > 0 then
  -- one read of every claim concerned, instead of one per job
  local cids = {}
  for k = 0, nc - 1 do cids[k + 1] = ARGV[6 + k * 9] end
  local claims = redis.call('HMGET', P .. 'run', unpack(cids))
  for k = 0, nc - 1 do
    local b = 6 + k * 9
    local id, fence, w, oc = ARGV[b], ARGV[b + 1], ARGV[b + 2], ARGV[b + 3]
    local ok = 0
    local j
    if claims[k + 1] and not applied[id] then
      j = {id = id}
      overlay(j, claims[k + 1])
    end
    if j and j.fe == fence and j.w == w then
      local result, err, dead, retryat = ARGV[b + 4], ARGV[b + 5], ARGV[b + 6], ARGV[b + 7]
      set(j, 'df', fence)
      if oc == 'S' then
        set(j, 'r', result)
        move(j, 'SUCCEEDED', now)
      elseif oc == 'R' then
        j.f = ids(num(j.f) + 1)
        if err == '' then clear(j, 'e') else set(j, 'e', err) end
        set(j, 'ra', retryat)
        move(j, ARGV[b + 8] == '1' and 'SCHEDULED' or 'QUEUED', now)
      elseif oc == 'F' then
        j.f = ids(num(j.f) + 1)
        if err == '' then clear(j, 'e') else set(j, 'e', err) end
        move(j, 'FAILED', now)
      elseif oc == 'D' then
        if err == '' then clear(j, 'e') else set(j, 'e', err) end
        set(j, 'd', dead)
        move(j, 'DEAD', now)
      elseif oc == 'C' then
        if err ~= '' then set(j, 'e', err) end
        move(j, 'CANCELLED', now)
      elseif oc == 'L' then
        release(j, now)
      else
        error('spindle: unknown completion outcome ' .. oc)
      end
      save(j)
      applied[id] = true
      ok = 1
    elseif not applied[id] and redis.call('HGET', jkey(id), 'df') == fence then
      ok = 1 -- sent again by a worker whose earlier call lost its reply: it was applied then
    end
    flags[#flags + 1] = ok
  end
  flush()
end

local cb = 6 + nc * 9
local worker = ARGV[cb]
local rows, claimed = {}, {}
if worker ~= '' then
  -- promote due SCHEDULED jobs (at most 1000 per call keeps the script short)
  local due = redis.call('ZRANGEBYSCORE', P .. 'sched', '-inf', nowus, 'LIMIT', 0, 1000)
  for _, m in ipairs(due) do
    local j = load(unmem(m))
    if j then
      move(j, 'QUEUED', now)
      save(j)
    else
      redis.call('ZREM', P .. 'sched', m)
    end
  end
  flush()
  local remaining = tonumber(ARGV[cb + 1])
  local nq = tonumber(ARGV[cb + 2])
  for qi = 1, nq do
    if remaining <= 0 then break end
    local q = ARGV[cb + 2 + qi]
    local avail = remaining
    local lim = num(redis.call('HGET', P .. 'limits', q))
    if lim > 0 then
      avail = math.min(avail, lim - num(redis.call('HGET', nkey(q), 'RUNNING')))
    end
    if avail > 0 then
      local popped = redis.call('ZPOPMIN', rkey(q), avail)
      for x = 1, #popped, 2 do
        local j = load(unmem(popped[x]), KFIELDS, true)
        if j and j.s == 'QUEUED' then
          j.popped = true
          j.n = ids(num(j.n) + 1)
          j.fe = ids(num(j.fe) + 1)
          j.w = worker
          j.st = now
          move(j, 'RUNNING', now)
          save(j)
          rows[#rows + 1] = row(j)
          claimed[#claimed + 1] = j.id
          claimed[#claimed + 1] = j.fe
          remaining = remaining - 1
        end
      end
    end
  end
  flush()
end
notify()
if #claimed > 0 or nc > 0 then
  remember(rid, cjson.encode({f = flags, w = worker, c = claimed}))
end
return {flags, rows, nextrun()}
