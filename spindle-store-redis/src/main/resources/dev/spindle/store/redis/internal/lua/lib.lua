-- Spindle Redis job store: the shared library every script starts with.
--
-- KEYS[1] is the key prefix "{<namespace>}:". Every key a script touches starts with it, so all of
-- them hash to one Redis Cluster slot, and it is the declared key that routes the call there.
--
-- A job is kept in strings, so that a whole batch of jobs is read with one MGET and written with
-- one MSET, and a transition costs one pattern match and one concatenation per job:
--   P..'h:'..id  what never changes, as the client writes it: "task|queue|priority|created|policy id|
--                unique key" ('%', '|' and newlines in the key escaped as %25, %7C, %0A), a newline,
--                then the arguments JSON
--   P..'s:'..id  the status, "|"-separated, in this order (empty = nil/0):
--                s state, n attempt, fe fencing token, st started, w worker id (these five first: a
--                claim rewrites only them), f failures, l lost-worker strikes, c cancel requested (1),
--                ra run at, fi finished, ex expires, fs finish sequence number, df fencing token of
--                the last completion applied (a completion repeated after a lost reply is
--                recognised), p priority, q queue, po policy id, d dead reason, r the result JSON
--                (last: it may hold any character); '%', '|' and newlines in w and d are escaped
--                as %25, %7C, %0A
--   P..'e:'..id  the last error JSON (when there is one)
-- The policy text, "timeout|maxWorkerLost|resultTtl|failureTtl|retry JSON", is kept once per id in
-- P..'pol'. Times are "<epoch second>.<9-digit nanos>", exact; sorted-set scores are epoch
-- microseconds, rounded so that nothing is ever due early (run times round up, "now" rounds down).
--
-- Indexes: P..'all' (every job, score id), P..'sched' (SCHEDULED, score run time),
-- P..'q:'..queue..':r' (QUEUED, score -priority; equal scores order by the zero-padded id member),
-- P..'w:'..worker (ids a worker holds RUNNING: its in-flight set), P..'holders' (workers with a
-- non-empty in-flight set), P..'cxl' (RUNNING ids with a cancel request), P..'ok' / P..'bad'
-- (SUCCEEDED+CANCELLED / FAILED+DEAD, score finish sequence: together the feed of terminal
-- transitions, and the age order of retention limits), P..'exp' (expiry buckets: member
-- "<first fs>:<last fs>", score the expiry shared by the jobs that one script call finished with
-- that expiry; a bucket may also span other jobs, which purge_expired checks one by one),
-- P..'q:'..queue..':n' (counts by state), P..'queues', P..'uniq' (unique key -> id),
-- P..'limits', P..'workers' (id -> record JSON), P..'leases' (id -> lease end), P..'fseq' and
-- P..'id' (counters), P..'req:'..request id (replies kept for retried requests).
-- WAITING jobs (they wait for other jobs: workflows) are in no index but P..'all' and the counts;
-- their dependencies are kept as described at "dependencies" below.
--
-- Out-of-memory rule: Redis never stops a script halfway. A script that must still work when
-- Redis is at maxmemory (completions, heartbeats, reclaim, purge: they let running jobs finish and
-- free memory) starts with a harmless write that is allowed under OOM (DEL of an absent key);
-- after it, Redis lets the script's other writes through. Scripts that must fail under OOM
-- (enqueue) make a memory-growing write first, so they fail before changing anything.
local P = KEYS[1]

local STATUS = '^(%u+)|(%d*)|(%d*)|([^|]*)|([^|]*)|(%d*)|(%d*)|(%d*)|([^|]*)|([^|]*)|([^|]*)|(%d*)|(%d*)|'
  .. '(-?%d+)|([^|]+)|([^|]*)|([^|]*)|(.*)$'
-- TERMINAL (the terminal states) and ALLOWED (the allowed transitions, ALLOWED[from][to]) are
-- rendered from JobState by Script.java in place of the next line: one state machine, in Java; so
-- is EFFECT[policy code][terminal state] ('S', 'F' or 'C'), DependencyPolicy.effectOf.
--@JOB_STATE_TABLES@
local MAX_SECOND = 253402300799 -- 9999-12-31T23:59:59Z: expiry times are capped there
local REQ_TTL_MS = 600000 -- replies kept for retried requests

local function ids(n) return string.format('%d', n) end
local function mem(id) return string.format('%016d', tonumber(id)) end
local function unmem(m) return string.match(m, '^0*(%d+)$') end
local function hkey(id) return P .. 'h:' .. id end
local function skey(id) return P .. 's:' .. id end
local function errkey(id) return P .. 'e:' .. id end
local function rkey(q) return P .. 'q:' .. q .. ':r' end
local function nkey(q) return P .. 'q:' .. q .. ':n' end
local WKEYS = {}
local function wkey(w)
  local k = WKEYS[w]
  if not k then k = P .. 'w:' .. w; WKEYS[w] = k end
  return k
end
local function num(v) if v and v ~= '' then return tonumber(v) end return 0 end
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
    p = {mwl = tonumber(mwl), rt = rt, ft = ft, exp = {}}
    POLICY[id] = p
  end
  return p
end
-- The expiry of a job of policy 'po' reaching terminal 'state' at 'now', and its score (cached:
-- 'now' is the same for every job of a script call).
local function expiry(po, state, now)
  local pol = policy(po)
  local bad = state == 'FAILED' or state == 'DEAD'
  local k = bad and 'f' or 'r'
  local e = pol.exp[k]
  if not e or e[3] ~= now then
    local t = tadd(now, bad and pol.ft or pol.rt)
    e = {t, ids(ceilus(t)), now}
    pol.exp[k] = e
  end
  return e[1], e[2]
end

-- ---------------------------------------------------------------- buffered writes
-- Index changes and job strings are collected and written with one command per key (one MSET for
-- all strings) at flush(). flush() must run before a script reads what it changed.
local ZADDS, ZREMS, SADDS, SREMS, MSETS, DELS, CNT, WADD, WREM = {}, {}, {}, {}, {}, {}, {}, {}, {}
local EXPB = {} -- expiry score -> {lowest fs, highest fs} of the jobs finished with it
local SEQ, SEQ_DIRTY = nil, false
local CHANGED = false

local function push(t, key, a, b)
  local l = t[key]
  if not l then l = {}; t[key] = l end
  l[#l + 1] = a
  if b ~= nil then l[#l + 1] = b end
end
local function mset(k, v)
  MSETS[#MSETS + 1] = k
  MSETS[#MSETS + 1] = v
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
local function nextseq()
  if not SEQ then SEQ = num(redis.call('GET', P .. 'fseq')) end
  SEQ = SEQ + 1
  SEQ_DIRTY = true
  return SEQ
end
-- Files a terminal job with expiry score 'exus' and finish sequence 'fs' under its bucket: one
-- sorted-set entry per expiry and call instead of one per job.
local function expmark(exus, fs)
  local n = tonumber(fs)
  local b = EXPB[exus]
  if not b then
    EXPB[exus] = {n, n}
  elseif n < b[1] then
    b[1] = n
  elseif n > b[2] then
    b[2] = n
  end
end
local function flush()
  for exus, b in pairs(EXPB) do push(ZADDS, P .. 'exp', exus, b[1] .. ':' .. b[2]) end
  EXPB = {}
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
local function nz(v) if v == '' then return nil end return v end
local ESC = {['%'] = '%25', ['|'] = '%7C', ['\n'] = '%0A'}
local function esc(v)
  if string.find(v, '[%%|\n]') then return (string.gsub(v, '[%%|\n]', ESC)) end
  return v
end
local function unesc(v)
  if string.find(v, '%', 1, true) then
    return (string.gsub(v, '%%(%x%x)', function(h) return string.char(tonumber(h, 16)) end))
  end
  return v
end

-- A job table from its status text.
local function parse(id, text)
  local s, n, fe, st, w, f, l, c, ra, fi, ex, fs, df, p, q, po, d, r = string.match(text, STATUS)
  if not s then error('spindle: job ' .. id .. ' has a malformed status: ' .. text) end
  return {id = id, s = s, n = num(n), fe = nz(fe), st = nz(st), w = w ~= '' and unesc(w) or nil, f = num(f),
    l = num(l), c = nz(c), ra = nz(ra), fi = nz(fi), ex = nz(ex), fs = nz(fs), df = nz(df), p = tonumber(p), q = q,
    po = po, d = d ~= '' and unesc(d) or nil, r = nz(r)}
end
local function status(j)
  return j.s .. '|' .. j.n .. '|' .. (j.fe or '') .. '|' .. (j.st or '') .. '|' .. (j.w and esc(j.w) or '') .. '|'
    .. j.f .. '|' .. j.l .. '|' .. (j.c or '') .. '|' .. (j.ra or '') .. '|' .. (j.fi or '') .. '|' .. (j.ex or '')
    .. '|' .. (j.fs or '') .. '|' .. (j.df or '') .. '|' .. j.p .. '|' .. j.q .. '|' .. j.po .. '|'
    .. (j.d and esc(j.d) or '') .. '|' .. (j.r or '')
end
-- The first five fields of a status.
local HEAD = '^(%u+)|(%d*)|(%d*)|([^|]*)|([^|]*)|'
-- A RUNNING job's status, for completing it: n, fe, st, w, f, l, c, ra, p, q, po, d (fi, ex, fs, df
-- and r are empty while it runs).
local RUNNING_SUCCESS = '^RUNNING|(%d*)|(%d*)|([^|]*)|([^|]*)|(%d*)|(%d*)|(%d*)|([^|]*)|[^|]*|[^|]*|%d*|%d*|'
  .. '(-?%d+)|([^|]+)|([^|]*)|([^|]*)|'
-- Claims a QUEUED job whose status is 'text': a new status with the claim's fields, without
-- parsing the rest. Returns the new status, or nil if the job is not QUEUED.
local CLAIMABLE = '^QUEUED|(%d*)|(%d*)|[^|]*|[^|]*|(.*)$'
local function claimstatus(text, wesc, now)
  local n, fe, rest = string.match(text, CLAIMABLE)
  if not n then return nil end
  local fence = ids(num(fe) + 1)
  return 'RUNNING|' .. (num(n) + 1) .. '|' .. fence .. '|' .. now .. '|' .. wesc .. '|' .. rest, fence
end
-- The job, or nil.
local function load(id)
  local v = redis.call('GET', skey(id))
  if not v then return nil end
  return parse(id, v)
end
-- The jobs with these ids, by id (missing ones absent), with one MGET per 1000.
local function loadall(list)
  local out = {}
  local i = 1
  while i <= #list do
    local k = math.min(i + 999, #list)
    local keys = {}
    for x = i, k do keys[#keys + 1] = skey(list[x]) end
    local v = redis.call('MGET', unpack(keys))
    for x = i, k do
      local text = v[x - i + 1]
      if text then out[list[x]] = parse(list[x], text) end
    end
    i = k + 1
  end
  return out
end
-- Queues the job's status (and a changed error) for the next flush; returns the status text.
local function save(j)
  local text = status(j)
  mset(skey(j.id), text)
  if j.edirty then
    if j.e then mset(errkey(j.id), j.e) else DELS[#DELS + 1] = errkey(j.id) end
    j.edirty = nil
  end
  return text
end
local function setresult(j, v) j.r = v end
local function seterror(j, v) j.e = v; j.edirty = true end
-- A row for the client: {id, header+args, status, error} (a missing error is nil).
local function rowof(id, text)
  local v = redis.call('MGET', hkey(id), errkey(id))
  return {id, v[1], text, v[2]}
end
-- The job's header: {t = task, u = unique key or nil}.
local function header(id)
  local h = redis.call('GET', hkey(id))
  if not h then return {} end
  local t, u = string.match(h, '^([^|]*)|[^|]*|[^|]*|[^|]*|[^|]*|([^\n]*)\n')
  return {t = t, u = u ~= '' and unesc(u) or nil}
end

local function member(j)
  local m = j.m
  if not m then m = mem(j.id); j.m = m end
  return m
end
local function unindex(j)
  local s = j.s
  count(j.q, s, -1)
  if s == 'WAITING' then -- in no index
  elseif s == 'SCHEDULED' then push(ZREMS, P .. 'sched', member(j))
  elseif s == 'QUEUED' then
    if not j.popped then push(ZREMS, rkey(j.q), member(j)) end
  elseif s == 'RUNNING' then
    push(SREMS, wkey(j.w), j.id)
    WREM[j.w] = true
    if j.c then push(SREMS, P .. 'cxl', j.id) end
  else
    -- the expiry bucket stays: purge_expired skips jobs that are gone or no longer expire then
    push(ZREMS, isok(s) and P .. 'ok' or P .. 'bad', member(j))
  end
end
local function index(j)
  local s = j.s
  count(j.q, s, 1)
  if s == 'WAITING' then -- in no index
  elseif s == 'SCHEDULED' then push(ZADDS, P .. 'sched', ceilus(j.ra), member(j))
  elseif s == 'QUEUED' then push(ZADDS, rkey(j.q), ids(-j.p), member(j))
  elseif s == 'RUNNING' then
    push(SADDS, wkey(j.w), j.id)
    WADD[j.w] = true
  else
    expmark(j.exus or ids(ceilus(j.ex)), j.fs)
    push(ZADDS, isok(s) and P .. 'ok' or P .. 'bad', j.fs, member(j))
  end
end

-- Jobs that reached a terminal state in this script: settle() applies their ends to their dependents.
-- ENDJ keeps their tables (at least id, s and r), so settle() need not read them again.
local ENDED, ENDJ = {}, {}

-- Applies a checked transition, keeping every index and count in step (like InMemoryJobStore.move).
local function move(j, to, now)
  local from = j.s
  if not ALLOWED[from][to] then
    error('spindle: illegal transition of job ' .. j.id .. ' from ' .. from .. ' to ' .. to)
  end
  unindex(j)
  if from == 'RUNNING' then j.c = nil end
  if TERMINAL[from] then j.fi, j.ex, j.fs, j.exus = nil, nil, nil, nil end
  j.s = to
  if TERMINAL[to] then
    j.fi = now
    j.ex, j.exus = expiry(j.po, to, now)
    j.fs = ids(nextseq())
    ENDED[#ENDED + 1] = j.id
    ENDJ[j.id] = j
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
  j.n = math.max(0, j.n - 1)
  j.ra = now
  move(j, 'QUEUED', now)
end

-- ---------------------------------------------------------------- dependencies (workflows)
-- A job may wait (WAITING) for other jobs. Its dependencies ("edges") are kept twice, so that both
-- a dependency's end and the dependent's release touch only what they need:
--   P..'dn:'..(id // 64) (hashes of 64 parents: small hashes are stored compactly, as listpacks)
--                   parent id -> its dependents, "child:position:policy,..." (policy: its code,
--                   DependencyPolicy's ordinal)
--   P..'wt:'..child (hash) per job that has dependencies: i = input mode (A args, R result,
--                   S results, O outcomes), '1' if every dependency is ON_FAILURE else '0', and 'B'
--                   if it has more than BIG; n = how many; u = "<policy code><parent id>,..." in
--                   declared order; a = the same for the children that a running dependency added
--                   (waited for, not an input; their positions follow u's); p = pending; f = ON_FAILURE dependencies that ended without
--                   success; c = the dependency that cancelled it; and, per dependency whose end
--                   it was told, its position -> the end: a state letter (S, F, D, C), then, if
--                   the input needs them, "<result length or -1>|<result><error>", so its input
--                   survives the dependency's purge. A job with more than BIG dependencies keeps
--                   the ends instead in P..'wb:'..child (a bitmap: told or not, by position) and
--                   P..'we:'..child (a log: "<position>:<length>:<end>" appended per end): a
--                   few bytes per edge instead of a hash entry.
--   P..'nwt'        how many P..'wt:' hashes exist (the dependency lookups are skipped while no job
--                   has dependencies); P..'dnx' marks a namespace where jobs ever had some
--                   (deletions then remove the job's P..'dn' entry).
-- An edge is told a dependency's end once (HSETNX or SETBIT on its position), so an end applied
-- twice (a requeued dependency ending again) never counts twice. Every end is applied by settle()
-- in the script that made it, fenced like the completion itself: a release is never lost or
-- doubled. Deleting a job deletes its own records and removes it from its dependencies' lists
-- (when short; entries naming a deleted job are otherwise skipped when read: ids are never reused).
local function dnkey(id) return P .. 'dn:' .. math.floor(tonumber(id) / 64) end
local function wtkey(id) return P .. 'wt:' .. id end
local function wbkey(id) return P .. 'wb:' .. id end
local function wekey(id) return P .. 'we:' .. id end
local BIG = 32
local ECODE = {SUCCEEDED = 'S', FAILED = 'F', DEAD = 'D', CANCELLED = 'C'}
local ENAME = {S = 'SUCCEEDED', F = 'FAILED', D = 'DEAD', C = 'CANCELLED'}
local JOBS, META = nil, nil -- while dependencies are worked on: job tables and wait modes by id

local function getjob(id)
  local j = JOBS[id]
  if j == nil then
    j = load(id) or false
    JOBS[id] = j
  end
  return j or nil
end
-- {mode = input mode, off = true if it runs only after a failure, big = ends in a bitmap and a
-- log} of a job with dependencies, or nil.
local function waitmeta(id)
  local m = META[id]
  if m == nil then
    local v = redis.call('HGET', wtkey(id), 'i')
    m = v and {mode = string.sub(v, 1, 1), off = string.sub(v, 2, 2) == '1', big = string.sub(v, 3, 3) == 'B'}
      or false
    META[id] = m
  end
  return m or nil
end
-- Its dependencies in declared order, then those added by running dependencies: {{pol = code,
-- id = parent id}, ...}.
local function upof(id)
  local out = {}
  local v = redis.call('HMGET', wtkey(id), 'u', 'a')
  for e in string.gmatch((v[1] or '') .. ',' .. (v[2] or ''), '[^,]+') do
    out[#out + 1] = {pol = string.sub(e, 1, 1), id = string.sub(e, 2)}
  end
  return out
end
local function deperror(id, dep, st)
  return '{"type":"dependency_failed","message":"job ' .. id .. ' was cancelled: it depends on job ' .. dep
    .. ', which ended ' .. st .. '","stack":[],"cause":null}'
end
local function notneeded(id)
  return '{"type":"not_needed","message":"job ' .. id .. ' was cancelled: it runs only when a dependency'
    .. ' fails, and every one succeeded","stack":[],"cause":null}'
end
-- An end as an edge keeps it, for a dependent whose input is built in 'mode'.
local function endvalue(st, r, e, mode)
  local c = ECODE[st]
  if mode == 'A' then return c end
  if mode ~= 'O' then e = nil end
  return c .. (r and #r or -1) .. '|' .. (r or '') .. (e or '')
end
local function parseend(v)
  local c, rl, rest = string.match(v, '^(%u)(-?%d+)|(.*)$')
  if not c then return {s = ENAME[string.sub(v, 1, 1)]} end
  rl = tonumber(rl)
  local r, e = nil, rest
  if rl >= 0 then
    r = string.sub(rest, 1, rl)
    e = string.sub(rest, rl + 1)
  end
  return {s = ENAME[c], r = r, e = e ~= '' and e or nil}
end
-- Records that edge 'pos' (from 0) of 'c' was told 'value'; false if it had been told already.
local function tellend(c, meta, pos, value)
  if meta.big then
    if redis.call('SETBIT', wbkey(c), pos, 1) == 1 then return false end
    redis.call('APPEND', wekey(c), pos .. ':' .. #value .. ':' .. value)
    return true
  end
  return redis.call('HSETNX', wtkey(c), pos, value) == 1
end
-- The ends the 'n' edges of 'c' were told, as stored, by position from 1 (nil: not told).
local function endsof(c, meta, n)
  local ends = {}
  if meta.big then
    local log = redis.call('GET', wekey(c)) or ''
    local i = 1
    while i <= #log do
      local pos, len, at = string.match(log, '^(%d+):(%d+):()', i)
      len = tonumber(len)
      ends[tonumber(pos) + 1] = string.sub(log, at, at + len - 1)
      i = at + len
    end
    return ends
  end
  for i = 0, n - 1, 1000 do
    local fields = {}
    for k = i, math.min(i + 999, n - 1) do fields[#fields + 1] = ids(k) end
    local v = redis.call('HMGET', wtkey(c), unpack(fields))
    for x = 1, #v do ends[i + x] = v[x] or nil end
  end
  return ends
end
-- Replaces the ends the 'n' edges of 'c' were told by 'vals' (by position from 1; false: not told).
local function setends(c, meta, n, vals)
  if meta.big then
    redis.call('DEL', wbkey(c), wekey(c))
    local log = {}
    for k = 1, n do
      if vals[k] then
        redis.call('SETBIT', wbkey(c), k - 1, 1)
        log[#log + 1] = (k - 1) .. ':' .. #vals[k] .. ':' .. vals[k]
      end
    end
    if #log > 0 then redis.call('SET', wekey(c), table.concat(log)) end
    return
  end
  local set, del = {}, {}
  for k = 1, n do
    if vals[k] then
      set[#set + 1] = ids(k - 1)
      set[#set + 1] = vals[k]
    else
      del[#del + 1] = ids(k - 1)
    end
  end
  if #set > 0 then chunked('HSET', wtkey(c), set, 2) end
  if #del > 0 then chunked('HDEL', wtkey(c), del, 1) end
end
-- The input of a released job (not mode 'A'), from the ends its edges were told (Workflows.input).
local function inputof(id, meta)
  local mode = meta.mode
  local n = tonumber(redis.call('HGET', wtkey(id), 'n'))
  local raw = endsof(id, meta, n)
  local ends = {}
  for k = 1, n do ends[k] = raw[k] and parseend(raw[k]) or {s = 'WAITING'} end
  if mode == 'R' then return ends[1].r or 'null' end
  local b = {}
  if mode == 'S' then
    for k = 1, n do b[k] = ends[k].r or 'null' end
  else
    local up = upof(id)
    for k = 1, n do
      local e = ends[k]
      b[k] = '{"jobId":"' .. up[k].id .. '","state":"' .. e.s .. '","result":' .. (e.r or 'null') .. ',"error":'
        .. (e.e or 'null') .. '}'
    end
  end
  return '[' .. table.concat(b, ',') .. ']'
end
-- Replaces a job's arguments (the header stays).
local function setinput(id, input)
  local h = redis.call('GET', hkey(id))
  mset(hkey(id), string.match(h, '^([^\n]*)\n') .. '\n' .. input)
end
-- WAITING -> QUEUED (SCHEDULED if its run time is ahead), its input written.
local function unwait(j, meta, now)
  if meta.mode ~= 'A' then setinput(j.id, inputof(j.id, meta)) end
  if meta.big then
    -- its log is complete: written again, it loses the room APPEND kept for growth
    local log = redis.call('GET', wekey(j.id))
    if log then redis.call('SET', wekey(j.id), log) end
  end
  move(j, tless(now, j.ra) and 'SCHEDULED' or 'QUEUED', now)
  save(j)
end
local function depcancel(j, err, now)
  seterror(j, err)
  move(j, 'CANCELLED', now)
  save(j)
end
local function onlyonfailure(pols)
  for k = 1, #pols do
    if pols[k] ~= '3' then return false end
  end
  return #pols > 0
end
-- Workflows.evaluate: the wait {p = pending, f = failures} of a job whose dependencies (policy
-- codes) are in 'states' (false: gone, counted as CANCELLED); nil and the position of the first
-- dependency that cancels it.
local function evaluate(pols, states)
  local pend, fails = #pols, 0
  for k = 1, #pols do
    local s = states[k] or 'CANCELLED'
    if TERMINAL[s] then
      local eff = EFFECT[pols[k]][s]
      if eff == 'C' then return nil, k end
      pend = pend - 1
      if eff == 'F' and pols[k] == '3' then fails = fails + 1 end
    end
  end
  return {p = pend, f = fails}
end

-- The last of a job's dependencies that it waited for ended: release it, or cancel it if it runs
-- only after a failure and none failed.
local function ready(c, cj, meta, now)
  if meta.off and num(redis.call('HGET', wtkey(c), 'f')) == 0 then
    depcancel(cj, notneeded(c), now)
  else
    unwait(cj, meta, now)
  end
end

-- The ends of this round for a job with more than BIG dependencies, in the order they came
-- ({pid, pos, pol, st, v}...): told with one BITFIELD, logged with one APPEND and counted down
-- with one HINCRBY per 1000 (instead of three calls per edge); same effects as tell().
local function tellbig(c, cj, meta, edges, now)
  local wk = wtkey(c)
  for i = 1, #edges, 1000 do
    local last = math.min(i + 999, #edges)
    local args = {}
    for x = i, last do
      args[#args + 1] = 'SET'
      args[#args + 1] = 'u1'
      args[#args + 1] = edges[x].pos
      args[#args + 1] = '1'
    end
    local old = redis.call('BITFIELD', wbkey(c), unpack(args))
    local log, dec, fails = {}, 0, 0
    for x = i, last do
      local e = edges[x]
      if old[x - i + 1] == 0 then
        log[#log + 1] = e.pos .. ':' .. #e.v .. ':' .. e.v
        local eff = EFFECT[e.pol][e.st]
        if eff == 'C' then
          if cj.s == 'WAITING' then
            redis.call('HSET', wk, 'c', e.pid)
            depcancel(cj, deperror(c, e.pid, e.st), now)
          end
        else
          dec = dec + 1
          if eff == 'F' and e.pol == '3' then fails = fails + 1 end
        end
      end
    end
    if #log > 0 then redis.call('APPEND', wekey(c), table.concat(log)) end
    if dec > 0 then
      local pend = redis.call('HINCRBY', wk, 'p', -dec)
      if fails > 0 then redis.call('HINCRBY', wk, 'f', fails) end
      if pend <= 0 and cj.s == 'WAITING' then ready(c, cj, meta, now) end
    end
  end
end

-- Job 'pid' ended: tells each dependent in 'list' (its P..'dn' entry) and releases or cancels it;
-- a dependent with more than BIG dependencies is collected in 'big' (child id -> edges, and in
-- big.order) for tellbig().
local function tell(pid, list, now, big)
  local pj = getjob(pid)
  if not pj or not TERMINAL[pj.s] then return end
  local st = pj.s
  local err, errread = nil, false
  for entry in string.gmatch(list, '[^,]+') do
    local c, pos, pol = string.match(entry, '^(%d+):(%d+):(%d)$')
    local cj = getjob(c)
    local meta = cj and waitmeta(c)
    if meta then
      if meta.mode == 'O' and not errread then
        err = redis.call('GET', errkey(pid)) or nil
        errread = true
      end
      if meta.big then
        local l = big[c]
        if not l then
          l = {}
          big[c] = l
          big.order[#big.order + 1] = c
        end
        l[#l + 1] = {pid = pid, pos = pos, pol = pol, st = st, v = endvalue(st, pj.r, err, meta.mode)}
      elseif tellend(c, meta, pos, endvalue(st, pj.r, err, meta.mode)) then
        local wk = wtkey(c)
        local eff = EFFECT[pol][st]
        if eff == 'C' then
          if cj.s == 'WAITING' then
            redis.call('HSET', wk, 'c', pid)
            depcancel(cj, deperror(c, pid, st), now)
          end
        else
          -- a job that no longer waits (cancelled meanwhile) is counted again if it is revived
          local pend = redis.call('HINCRBY', wk, 'p', -1)
          if eff == 'F' and pol == '3' then redis.call('HINCRBY', wk, 'f', 1) end
          if pend <= 0 and cj.s == 'WAITING' then ready(c, cj, meta, now) end
        end
      end
    end
  end
end

-- Applies the ends of this script's terminal moves (ENDED) to their dependents, and the ends that
-- causes in turn (cancellations), breadth first: a chain of any length without recursion. Flushes.
local function settle(now)
  if #ENDED == 0 then return end
  if redis.call('EXISTS', P .. 'nwt') == 0 then
    ENDED, ENDJ = {}, {}
    return
  end
  JOBS, META = {}, {}
  while #ENDED > 0 do
    flush()
    local batch = ENDED
    for _, id in ipairs(batch) do
      if JOBS[id] == nil then JOBS[id] = ENDJ[id] end
    end
    ENDED, ENDJ = {}, {}
    local byk, keys = {}, {}
    for _, id in ipairs(batch) do
      local k = dnkey(id)
      local l = byk[k]
      if not l then
        l = {}
        byk[k] = l
        keys[#keys + 1] = k
      end
      l[#l + 1] = id
    end
    local big = {order = {}}
    for _, k in ipairs(keys) do
      local l = byk[k]
      local v = redis.call('HMGET', k, unpack(l))
      for x = 1, #v do
        if v[x] then tell(l[x], v[x], now, big) end
      end
    end
    for _, c in ipairs(big.order) do tellbig(c, getjob(c), waitmeta(c), big[c], now) end
  end
  flush()
  JOBS, META = nil, nil
end

-- Recomputes the wait of job 'c' from its dependencies' current states (a gone one by the end it
-- told, if any), recording their ends again. Returns the wait, or nil and the dependency that
-- cancels it (recorded as c). JOBS must be set.
local function reevaluate(c)
  local wk = wtkey(c)
  local meta = waitmeta(c)
  local up = upof(c)
  local pols, states, vals, old = {}, {}, {}, nil
  for k, e in ipairs(up) do
    pols[k] = e.pol
    local pj = getjob(e.id)
    if pj then
      states[k] = pj.s
      if TERMINAL[pj.s] then
        local err = meta.mode == 'O' and redis.call('GET', errkey(e.id)) or nil
        vals[k] = endvalue(pj.s, pj.r, err, meta.mode)
      else
        vals[k] = false
      end
    else
      if not old then old = endsof(c, meta, #up) end
      vals[k] = old[k] or false
      states[k] = old[k] and parseend(old[k]).s or false
    end
  end
  setends(c, meta, #up, vals)
  local w, bad = evaluate(pols, states)
  if not w then
    redis.call('HSET', wk, 'c', up[bad].id)
    return nil, up[bad].id
  end
  redis.call('HSET', wk, 'p', ids(w.p), 'f', ids(w.f))
  redis.call('HDEL', wk, 'c')
  return w
end

-- Job 'id' was requeued: the dependents it cancelled wait for it again (and theirs, in turn),
-- unless another dependency still cancels them. JOBS must be set.
local function requeued(id, now)
  local todo, i = {id}, 1
  while i <= #todo do
    local p = todo[i]
    i = i + 1
    local v = redis.call('HGET', dnkey(p), p)
    if v then
      for c in string.gmatch(v, '(%d+):%d+:%d') do
        local cj = getjob(c)
        if cj and cj.s == 'CANCELLED' and redis.call('HGET', wtkey(c), 'c') == p and reevaluate(c) then
          seterror(cj, nil)
          move(cj, 'WAITING', now)
          save(cj)
          todo[#todo + 1] = c
        end
      end
    end
  end
end

-- True if edge 'pos' of 'c' was told its dependency's end.
local function istold(c, meta, pos)
  if meta.big then return redis.call('GETBIT', wbkey(c), pos) == 1 end
  return redis.call('HEXISTS', wtkey(c), pos) == 1
end

-- The running job 'parent' added the children 'exits' (ids): every WAITING job whose edge from
-- the parent was not told an end waits for them too, with that edge's policy (not as input); one
-- that cannot run any more is cancelled. JOBS must be set; flush before.
local function adopt(parent, exits, now)
  local v = redis.call('HGET', dnkey(parent), parent)
  if not v then return end
  local dn = {}
  for c, pos, pol in string.gmatch(v, '(%d+):(%d+):(%d)') do
    local cj = getjob(c)
    local meta = cj and cj.s == 'WAITING' and waitmeta(c)
    if meta and not istold(c, meta, pos) then
      local wk = wtkey(c)
      local have = redis.call('HMGET', wk, 'n', 'a')
      local base = tonumber(have[1])
      for _ in string.gmatch(have[2] or '', '[^,]+') do base = base + 1 end
      local add = {}
      for k, x in ipairs(exits) do
        add[k] = pol .. x
        local prev = dn[x]
        if prev == nil then prev = redis.call('HGET', dnkey(x), x) or nil end
        local entry = c .. ':' .. (base + k - 1) .. ':' .. pol
        dn[x] = prev and (prev .. ',' .. entry) or entry
      end
      redis.call('HSET', wk, 'a', (have[2] and have[2] .. ',' or '') .. table.concat(add, ','))
      local w, by = reevaluate(c)
      if not w then
        local bj = getjob(by)
        depcancel(cj, deperror(c, by, bj and bj.s or 'CANCELLED'), now)
      end
    end
  end
  for x, list in pairs(dn) do redis.call('HSET', dnkey(x), x, list) end
end

-- Records the dependencies of the new WAITING job 'cj' (parents: ids; pols: codes) and releases
-- or cancels it at once if they allow. 'dn' buffers P..'dn' values (written by the caller);
-- 'fresh' has the states the jobs of this batch were created in (by id). JOBS must be set.
local function adddeps(cj, parents, pols, mode, now, dn, fresh)
  local c = cj.id
  local wk = wtkey(c)
  local states, up, vals, told = {}, {}, {}, false
  local meta = {mode = mode, off = onlyonfailure(pols), big = #parents > BIG}
  local fields = {'i', mode .. (meta.off and '1' or '0') .. (meta.big and 'B' or ''), 'n', ids(#parents)}
  local cc = c .. ':'
  for k = 1, #parents do
    local pid = parents[k]
    local code = pols[k]
    local pj = JOBS[pid]
    local st = fresh[pid]
    if pj == nil and st then
      -- created by this batch and not changed since: not ended, nothing to read
      states[k] = st
      vals[k] = false
    else
      pj = getjob(pid)
      states[k] = pj and pj.s or false
    end
    up[k] = code .. pid
    local prev = dn[pid]
    if prev == nil and not st then prev = redis.call('HGET', dnkey(pid), pid) or nil end
    local entry = cc .. (k - 1) .. ':' .. code
    dn[pid] = prev and (prev .. ',' .. entry) or entry
    if not pj then
      vals[k] = vals[k] or false
    elseif TERMINAL[pj.s] then
      local err = mode == 'O' and redis.call('GET', errkey(pid)) or nil
      vals[k] = endvalue(pj.s, pj.r, err, mode)
      told = true
    else
      vals[k] = false
    end
  end
  local w, bad = evaluate(pols, states)
  fields[#fields + 1] = 'u'
  fields[#fields + 1] = table.concat(up, ',')
  fields[#fields + 1] = 'p'
  fields[#fields + 1] = ids(w and w.p or 0)
  fields[#fields + 1] = 'f'
  fields[#fields + 1] = ids(w and w.f or 0)
  chunked('HSET', wk, fields, 2)
  if told then setends(c, meta, #parents, vals) end
  redis.call('INCR', P .. 'nwt')
  redis.call('SET', P .. 'dnx', '1')
  META[c] = meta
  if not w then
    redis.call('HSET', wk, 'c', parents[bad])
    depcancel(cj, deperror(c, parents[bad], states[bad] or 'CANCELLED'), now)
  elseif w.p == 0 then
    if meta.off and w.f == 0 then depcancel(cj, notneeded(c), now) else unwait(cj, meta, now) end
  end
end

-- Deletes a job's dependency records (see "dependencies").
local DNX = nil
local function deletedeps(id)
  if DNX == nil then DNX = redis.call('EXISTS', P .. 'dnx') == 1 end
  if not DNX then return end
  redis.call('HDEL', dnkey(id), id)
  local v = redis.call('HMGET', wtkey(id), 'u', 'a')
  if not v[1] then return end
  local up = v[1] .. ',' .. (v[2] or '')
  redis.call('DEL', wtkey(id), wbkey(id), wekey(id))
  if redis.call('DECR', P .. 'nwt') <= 0 then redis.call('DEL', P .. 'nwt') end
  for pid in string.gmatch(up, '%d([^,]+)') do
    local k = dnkey(pid)
    local v = redis.call('HGET', k, pid)
    if v and #v <= 4096 then
      local keep = {}
      for e in string.gmatch(v, '[^,]+') do
        if string.match(e, '^(%d+):') ~= id then keep[#keep + 1] = e end
      end
      if #keep == 0 then
        redis.call('HDEL', k, pid)
      else
        redis.call('HSET', k, pid, table.concat(keep, ','))
      end
    end
  end
end

-- Deletes a finished job and its index entries.
local function deletejob(id)
  local j = load(id)
  local m = mem(id)
  if not j then
    for _, k in ipairs({'ok', 'bad', 'all'}) do push(ZREMS, P .. k, m) end
    return false
  end
  local u = header(id).u
  unindex(j)
  push(ZREMS, P .. 'all', m)
  DELS[#DELS + 1] = hkey(id)
  DELS[#DELS + 1] = skey(id)
  DELS[#DELS + 1] = errkey(id)
  if u and redis.call('HGET', P .. 'uniq', u) == id then redis.call('HDEL', P .. 'uniq', u) end
  deletedeps(id)
  return true
end

-- ---------------------------------------------------------------- enqueue
-- Reads a job batch from ARGV starting at i: the number of distinct policies, an id and a text per
-- policy, the number of groups; per group (consecutive jobs with the same options, so that jobs are
-- added in input order): queue, priority, run at,
-- delayed ('1'/'0'), policy number (1-based), number of jobs, then 2 values per job: header and
-- args (as stored in P..'h:'..id), unique key ('' for none). Then, optionally, the dependencies:
-- how many jobs have some, and per such job: its position in the batch (from 0), its input mode
-- (A, R, S, O: see "dependencies"), its creation time (the time its start is decided at), and its
-- dependencies "<policy code><job id or #batch position>,...", each an existing job or an earlier
-- one of the batch. Adds the jobs, all or none; a job whose unique key exists (in the store or
-- earlier in the batch) is not added (nor are its dependencies). A job with dependencies starts
-- WAITING, or QUEUED/SCHEDULED or CANCELLED at once if the ends of its dependencies say so.
-- Returns {'ids', first id} when every job was added without dependencies (their ids are
-- consecutive, in the order of the groups), else a flat list: id, created (1/0), state, per job;
-- or {'missing', job id, batch position} (and nothing is added) if a dependency does not exist.
local function enqueue(i)
  local npol = tonumber(ARGV[i])
  local pols = {}
  for k = 1, npol do pols[k] = ARGV[i + 2 * k - 1] end
  local poltexts = i
  i = i + 2 * npol + 1
  local ngroups = tonumber(ARGV[i])
  i = i + 1
  -- first pass: unique keys, and how many ids are needed
  local known, fresh = {}, 0
  local x = i
  for g = 1, ngroups do
    local n = tonumber(ARGV[x + 5])
    for k = 0, n - 1 do
      local u = ARGV[x + 6 + 2 * k + 1]
      if u == '' then
        fresh = fresh + 1
      elseif not known[u] then
        known[u] = redis.call('HGET', P .. 'uniq', u) or 'new'
        if known[u] == 'new' then fresh = fresh + 1 end
      end
    end
    x = x + 6 + 2 * n
  end
  -- the dependencies, checked before anything is written
  local deps, ndeps = {}, tonumber(ARGV[x] or '0') or 0
  for d = 0, ndeps - 1 do
    local at = x + 1 + 4 * d
    local spec = ARGV[at + 3]
    deps[tonumber(ARGV[at])] = {mode = ARGV[at + 1], now = ARGV[at + 2], spec = spec}
    for e in string.gmatch(spec, '[^,]+') do
      local ref = string.sub(e, 2)
      if string.sub(ref, 1, 1) == '#' then
        if not ((tonumber(string.sub(ref, 2)) or math.huge) < tonumber(ARGV[at])) then
          return {'badref', ref, ARGV[at]}
        end
      elseif redis.call('EXISTS', skey(ref)) == 0 then
        return {'missing', ref, ARGV[at]}
      end
    end
  end
  local nextid = 0
  if fresh > 0 then
    -- the first write grows memory, so under OOM the script fails here, before changing anything
    nextid = redis.call('INCRBY', P .. 'id', fresh) - fresh
    for k = 1, npol do redis.call('HSETNX', P .. 'pol', pols[k], ARGV[poltexts + 2 * k]) end
  end
  local total = 0
  x = i
  for g = 1, ngroups do
    local n = tonumber(ARGV[x + 5])
    total = total + n
    x = x + 6 + 2 * n
  end
  local compact = fresh == total and ndeps == 0
  local out, created = {}, {}
  local pos, bid, waiting = 0, {}, {}
  if compact then out = {'ids', ids(nextid + 1)} end
  x = i
  for g = 1, ngroups do
    local q, p, ra, delayed, po, n = ARGV[x], tonumber(ARGV[x + 1]), ARGV[x + 2], ARGV[x + 3] == '1',
      pols[tonumber(ARGV[x + 4])], tonumber(ARGV[x + 5])
    local s = delayed and 'SCHEDULED' or 'QUEUED'
    local text = status({s = s, n = 0, f = 0, l = 0, ra = ra, p = p, q = q, po = po})
    local key, score
    if delayed then key, score = P .. 'sched', ids(ceilus(ra)) else key, score = rkey(q), ids(-p) end
    local idx = ZADDS[key]
    if not idx then idx = {}; ZADDS[key] = idx end
    local all = ZADDS[P .. 'all']
    if not all then all = {}; ZADDS[P .. 'all'] = all end
    local made, waits = 0, 0
    local wtext = nil
    for k = 0, n - 1 do
      local u = ARGV[x + 6 + 2 * k + 1]
      if u ~= '' and known[u] ~= 'new' then
        local id = known[u]
        bid[pos] = id
        local st = created[id]
        if not st then
          local j = load(id)
          st = j and j.s or 'QUEUED'
        end
        out[#out + 1] = id
        out[#out + 1] = '0'
        out[#out + 1] = st
      else
        nextid = nextid + 1
        local id = ids(nextid)
        local m = mem(id)
        if u ~= '' then
          redis.call('HSET', P .. 'uniq', u, id)
          known[u] = id
        end
        bid[pos] = id
        local st = s
        MSETS[#MSETS + 1] = hkey(id)
        MSETS[#MSETS + 1] = ARGV[x + 6 + 2 * k]
        MSETS[#MSETS + 1] = skey(id)
        if deps[pos] then
          -- it waits for its dependencies (decided after the batch is written)
          if not wtext then wtext = 'WAITING' .. string.sub(text, #s + 1) end
          st = 'WAITING'
          MSETS[#MSETS + 1] = wtext
          waits = waits + 1
          waiting[#waiting + 1] = {id = id, pos = pos, out = #out + 3}
        else
          MSETS[#MSETS + 1] = text
          idx[#idx + 1] = score
          idx[#idx + 1] = m
        end
        all[#all + 1] = id
        all[#all + 1] = m
        created[id] = st
        made = made + 1
        if not compact then
          out[#out + 1] = id
          out[#out + 1] = '1'
          out[#out + 1] = st
        end
      end
      pos = pos + 1
    end
    if made > 0 then
      count(q, s, made - waits)
      count(q, 'WAITING', waits)
      push(SADDS, P .. 'queues', q)
      CHANGED = true
    end
    x = x + 6 + 2 * n
  end
  if #waiting > 0 then
    flush()
    JOBS, META = {}, {}
    local dn = {}
    for _, w in ipairs(waiting) do
      local d = deps[w.pos]
      local parents, codes = {}, {}
      for code, ref in string.gmatch(d.spec, '(%d)([^,]+)') do
        codes[#codes + 1] = code
        if string.sub(ref, 1, 1) == '#' then
          parents[#parents + 1] = bid[tonumber(string.sub(ref, 2))]
        else
          parents[#parents + 1] = ref
        end
      end
      local cj = getjob(w.id)
      adddeps(cj, parents, codes, d.mode, d.now, dn, created)
      out[w.out] = cj.s
    end
    local byk = {}
    for pid, v in pairs(dn) do
      local k = P .. 'dn:' .. math.floor(pid / 64)
      local l = byk[k]
      if not l then
        l = {}
        byk[k] = l
      end
      l[#l + 1] = pid
      l[#l + 1] = v
    end
    for k, l in pairs(byk) do chunked('HSET', k, l, 2) end
    JOBS, META = nil, nil
    ENDED, ENDJ = {}, {} -- nothing depends on a job of this batch but later jobs of it, which saw its state
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
