-- Spindle Redis job store: the shared library every script starts with.
--
-- KEYS[1] is the key prefix "{<namespace>}:". Every key a script touches starts with it, so all of
-- them hash to one Redis Cluster slot, and it is the declared key that routes the call there.
--
-- A job is a JSON record in the string P..'job:'..id with the keys (absent = nil/0):
--   t task, q queue, s state, p priority, u unique key, n attempt, f failures, l lost-worker strikes,
--   fe fencing token, w worker id, c cancel requested (1), ct created, ra run at, st started,
--   fi finished, ex expires, fs finish sequence number, d dead reason, po policy id (the policy text,
--   "timeout|maxWorkerLost|resultTtl|failureTtl|retry JSON", is kept once in P..'pol'),
--   df fencing token of the last completion applied (a completion repeated after a lost reply is
--   recognised).
-- Its payloads are separate strings: P..'a:'..id (arguments), P..'r:'..id (result),
-- P..'e:'..id (last error). Strings let a whole batch of jobs be read with one MGET and written
-- with one MSET: per job, a claim or a completion costs a JSON decode and encode, not Redis calls.
-- Times are "<epoch second>.<9-digit nanos>", exact; sorted-set scores are epoch microseconds,
-- rounded so that nothing is ever due early (run times round up, "now" rounds down).
--
-- Indexes: P..'all' (every job, score id), P..'sched' (SCHEDULED, score run time),
-- P..'q:'..queue..':r' (QUEUED, score -priority; equal scores order by the zero-padded id member),
-- P..'w:'..worker (ids a worker holds RUNNING: its in-flight set), P..'holders' (workers with a
-- non-empty in-flight set), P..'cxl' (RUNNING ids with a cancel request), P..'ok' / P..'bad'
-- (SUCCEEDED+CANCELLED / FAILED+DEAD, score finish sequence: together the feed of terminal
-- transitions, and the age order of retention limits), P..'exp' (terminal, score expiry),
-- P..'q:'..queue..':n' (counts by state), P..'queues', P..'uniq' (unique key -> id), P..'pol'
-- (policy id -> text), P..'limits', P..'workers' (id -> record JSON), P..'leases' (id -> lease end),
-- P..'fseq' and P..'id' (counters), P..'req:'..request id (replies kept for retried requests).
--
-- Out-of-memory rule: Redis never stops a script halfway. A script that must still work when
-- Redis is at maxmemory (completions, heartbeats, reclaim, purge: they let running jobs finish and
-- free memory) starts with a harmless write that is allowed under OOM (DEL of an absent key);
-- after it, Redis lets the script's other writes through. Scripts that must fail under OOM
-- (enqueue) make a memory-growing write first, so they fail before changing anything.
local P = KEYS[1]

local RECORD = {'t', 'q', 's', 'p', 'u', 'n', 'f', 'l', 'fe', 'w', 'c', 'ct', 'ra', 'st', 'fi', 'ex', 'fs', 'd', 'po',
  'df'}
local TERMINAL = {SUCCEEDED = true, FAILED = true, DEAD = true, CANCELLED = true}
-- JobState's allowed-transitions table
local ALLOWED = {
  SCHEDULED = {QUEUED = true, CANCELLED = true},
  QUEUED = {RUNNING = true, CANCELLED = true},
  RUNNING = {SUCCEEDED = true, SCHEDULED = true, QUEUED = true, FAILED = true, DEAD = true, CANCELLED = true},
  SUCCEEDED = {},
  FAILED = {QUEUED = true},
  DEAD = {QUEUED = true},
  CANCELLED = {QUEUED = true}
}
local MAX_SECOND = 253402300799 -- 9999-12-31T23:59:59Z: expiry times are capped there
local REQ_TTL_MS = 600000 -- replies kept for retried requests

local function ids(n) return string.format('%d', n) end
local function mem(id) return string.format('%016d', tonumber(id)) end
local function unmem(m) return string.match(m, '^0*(%d+)$') end
local function jkey(id) return P .. 'job:' .. id end
local function akey(id) return P .. 'a:' .. id end
local function resultkey(id) return P .. 'r:' .. id end
local function errkey(id) return P .. 'e:' .. id end
local function rkey(q) return P .. 'q:' .. q .. ':r' end
local function nkey(q) return P .. 'q:' .. q .. ':n' end
local function wkey(w) return P .. 'w:' .. w end
local function num(v) if v then return tonumber(v) end return 0 end
local function isok(s) return s == 'SUCCEEDED' or s == 'CANCELLED' end

-- ---------------------------------------------------------------- times
local function tparts(t)
  local s, n = string.match(t, '^(-?%d+)%.(%d+)$')
  return tonumber(s), tonumber(n)
end
local function tadd(t, d)
  local s1, n1 = tparts(t)
  local s2, n2 = tparts(d)
  local s, n = s1 + s2, n1 + n2
  if n >= 1000000000 then s = s + 1; n = n - 1000000000 end
  if s > MAX_SECOND then s = MAX_SECOND; n = 0 end
  return string.format('%d.%09d', s, n)
end
local function floorus(t) local s, n = tparts(t); return s * 1000000 + math.floor(n / 1000) end
local function ceilus(t) local s, n = tparts(t); return s * 1000000 + math.ceil(n / 1000) end
local function tless(a, b)
  local s1, n1 = tparts(a)
  local s2, n2 = tparts(b)
  return s1 < s2 or (s1 == s2 and n1 < n2)
end

-- ---------------------------------------------------------------- policies
local POLICY = {}
local function policy(id)
  local p = POLICY[id]
  if not p then
    local text = redis.call('HGET', P .. 'pol', id)
    if not text then error('spindle: job policy ' .. id .. ' is missing from ' .. P .. 'pol') end
    local mwl, rt, ft = string.match(text, '^[^|]*|(%d+)|([^|]+)|([^|]+)|')
    p = {mwl = tonumber(mwl), rt = rt, ft = ft}
    POLICY[id] = p
  end
  return p
end

-- ---------------------------------------------------------------- buffered writes
-- Index changes and job records are collected and written with one command per key (one MSET
-- for all strings) at flush(). flush() must run before a script reads what it changed.
local ZADDS, ZREMS, SADDS, SREMS, MSETS, DELS, CNT, WADD, WREM = {}, {}, {}, {}, {}, {}, {}, {}, {}
local SEQ, SEQ_DIRTY = nil, false
local CHANGED = false

local function push(t, key, a, b)
  local l = t[key]
  if not l then l = {}; t[key] = l end
  l[#l + 1] = a
  if b ~= nil then l[#l + 1] = b end
end
local function count(q, s, d)
  local m = CNT[q]
  if not m then m = {}; CNT[q] = m end
  m[s] = (m[s] or 0) + d
end
local function chunked(cmd, key, l, step)
  local n = #l
  local i = 1
  while i <= n do
    local j = math.min(i + 1000 * step - 1, n)
    if key then redis.call(cmd, key, unpack(l, i, j)) else redis.call(cmd, unpack(l, i, j)) end
    i = j + 1
  end
end
local function mset(k, v)
  MSETS[#MSETS + 1] = k
  MSETS[#MSETS + 1] = v
end
local function nextseq()
  if not SEQ then SEQ = num(redis.call('GET', P .. 'fseq')) end
  SEQ = SEQ + 1
  SEQ_DIRTY = true
  return SEQ
end
local function flush()
  if #DELS > 0 then chunked('DEL', nil, DELS, 1) end
  for k, l in pairs(ZREMS) do chunked('ZREM', k, l, 1) end
  for k, l in pairs(SREMS) do chunked('SREM', k, l, 1) end
  if #MSETS > 0 then chunked('MSET', nil, MSETS, 2) end
  for k, l in pairs(ZADDS) do chunked('ZADD', k, l, 2) end
  for k, l in pairs(SADDS) do chunked('SADD', k, l, 1) end
  for q, m in pairs(CNT) do
    local key = nkey(q)
    for s, d in pairs(m) do
      if d ~= 0 then redis.call('HINCRBY', key, s, d) end
    end
  end
  for w in pairs(WADD) do redis.call('SADD', P .. 'holders', w) end
  for w in pairs(WREM) do
    if not WADD[w] and redis.call('SCARD', wkey(w)) == 0 then redis.call('SREM', P .. 'holders', w) end
  end
  if SEQ_DIRTY then redis.call('SET', P .. 'fseq', ids(SEQ)); SEQ_DIRTY = false end
  ZADDS, ZREMS, SADDS, SREMS, MSETS, DELS, CNT, WADD, WREM = {}, {}, {}, {}, {}, {}, {}, {}, {}
end
local function notify()
  if CHANGED then redis.call('PUBLISH', P .. 'ev', '1'); CHANGED = false end
end

-- ---------------------------------------------------------------- jobs
local function decode(id, text)
  local j = cjson.decode(text)
  j.id = id
  return j
end
-- The job, or nil.
local function load(id)
  local v = redis.call('GET', jkey(id))
  if not v then return nil end
  return decode(id, v)
end
-- The jobs with these ids, by id (missing ones absent), in one MGET.
local function loadall(list)
  local out = {}
  local i = 1
  while i <= #list do
    local j = math.min(i + 999, #list)
    local keys = {}
    for x = i, j do keys[#keys + 1] = jkey(list[x]) end
    local v = redis.call('MGET', unpack(keys))
    for x = i, j do
      local text = v[x - i + 1]
      if text then out[list[x]] = decode(list[x], text) end
    end
    i = j + 1
  end
  return out
end
local function encode(j)
  local o = {}
  for _, f in ipairs(RECORD) do
    local v = j[f]
    if v ~= nil and v ~= false then o[f] = v end
  end
  return cjson.encode(o)
end
-- Queues the job's record (and changed payloads) for the next flush; returns the record text.
local function save(j)
  local text = encode(j)
  mset(jkey(j.id), text)
  if j.rdirty then
    if j.r then mset(resultkey(j.id), j.r) else DELS[#DELS + 1] = resultkey(j.id) end
    j.rdirty = nil
  end
  if j.edirty then
    if j.e then mset(errkey(j.id), j.e) else DELS[#DELS + 1] = errkey(j.id) end
    j.edirty = nil
  end
  return text
end
local function setresult(j, v) j.r = v; j.rdirty = true end
local function seterror(j, v) j.e = v; j.edirty = true end
-- A row for the client: {id, record JSON, args, result, error} (a missing payload is nil).
local function rowof(id, text)
  local v = redis.call('MGET', akey(id), resultkey(id), errkey(id))
  return {id, text, v[1], v[2], v[3]}
end
local function row(j)
  return rowof(j.id, encode(j))
end

local function unindex(j)
  local s, m = j.s, mem(j.id)
  count(j.q, s, -1)
  if s == 'SCHEDULED' then push(ZREMS, P .. 'sched', m)
  elseif s == 'QUEUED' then
    if not j.popped then push(ZREMS, rkey(j.q), m) end
  elseif s == 'RUNNING' then
    push(SREMS, wkey(j.w), j.id)
    WREM[j.w] = true
    if j.c then push(SREMS, P .. 'cxl', j.id) end
  else
    push(ZREMS, P .. 'exp', m)
    push(ZREMS, isok(s) and P .. 'ok' or P .. 'bad', m)
  end
end
local function index(j)
  local s, m = j.s, mem(j.id)
  count(j.q, s, 1)
  if s == 'SCHEDULED' then push(ZADDS, P .. 'sched', ceilus(j.ra), m)
  elseif s == 'QUEUED' then push(ZADDS, rkey(j.q), -j.p, m)
  elseif s == 'RUNNING' then
    push(SADDS, wkey(j.w), j.id)
    WADD[j.w] = true
  else
    push(ZADDS, P .. 'exp', ceilus(j.ex), m)
    push(ZADDS, isok(s) and P .. 'ok' or P .. 'bad', tonumber(j.fs), m)
  end
end

-- Applies a checked transition, keeping every index and count in step (like InMemoryJobStore.move).
local function move(j, to, now)
  local from = j.s
  if not ALLOWED[from][to] then
    error('spindle: illegal transition of job ' .. j.id .. ' from ' .. from .. ' to ' .. to)
  end
  unindex(j)
  if from == 'RUNNING' then j.c = nil end
  if TERMINAL[from] then j.fi, j.ex, j.fs = nil, nil, nil end
  j.s = to
  if TERMINAL[to] then
    local pol = policy(j.po)
    j.fi = now
    j.ex = tadd(now, (to == 'FAILED' or to == 'DEAD') and pol.ft or pol.rt)
    j.fs = ids(nextseq())
  end
  if to ~= 'RUNNING' then CHANGED = true end
  index(j)
end

-- A stopping worker hands the job back: QUEUED now, the attempt not counted; CANCELLED if a
-- cancel was requested meanwhile.
local function release(j, now)
  if j.c then
    move(j, 'CANCELLED', now)
    return
  end
  j.n = math.max(0, num(j.n) - 1)
  j.ra = now
  move(j, 'QUEUED', now)
end

-- Deletes a finished job and its index entries.
local function deletejob(id)
  local j = load(id)
  local m = mem(id)
  if not j then
    for _, k in ipairs({'exp', 'ok', 'bad', 'all'}) do push(ZREMS, P .. k, m) end
    return false
  end
  unindex(j)
  push(ZREMS, P .. 'all', m)
  DELS[#DELS + 1] = jkey(id)
  DELS[#DELS + 1] = akey(id)
  DELS[#DELS + 1] = resultkey(id)
  DELS[#DELS + 1] = errkey(id)
  if j.u and redis.call('HGET', P .. 'uniq', j.u) == id then redis.call('HDEL', P .. 'uniq', j.u) end
  return true
end

-- ---------------------------------------------------------------- enqueue
-- Reads a job batch from ARGV starting at i: the number of distinct policies, an id and a text per
-- policy, the number of jobs, then 9 values per job: task, args, queue, priority, run at, delayed
-- ('1'/'0'), unique key ('' for none), created at, policy number (1-based). Adds the jobs, all or
-- none; a job whose unique key exists (in the store or earlier in the batch) is not added.
-- Returns a flat list: id, created (1/0), state, per job.
local function enqueue(i)
  local npol = tonumber(ARGV[i])
  local pols = {}
  for k = 1, npol do pols[k] = ARGV[i + 2 * k - 1] end
  local poltexts = i
  i = i + 2 * npol + 1
  local n = tonumber(ARGV[i])
  i = i + 1
  local known, fresh = {}, 0
  for k = 0, n - 1 do
    local u = ARGV[i + k * 9 + 6]
    if u == '' then
      fresh = fresh + 1
    elseif not known[u] then
      known[u] = redis.call('HGET', P .. 'uniq', u) or 'new'
      if known[u] == 'new' then fresh = fresh + 1 end
    end
  end
  local nextid = 0
  if fresh > 0 then
    -- the first write grows memory, so under OOM the script fails here, before changing anything
    nextid = redis.call('INCRBY', P .. 'id', fresh) - fresh
    for k = 1, npol do redis.call('HSETNX', P .. 'pol', pols[k], ARGV[poltexts + 2 * k]) end
  end
  local out, created = {}, {}
  for k = 0, n - 1 do
    local b = i + k * 9
    local u = ARGV[b + 6]
    if u ~= '' and known[u] ~= 'new' then
      local id = known[u]
      local st = created[id]
      if not st then
        local j = load(id)
        st = j and j.s or 'QUEUED'
      end
      out[#out + 1] = id
      out[#out + 1] = 0
      out[#out + 1] = st
    else
      nextid = nextid + 1
      local id = ids(nextid)
      local j = {id = id, t = ARGV[b], q = ARGV[b + 2], p = tonumber(ARGV[b + 3]), ra = ARGV[b + 4],
        ct = ARGV[b + 7], po = pols[tonumber(ARGV[b + 8])]}
      j.s = ARGV[b + 5] == '1' and 'SCHEDULED' or 'QUEUED'
      if u ~= '' then
        j.u = u
        redis.call('HSET', P .. 'uniq', u, id)
        known[u] = id
      end
      mset(jkey(id), encode(j))
      mset(akey(id), ARGV[b + 1])
      push(ZADDS, P .. 'all', nextid, mem(id))
      push(SADDS, P .. 'queues', j.q)
      index(j)
      CHANGED = true
      created[id] = j.s
      out[#out + 1] = id
      out[#out + 1] = 1
      out[#out + 1] = j.s
    end
  end
  return out
end

-- ---------------------------------------------------------------- retried requests
-- A request that timed out or lost its connection is sent again with the same request id; the
-- reply kept under that id is returned instead of doing the work twice.
local function replay(rid)
  if rid == '' then return nil end
  return redis.call('GET', P .. 'req:' .. rid)
end
local function remember(rid, value)
  if rid ~= '' then redis.call('SET', P .. 'req:' .. rid, value, 'PX', REQ_TTL_MS) end
end
