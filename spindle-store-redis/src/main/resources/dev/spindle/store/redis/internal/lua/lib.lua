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
-- P..'limits', P..'workers' (id -> record JSON, on the worker's clock), P..'wt' (id -> its task names,
-- comma-separated, as its heartbeats last sent them), P..'clk' (id -> the store's
-- clock minus the worker's at its last heartbeat), P..'leases' (id -> lease end), P..'fseq' and
-- P..'id' (counters), P..'req:'..request id (replies kept for retried requests).
-- WAITING jobs (they wait for other jobs: workflows) are in no index but P..'all' and the counts;
-- their dependencies are kept as described at "dependencies" below.
--
-- Out-of-memory rule: Redis never stops a script halfway. A script that must still work when
-- Redis is at maxmemory (completions, heartbeats, reclaim, purge: they let running jobs finish and
-- free memory) starts with a harmless write that is allowed under OOM (DEL of an absent key);
-- after it, Redis lets the script's other writes through. Scripts that must fail under OOM
-- (enqueue) make a memory-growing write first, so they fail before changing anything. Loaded as
-- Redis Functions, the same rule is declared instead: such functions carry the flag allow-oom.
--
-- Loaded once as a Redis Functions library (Script.java), this file's top level runs once, and
-- every call starts with begin(keys, args), which sets KEYS, ARGV and P and resets every piece of
-- per-call state below (or with enter(keys, args), for a script that uses none of it). A new
-- module-level table or flag that a call changes MUST be reset there: otherwise it leaks into the
-- next call (ScriptStateTest checks that begin() resets each one).
local KEYS, ARGV, P

local STATUS = '^(%u+)|(%d*)|(%d*)|([^|]*)|([^|]*)|(%d*)|(%d*)|(%d*)|([^|]*)|([^|]*)|([^|]*)|(%d*)|(%d*)|'
  .. '(-?%d+)|([^|]+)|([^|]*)|([^|]*)|(.*)$'
-- TERMINAL (the terminal states) and ALLOWED (the allowed transitions, ALLOWED[from][to]) are
-- rendered from JobState by Script.java in place of the next line: one state machine, in Java; so
-- is EFFECT[policy code][terminal state] ('S', 'F' or 'C'), DependencyPolicy.effectOf; and JobRules'
-- tables, in RULES: KEPT[terminal state] (the set 'ok' or 'bad' a finished job is kept in; KEPT[1],
-- KEPT[2] those sets in the order of purge_expired's limits), OUTCOME[outcome code][circumstance]
-- (the state a completion moves its job to; circumstance 'P' plain, 'A' retry time ahead, 'C' cancel
-- requested), STAT[terminal state] and STAT.STARTED, STAT.RETRIED, STAT.WAIT_BASE (MinuteStats).
--@JOB_STATE_TABLES@
local MAX_SECOND = 253402300799 -- 9999-12-31T23:59:59Z: expiry times are capped there
local REQ_TTL_MS = 600000 -- replies kept for retried requests, unless a script is told less

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
-- a - b, as a duration that may be negative ("-2.500000000" is -1.5 s: the nanos are never negative)
local function tsub(a, b)
  local s1, n1 = tparts(a)
  local s2, n2 = tparts(b)
  local s, n = s1 - s2, n1 - n2
  if n < 0 then s = s - 1; n = n + 1000000000 end
  return string.format('%d.%09d', s, n)
end

-- The store's clock: Redis TIME, read inside the script, is what leases, due times, reclaim and
-- expiry are decided on, never a client's clock. 'arg' is the caller's now; its instants (run
-- times, lease ends) are moved onto the store's clock by the returned offset (store - caller), so
-- they keep their meaning as durations from the caller's now. A test clock is passed as
-- '=' .. instant: that instant is then the store's now (offset 0).
local function storenow(arg)
  if string.sub(arg, 1, 1) == '=' then return string.sub(arg, 2) end
  local tm = redis.call('TIME')
  return tm[1] .. '.' .. string.format('%06d000', tonumber(tm[2]))
end
local function storeclock(arg)
  local now = storenow(arg)
  if string.sub(arg, 1, 1) == '=' then return now, '0.000000000' end
  return now, tsub(now, arg)
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
  local bad = RULES.KEPT[state] ~= RULES.KEPT[1]
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
local FHX = {} -- queues whose held mark (P..'fh', see flow control) goes at flush()
local SEQ, SEQ_DIRTY = nil, false
local CHANGED = false
-- Per-minute statistics (MinuteStats' counters): counter number -> increment, for the minute of
-- STATMIN; written by flush() to the hash P..'st:'..minute, kept a little over a day.
local STATS, STATMIN, STATNOW = {}, nil, nil
local STAT_TTL = 90000

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
-- Counts 'd' more jobs of queue 'q' in state 's', in 'into' (queue -> state -> change; CNT, which
-- flush() writes, if not given).
local function count(q, s, d, into)
  local t = into or CNT
  local m = t[q]
  if not m then m = {}; t[q] = m end
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
local function stat(now, k, d)
  if now ~= STATNOW then
    local m = math.floor(tparts(now) / 60) * 60
    if STATMIN and m ~= STATMIN then
      for c, n in pairs(STATS) do redis.call('HINCRBY', P .. 'st:' .. STATMIN, c, n) end
      redis.call('EXPIRE', P .. 'st:' .. STATMIN, STAT_TTL)
      STATS = {}
    end
    STATNOW, STATMIN = now, m
  end
  STATS[k] = (STATS[k] or 0) + d
end
-- The wait bucket of a wait of 'ms' milliseconds (MinuteStats.bucket, in integer steps).
local function waitbucket(ms)
  if ms < 4 then
    if ms < 0 then return 0 end
    return ms
  end
  local e, x = 0, ms
  while x >= 2 do x = math.floor(x / 2); e = e + 1 end
  local b = 4 * (e - 1) + math.floor(ms / 2 ^ (e - 2)) - 4
  if b > 159 then b = 159 end
  return b
end
-- Counts a job claimed at 'now' that became ready at 'ra'.
local function statstart(now, ra)
  stat(now, RULES.STAT.STARTED, 1)
  local s1, n1 = tparts(now)
  local s0, n0 = tparts(ra)
  stat(now, RULES.STAT.WAIT_BASE + waitbucket(math.floor(((s1 - s0) * 1e9 + (n1 - n0)) / 1e6)), 1)
end
local function flush()
  if STATMIN and next(STATS) then
    for c, n in pairs(STATS) do redis.call('HINCRBY', P .. 'st:' .. STATMIN, c, n) end
    redis.call('EXPIRE', P .. 'st:' .. STATMIN, STAT_TTL)
    STATS = {}
  end
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
  if next(FHX) then
    local l = {}
    for q in pairs(FHX) do l[#l + 1] = q end
    chunked('HDEL', P .. 'fh', l, 1)
    FHX = {}
  end
  ZADDS, ZREMS, SADDS, SREMS, MSETS, DELS, CNT, WADD, WREM = {}, {}, {}, {}, {}, {}, {}, {}, {}
end
-- Announces a change, but only while somebody waits for one: a waiter (a claim that found fewer
-- jobs than asked, or a client's Subscription.waiting()) sets P..'wait'; the first change after it
-- deletes the key and publishes, so a busy fleet publishes nothing and an idle one gets one message.
local function wake()
  if redis.call('DEL', P .. 'wait') == 1 then redis.call('PUBLISH', P .. 'ev', '1') end
end
-- wake(), once a call changed something (CHANGED).
local function notify()
  if CHANGED then
    CHANGED = false
    wake()
  end
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
-- The job's header: {t = task, u = unique key or nil}; see Rows.java for its layout.
local function header(id)
  local h = redis.call('GET', hkey(id))
  if not h then return {} end
  -- the unique key may be followed by '|' and the trace context (escaped keys hold no raw '|')
  local t, u = string.match(h, '^([^|]*)|[^|]*|[^|]*|[^|]*|[^|]*|([^|\n]*)')
  return {t = t, u = u ~= '' and unesc(u) or nil}
end

-- ---------------------------------------------------------------- flow control
-- P..'fq' (queues that had keyed jobs), P..'fk' (job id -> flow key "limit:value", keyed jobs only),
-- P..'fl' (limit name -> text form), P..'fln' (limit name -> "concurrency|GCRA interval us|burst|
-- window max|window us", what the scripts read), P..'ft' (key -> GCRA arrival time, us),
-- P..'fp' (key -> paused until, us), P..'fr:'..key (the "id:fence" of its RUNNING jobs: the
-- concurrency permits; stale members are dropped when counted), P..'fw:'..key (starts inside the
-- window, score us), P..'q:'..queue..':k:'..key (the key's QUEUED jobs, ordered as a ready set),
-- P..'q:'..queue..':kr' (keys with ready jobs, score = when last served: the fair rotation),
-- P..'q:'..queue..':ks' (the rotation counter; scores are turn * FTURN + claims taken in the turn). A keyed job is in its key's ready set, not in the
-- queue's. P..'fh' (queue -> "skip until us|earliest hold end us or ''"): a keyed queue whose last
-- claim found nothing to take (no unkeyed job, every key held) is skipped by claims until then, at
-- most 100 ms ahead (exchange.lua); whatever can make a job of the queue claimable (a job of it becoming QUEUED,
-- one leaving RUNNING: a permit freed, a limit put or removed) deletes the entry (FHX, at flush()).
local FQ = {}
local function keyedqueue(q)
  local v = FQ[q]
  if v == nil then
    v = redis.call('SISMEMBER', P .. 'fq', q) == 1
    FQ[q] = v
  end
  return v
end
local function flowkey(j)
  if j.fk == nil then
    if keyedqueue(j.q) then j.fk = redis.call('HGET', P .. 'fk', j.id) or false else j.fk = false end
  end
  return j.fk
end
local function fkready(q, key) return P .. 'q:' .. q .. ':k:' .. key end
local function fkrot(q) return P .. 'q:' .. q .. ':kr' end
local FLIM = {}
local function flowlimit(name)
  local l = FLIM[name]
  if l == nil then
    local v = redis.call('HGET', P .. 'fln', name)
    if v then
      local c, iv, b, wm, wus, ws = string.match(v, '^(%d+)|(%d+)|(%d+)|(%d+)|(%d+)|?(.*)$')
      l = {conc = tonumber(c), iv = tonumber(iv), burst = tonumber(b), wmax = tonumber(wm), wus = tonumber(wus)}
      -- weights of key values ("value:n,value:n"): claims per turn of the fair round
      if ws ~= '' then
        l.wt = {}
        for wv, wn in string.gmatch(ws, '([^,]+):(%d+)') do l.wt[wv] = tonumber(wn) end
      end
    else
      l = false
    end
    FLIM[name] = l
  end
  return l
end
-- The weight of 'key' in its queue's fair round: the claims it takes per turn (1 unless its limit
-- weighs its value).
local function flowweight(key)
  local name, value = string.match(key, '^([^:]*):(.*)$')
  if not name then return 1 end
  local l = flowlimit(name)
  if not l or not l.wt then return 1 end
  return l.wt[value] or 1
end
-- A key's rotation score is turn * FTURN + claims taken in that turn: it keeps its place at the head
-- until it has taken its weight's claims (at most 100), then goes behind every other key.
local FTURN = 128
-- What holds 'key' at 'nowus': nil, or {rule, until us ('' if unknown), detail}. 'prune' (in writing
-- scripts) drops stale permits and starts that left the window.
local function flowhold(key, nowus, prune)
  local pu = redis.call('HGET', P .. 'fp', key)
  if pu and tonumber(pu) > nowus then return {'PAUSED', pu, 'the task reported a rate limit'} end
  local l = flowlimit(string.match(key, '^([^:]*)'))
  if not l then return nil end
  if l.conc > 0 then
    local rk = P .. 'fr:' .. key
    local live = 0
    for _, m in ipairs(redis.call('SMEMBERS', rk)) do
      local id, fe = string.match(m, '^(%d+):(%d+)$')
      local v = id and redis.call('GET', skey(id))
      local s, fence
      if v then
        local n
        s, n, fence = string.match(v, HEAD)
      end
      if s == 'RUNNING' and fence == fe then
        live = live + 1
      elseif prune then
        redis.call('SREM', rk, m)
      end
    end
    if live >= l.conc then return {'CONCURRENCY', '', live .. ' of ' .. l.conc .. ' running'} end
  end
  if l.iv > 0 then
    local t = redis.call('HGET', P .. 'ft', key)
    if t then
      local at = tonumber(t) - (l.burst - 1) * l.iv
      if at > nowus then return {'RATE', ids(at), 'rate, burst ' .. l.burst} end
    end
  end
  if l.wmax > 0 then
    local wk = P .. 'fw:' .. key
    local from = nowus - l.wus
    if prune then redis.call('ZREMRANGEBYSCORE', wk, '-inf', ids(from)) end
    local n = redis.call('ZCOUNT', wk, '(' .. ids(from), '+inf')
    if n >= l.wmax then
      local first = redis.call('ZRANGEBYSCORE', wk, '(' .. ids(from), '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
      return {'WINDOW', ids(tonumber(first[2]) + l.wus), n .. ' of ' .. l.wmax .. ' starts in the window'}
    end
  end
  return nil
end
-- Counts the start of job 'id' (fence 'fence') of 'key' at 'nowus' against the key's rules.
local function flowstarted(key, id, fence, nowus)
  local l = flowlimit(string.match(key, '^([^:]*)'))
  if not l then return end
  if l.conc > 0 then redis.call('SADD', P .. 'fr:' .. key, id .. ':' .. fence) end
  if l.iv > 0 then
    local t = tonumber(redis.call('HGET', P .. 'ft', key) or '0')
    if t < nowus then t = nowus end
    redis.call('HSET', P .. 'ft', key, ids(t + l.iv))
  end
  if l.wmax > 0 then redis.call('ZADD', P .. 'fw:' .. key, ids(nowus), id .. ':' .. fence) end
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
    if not j.popped then
      local k = flowkey(j)
      push(ZREMS, k and fkready(j.q, k) or rkey(j.q), member(j))
    end
  elseif s == 'RUNNING' then
    push(SREMS, wkey(j.w), j.id)
    WREM[j.w] = true
    if j.c then push(SREMS, P .. 'cxl', j.id) end
    if keyedqueue(j.q) then FHX[j.q] = true end -- a permit it held is free
  else
    -- the expiry bucket stays: purge_expired skips jobs that are gone or no longer expire then
    push(ZREMS, P .. RULES.KEPT[s], member(j))
  end
end
local function index(j)
  local s = j.s
  count(j.q, s, 1)
  if s == 'WAITING' then -- in no index
  elseif s == 'SCHEDULED' then push(ZADDS, P .. 'sched', ceilus(j.ra), member(j))
  elseif s == 'QUEUED' then
    local k = flowkey(j)
    if k then
      push(ZADDS, fkready(j.q, k), ids(-j.p), member(j))
      redis.call('ZADD', fkrot(j.q), 'NX', 0, k)
    else
      push(ZADDS, rkey(j.q), ids(-j.p), member(j))
    end
    if keyedqueue(j.q) then FHX[j.q] = true end
  elseif s == 'RUNNING' then
    push(SADDS, wkey(j.w), j.id)
    WADD[j.w] = true
  else
    expmark(j.exus or ids(ceilus(j.ex)), j.fs)
    push(ZADDS, P .. RULES.KEPT[s], j.fs, member(j))
  end
end

-- Jobs that reached a terminal state in this script: settle() applies their ends to their dependents.
-- ENDJ keeps their tables (at least id, s and r), so settle() need not read them again.
local ENDED, ENDJ = {}, {}

-- ---------------------------------------------------------------- attempts ledger
-- A job's status tells its current attempt (n, fe, st, w; once it finished, fi, its state and its
-- error), so a claim, and a completion that ends the job, write no ledger entry. Per job,
-- P..'a:'..id lists the attempts the status no longer tells, oldest first: those that ended without
-- ending the job (retried, released, suspended, lost), and a finished job's last attempt when it is
-- requeued. Each is "fence|attempt|started|ended|outcome|worker|host|error JSON" (worker and host
-- escaped as in the status; the error last: it may hold any character). P..'ar:'..id lists its
-- refused writes "fence|at|worker|what" (worker and what escaped), at most LEDGER.KEEP. P..'dup'
-- holds the ids of jobs with a refused write, P..'lst' those with a lost attempt (a duplicate once
-- another attempt followed). Reads keep the entries of the last LEDGER.KEEP claims. All deleted
-- with the job (deletejob). The functions are fields of one table: a script's body sees the
-- library's locals as upvalues, of which Lua allows 60.
local LEDGER = {KEEP = 20} -- AttemptLedger.DEFAULT_KEEP
function LEDGER.akey(id) return P .. 'a:' .. id end
function LEDGER.arkey(id) return P .. 'ar:' .. id end

-- The escaped host of worker w as its last heartbeat registered it, or ''.
function LEDGER.host(w)
  local rec = redis.call('HGET', P .. 'workers', w)
  if not rec then return '' end
  local ok, t = pcall(cjson.decode, rec)
  if ok and type(t) == 'table' and type(t.host) == 'string' then return esc(t.host) end
  return ''
end

-- The entry of job j's current attempt: ended at 'ended' with 'outcome' and error 'err' ('' while
-- it runs).
function LEDGER.entry(j, ended, outcome, err)
  local w = j.w or ''
  return j.fe .. '|' .. j.n .. '|' .. (j.st or '') .. '|' .. ended .. '|' .. outcome .. '|' .. esc(w) .. '|'
    .. LEDGER.host(w) .. '|' .. (err or '')
end

-- The fence and outcome of a ledger entry ('' while it runs).
function LEDGER.fields(e)
  return string.match(e, '^(%d+)|%d*|[^|]*|[^|]*|([^|]*)|')
end

-- Appends entry e of job j's current attempt, replacing an open entry of the same attempt (which a
-- claim of an earlier version wrote); keeps the last KEEP entries.
function LEDGER.put(j, e)
  local k = LEDGER.akey(j.id)
  local last = redis.call('LINDEX', k, -1)
  if last and LEDGER.fields(last) == j.fe then
    redis.call('LSET', k, -1, e)
    return
  end
  redis.call('RPUSH', k, e)
  redis.call('LTRIM', k, -LEDGER.KEEP, -1)
end

-- Job j's RUNNING attempt ended at now without ending the job (RETRY, RELEASED, SUSPENDED, LOST):
-- its status forgets it at the next claim, so it gets an entry. Call it before the job changes.
function LEDGER.ended(j, now, outcome, err)
  if j.fe then LEDGER.put(j, LEDGER.entry(j, now, outcome, err)) end
end

-- Before finished job j runs again (requeue, resume): its last attempt, which the status tells until
-- the next claim, gets an entry unless it has one.
function LEDGER.keeplast(j)
  if not (j.fe and j.w and j.st) then return end
  local last = redis.call('LINDEX', LEDGER.akey(j.id), -1)
  if last then
    local fe, oc = LEDGER.fields(last)
    if fe == j.fe and oc ~= '' then return end
  end
  local err = (j.s == 'FAILED' or j.s == 'DEAD') and redis.call('GET', errkey(j.id)) or nil
  LEDGER.put(j, LEDGER.entry(j, j.fi or j.st, j.s, err or nil))
end

-- Job j's entries as a reader sees them: the stored ones and the current attempt its status tells,
-- of the last KEEP claims.
function LEDGER.withcurrent(j, entries)
  if j.fe and j.w and j.st then
    local last = entries[#entries]
    local fe, oc = nil, nil
    if last then fe, oc = LEDGER.fields(last) end
    if fe ~= j.fe or oc == '' then
      local e
      if j.s == 'RUNNING' then
        e = LEDGER.entry(j, '', '', nil)
      elseif TERMINAL[j.s] then
        local err = (j.s == 'FAILED' or j.s == 'DEAD') and redis.call('GET', errkey(j.id)) or nil
        e = LEDGER.entry(j, j.fi or j.st, j.s, err or nil)
      end
      if e and fe == j.fe then entries[#entries] = e elseif e then entries[#entries + 1] = e end
    end
  end
  return LEDGER.recent(j, entries)
end

-- The entries (attempts or refused writes, fence first) of job j's last KEEP claims.
function LEDGER.recent(j, entries)
  local oldest = (tonumber(j.fe) or 0) - LEDGER.KEEP
  local out = {}
  for _, e in ipairs(entries) do
    if tonumber(string.match(e, '^(%d+)|')) > oldest then out[#out + 1] = e end
  end
  return out
end

-- Records a write of worker w under fence that the fence refused (what it tried), if the job exists.
function LEDGER.refuse(id, fence, now, w, what)
  if redis.call('EXISTS', skey(id)) == 0 then return end
  local rk = LEDGER.arkey(id)
  redis.call('RPUSH', rk, fence .. '|' .. now .. '|' .. esc(w) .. '|' .. esc(what))
  redis.call('LTRIM', rk, -LEDGER.KEEP, -1)
  redis.call('SADD', P .. 'dup', id)
end

-- Job j's RUNNING attempt under worker w was lost (its lease ran out, or it stopped holding it).
function LEDGER.lost(j, w, now)
  LEDGER.ended(j, now, 'LOST', '{"type":"dev.spindle.WorkerLostException","message":'
    .. cjson.encode('worker ' .. tostring(w) .. ' lost job ' .. j.id
    .. ': its lease ran out or it stopped without stopping the job') .. ',"stack":[],"cause":null}')
  redis.call('SADD', P .. 'lst', j.id)
end

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
    stat(now, RULES.STAT[to], 1)
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
  local to = RULES.OUTCOME.L[j.c and 'C' or 'P']
  if to == 'QUEUED' then
    j.n = math.max(0, j.n - 1)
    j.ra = now
  end
  move(j, to, now)
end

-- Applies a completion's outcome to its RUNNING job j: the state RULES.OUTCOME names for the
-- outcome code oc in circumstance circ ('P' plain, 'A' retry time ahead); a retry is counted; a
-- release (oc 'L') goes through release(), which reads the cancel request itself.
local function complete(j, oc, circ, now)
  if oc == 'L' then
    release(j, now)
    return
  end
  if oc == 'R' then stat(now, RULES.STAT.RETRIED, 1) end
  move(j, RULES.OUTCOME[oc][circ], now)
end

-- The job's worker is gone (its lease ended, or it stopped still holding the job): a lost-worker
-- strike; CANCELLED if a cancel was requested, DEAD worker_lost once the strikes reach the policy's
-- limit, else QUEUED to run again.
local function strike(j, w, now)
  LEDGER.lost(j, w, now)
  local lost = j.l + 1
  j.l = lost
  local mwl = policy(j.po).mwl
  if j.c then
    move(j, 'CANCELLED', now)
  elseif lost >= mwl then
    j.d = 'worker_lost'
    seterror(j, '{"type":"dev.spindle.WorkerLostException","message":' .. cjson.encode('job ' .. j.id
      .. ' lost its worker ' .. ids(lost) .. ' time(s) (limit ' .. ids(mwl) .. '); last worker: ' .. w)
      .. ',"stack":[],"cause":null}')
    move(j, 'DEAD', now)
  else
    j.ra = now
    move(j, 'QUEUED', now)
  end
end

-- The dependency (workflow) functions of deps.lua go in place of the next line (Script.java).
--@DEPENDENCIES@
-- The durable-execution functions of durable.lua go in place of the next line (Script.java).
--@DURABLE@
-- Deletes a finished job, its index entries, its durable records and its progress reports.
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
  DELS[#DELS + 1] = dskey(id)
  DELS[#DELS + 1] = dgkey(id)
  DELS[#DELS + 1] = LEDGER.akey(id)
  DELS[#DELS + 1] = LEDGER.arkey(id)
  redis.call('SREM', P .. 'dup', id)
  redis.call('SREM', P .. 'lst', id)
  DELS[#DELS + 1] = pgkey(id)
  DELS[#DELS + 1] = plkey(id)
  if u and redis.call('HGET', P .. 'uniq', u) == id then redis.call('HDEL', P .. 'uniq', u) end
  if flowkey(j) then redis.call('HDEL', P .. 'fk', id) end
  deletedeps(id)
  return true
end

-- ---------------------------------------------------------------- enqueue
-- Reads a job batch from ARGV starting at i: the number of distinct policies, an id and a text per
-- policy ('' if the client stored it already), the number of groups; per group (consecutive jobs with the same options, so that jobs are
-- added in input order): queue, priority, run at, created (both on the enqueuer's clock: the run
-- time is moved onto the store's clock 'now' by the difference),
-- delayed ('1'/'0'), policy number (1-based), number of jobs, then 2 values per job: header and
-- args (as stored in P..'h:'..id), unique key ('' for none). Then, optionally, the dependencies:
-- how many jobs have some, and per such job: its position in the batch (from 0), its input mode
-- (A, R, S, O: see "dependencies") and its dependencies "<policy code><job id or #batch position>,...", each an existing job or an earlier
-- one of the batch. Adds the jobs, all or none; a job whose unique key exists (in the store or
-- earlier in the batch) is not added (nor are its dependencies). A job with dependencies starts
-- WAITING, or QUEUED/SCHEDULED or CANCELLED at once if the ends of its dependencies say so.
-- Returns {'ids', first id} when every job was added without dependencies (their ids are
-- consecutive, in the order of the groups), else a flat list: id, created (1/0), state, per job;
-- or {'missing', job id, batch position} (and nothing is added) if a dependency does not exist.
-- Where a new job waits: its state, the index it is filed in and its score there (SCHEDULED by run
-- time, QUEUED by priority).
local function startindex(q, p, delayed, ra)
  if delayed then return 'SCHEDULED', P .. 'sched', ids(ceilus(ra)) end
  return 'QUEUED', rkey(q), ids(-p)
end
local function enqueue(i, now)
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
    local n = tonumber(ARGV[x + 6])
    for k = 0, n - 1 do
      local u = ARGV[x + 7 + 2 * k + 1]
      if u == '' then
        fresh = fresh + 1
      elseif not known[u] then
        known[u] = redis.call('HGET', P .. 'uniq', u) or 'new'
        if known[u] == 'new' then fresh = fresh + 1 end
      end
    end
    x = x + 7 + 2 * n
  end
  -- the dependencies, checked before anything is written
  local deps, ndeps = {}, tonumber(ARGV[x] or '0') or 0
  for d = 0, ndeps - 1 do
    local at = x + 1 + 3 * d
    local spec = ARGV[at + 2]
    deps[tonumber(ARGV[at])] = {mode = ARGV[at + 1], spec = spec}
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
  -- the flow keys: "FK", how many, then per keyed job its position and key ('!' and the error JSON
  -- for a key that could not be computed: the job is dead-lettered at once)
  local fks, nbad = {}, 0
  local fkat = x + 1 + 3 * ndeps
  if ARGV[fkat] == 'FK' then
    for f = 0, tonumber(ARGV[fkat + 1]) - 1 do
      local k = ARGV[fkat + 3 + 2 * f]
      fks[tonumber(ARGV[fkat + 2 + 2 * f])] = k
      if string.sub(k, 1, 1) == '!' then nbad = nbad + 1 end
    end
  end
  local nextid = 0
  if fresh > 0 then
    -- the first write grows memory, so under OOM the script fails here, before changing anything
    nextid = redis.call('INCRBY', P .. 'id', fresh) - fresh
    for k = 1, npol do
      local text = ARGV[poltexts + 2 * k]
      if text ~= '' then redis.call('HSETNX', P .. 'pol', pols[k], text) end
    end
  end
  local total = 0
  x = i
  for g = 1, ngroups do
    local n = tonumber(ARGV[x + 6])
    total = total + n
    x = x + 7 + 2 * n
  end
  local compact = fresh == total and ndeps == 0 and nbad == 0
  local out, created = {}, {}
  local pos, bid, waiting = 0, {}, {}
  -- keyed jobs: their keys (one HSET per call) and the rotations their keys join (one ZADD NX per key)
  local fkpairs, fkrots = {}, {}
  if compact then out = {'ids', ids(nextid + 1)} end
  x = i
  for g = 1, ngroups do
    local q, p, ra, delayed, po, n = ARGV[x], tonumber(ARGV[x + 1]), tadd(now, tsub(ARGV[x + 2], ARGV[x + 3])),
      ARGV[x + 4] == '1', pols[tonumber(ARGV[x + 5])], tonumber(ARGV[x + 6])
    local s, key, score = startindex(q, p, delayed, ra)
    local text = status({s = s, n = 0, f = 0, l = 0, ra = ra, p = p, q = q, po = po})
    local idx = ZADDS[key]
    if not idx then idx = {}; ZADDS[key] = idx end
    local all = ZADDS[P .. 'all']
    if not all then all = {}; ZADDS[P .. 'all'] = all end
    local made, waits, deads = 0, 0, 0
    local wtext = nil
    for k = 0, n - 1 do
      local u = ARGV[x + 7 + 2 * k + 1]
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
        local fk = fks[pos]
        MSETS[#MSETS + 1] = hkey(id)
        MSETS[#MSETS + 1] = ARGV[x + 7 + 2 * k]
        MSETS[#MSETS + 1] = skey(id)
        if fk and string.sub(fk, 1, 1) == '!' then
          -- its key could not be computed: dead from the start, with the reason
          local dj = {id = id, s = 'DEAD', n = 0, f = 0, l = 0, ra = ra, p = p, q = q, po = po, d = 'bad_flow_key'}
          dj.fi = now
          dj.ex, dj.exus = expiry(po, 'DEAD', now)
          dj.fs = ids(nextseq())
          stat(now, RULES.STAT['DEAD'], 1)
          index(dj)
          MSETS[#MSETS + 1] = status(dj)
          MSETS[#MSETS + 1] = errkey(id)
          MSETS[#MSETS + 1] = string.sub(fk, 2)
          st = 'DEAD'
          deads = deads + 1 -- index() counted it DEAD
        else
          if fk then
            fkpairs[#fkpairs + 1] = id
            fkpairs[#fkpairs + 1] = fk
            if not FQ[q] then
              redis.call('SADD', P .. 'fq', q)
              FQ[q] = true
            end
          end
          if deps[pos] then
            -- it waits for its dependencies (decided after the batch is written)
            if not wtext then wtext = 'WAITING' .. string.sub(text, #s + 1) end
            st = 'WAITING'
            MSETS[#MSETS + 1] = wtext
            waits = waits + 1
            waiting[#waiting + 1] = {id = id, pos = pos, out = #out + 3}
          elseif fk and not delayed then
            MSETS[#MSETS + 1] = text
            push(ZADDS, fkready(q, fk), score, m)
            local rk = fkrot(q)
            local seen = fkrots[rk]
            if not seen then seen = {}; fkrots[rk] = seen end
            seen[fk] = true
          else
            MSETS[#MSETS + 1] = text
            idx[#idx + 1] = score
            idx[#idx + 1] = m
          end
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
      if keyedqueue(q) then FHX[q] = true end
      count(q, s, made - waits - deads)
      count(q, 'WAITING', waits)
      push(SADDS, P .. 'queues', q)
      CHANGED = true
    end
    x = x + 7 + 2 * n
  end
  if #fkpairs > 0 then chunked('HSET', P .. 'fk', fkpairs, 2) end
  for rk, seen in pairs(fkrots) do
    local l = {}
    for k in pairs(seen) do
      l[#l + 1] = 0
      l[#l + 1] = k
    end
    for c = 1, #l, 2000 do redis.call('ZADD', rk, 'NX', unpack(l, c, math.min(c + 1999, #l))) end
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
      adddeps(cj, parents, codes, d.mode, now, dn, created)
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
local function remember(rid, value, ttl)
  if rid ~= '' then redis.call('SET', P .. 'req:' .. rid, value, 'PX', ttl or REQ_TTL_MS) end
end
-- What an enqueue answers before it does anything: the reply kept for a repeated request id, or
-- {'epoch', marker or ''} if the namespace epoch the client knows ('' for no check) is gone (Redis
-- lost the namespace's data since); nil to go on.
local function enqueuefirst(rid, epoch)
  local prev = replay(rid)
  if prev then return cjson.decode(prev) end
  if epoch ~= '' then
    local ep = redis.call('GET', P .. 'epoch')
    if ep ~= epoch then return {'epoch', ep or ''} end
  end
  return nil
end

-- ---------------------------------------------------------------- read-only views
-- Shared by the inspector's scripts (workers, finished, stats, summaries, oldest) and by live, which
-- reads them all in one round trip for a dashboard tick.

-- {worker id, record JSON, jobs it holds RUNNING now, store clock minus worker clock or false, ...}
local function read_workers()
  local kv = redis.call('HGETALL', P .. 'workers')
  local out = {}
  for x = 1, #kv, 2 do
    out[#out + 1] = kv[x]
    out[#out + 1] = kv[x + 1]
    out[#out + 1] = redis.call('SCARD', wkey(kv[x]))
    out[#out + 1] = redis.call('HGET', P .. 'clk', kv[x])
    out[#out + 1] = redis.call('HGET', P .. 'wt', kv[x])
  end
  return out
end

-- Rows of terminal jobs with a finish sequence number above cursor, oldest first (merged from the
-- SUCCEEDED/CANCELLED and FAILED/DEAD sets), at most limit.
local function read_finished(cursor, limit)
  local a = redis.call('ZRANGEBYSCORE', P .. 'ok', '(' .. cursor, '+inf', 'WITHSCORES', 'LIMIT', 0, limit)
  local b = redis.call('ZRANGEBYSCORE', P .. 'bad', '(' .. cursor, '+inf', 'WITHSCORES', 'LIMIT', 0, limit)
  local rows = {}
  local i, k = 1, 1
  while #rows < limit and (i <= #a or k <= #b) do
    local m
    if k > #b or (i <= #a and tonumber(a[i + 1]) < tonumber(b[k + 1])) then
      m = a[i]
      i = i + 2
    else
      m = b[k]
      k = k + 2
    end
    local id = unmem(m)
    local text = redis.call('GET', skey(id))
    if text then rows[#rows + 1] = rowof(id, text) end
  end
  return rows
end

-- The per-minute statistics of the minutes starting at epoch seconds from, from + 60, ... below to:
-- {minute, {counter, n, ...}} for each minute with any.
local function read_stats(from, to)
  local out = {}
  local m = from
  while m < to do
    local kv = redis.call('HGETALL', P .. 'st:' .. m)
    if #kv > 0 then out[#out + 1] = {tostring(m), kv} end
    m = m + 60
  end
  return out
end

-- {{queue, {state, count, ...}}, ...}, {queue, limit, ...}}
local function read_summaries()
  local out = {}
  for _, q in ipairs(redis.call('SMEMBERS', P .. 'queues')) do
    out[#out + 1] = {q, redis.call('HGETALL', nkey(q))}
  end
  return {out, redis.call('HGETALL', P .. 'limits')}
end

-- The member of the QUEUED job of queue q with the lowest id, or nil. A ready set orders by
-- priority then id, so that job is the first member of one of its priority levels: one call per
-- level present (at most 1,000 levels are looked at).
local function lowest_ready(q)
  local key = rkey(q)
  local best
  local first = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  local levels = 0
  while first[1] and levels < 1000 do
    if not best or first[1] < best then best = first[1] end
    first = redis.call('ZRANGEBYSCORE', key, '(' .. first[2], '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
    levels = levels + 1
  end
  return best
end

-- The run-at time of the QUEUED job with the lowest id, or false if none waits.
local function read_oldest()
  local best
  for _, q in ipairs(redis.call('SMEMBERS', P .. 'queues')) do
    local m = lowest_ready(q)
    if m and (not best or m < best) then best = m end
  end
  if not best then return false end
  local j = load(unmem(best))
  if not j then return false end
  return j.ra
end

-- {queue, run-at time of its QUEUED job with the lowest id, ...} for each queue with a QUEUED job.
local function read_oldest_by_queue()
  local out = {}
  for _, q in ipairs(redis.call('SMEMBERS', P .. 'queues')) do
    local m = lowest_ready(q)
    local j = m and load(unmem(m))
    if j then
      out[#out + 1] = q
      out[#out + 1] = j.ra
    end
  end
  return out
end

-- ---------------------------------------------------------------- per call
-- Starts a call that keeps no per-call state: it writes straight to Redis, never through the
-- buffers of flush(), and reads no cache below. Sets KEYS, ARGV and P only.
local function enter(keys, args)
  KEYS, ARGV, P = keys, args, keys[1]
end
-- Starts a call: its keys and arguments, and fresh per-call state (see the top of this file).
local function begin(keys, args)
  KEYS, ARGV, P = keys, args, keys[1]
  WKEYS, POLICY = {}, {}
  ZADDS, ZREMS, SADDS, SREMS, MSETS, DELS, CNT, WADD, WREM = {}, {}, {}, {}, {}, {}, {}, {}, {}
  EXPB = {}
  SEQ, SEQ_DIRTY = nil, false
  CHANGED = false
  STATS, STATMIN, STATNOW = {}, nil, nil
  ENDED, ENDJ = {}, {}
  JOBS, META = nil, nil
  DNX = nil
  FQ, FLIM, FHX = {}, {}, {}
end
