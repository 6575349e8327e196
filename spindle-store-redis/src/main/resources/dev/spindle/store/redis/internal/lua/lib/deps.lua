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
-- What later modules and scripts use; the rest of the module is its own (inside do ... end).
local dnkey, wtkey, getjob, waitmeta, endvalue, parseend, inputof, setinput, evaluate, ready, settle
local reevaluate, requeued, adopt, adddeps, awaited, deletedeps
do
  function dnkey(id) return P .. 'dn:' .. math.floor(tonumber(id) / 64) end
  function wtkey(id) return P .. 'wt:' .. id end
  local function wbkey(id) return P .. 'wb:' .. id end
  local function wekey(id) return P .. 'we:' .. id end
  local BIG = 32
  local ECODE = {SUCCEEDED = 'S', FAILED = 'F', DEAD = 'D', CANCELLED = 'C'}
  local ENAME = {S = 'SUCCEEDED', F = 'FAILED', D = 'DEAD', C = 'CANCELLED'}
  -- C.jobs, C.meta: while dependencies are worked on, job tables and wait modes by id (else nil).

  function getjob(id)
    local j = C.jobs[id]
    if j == nil then
      j = load(id) or false
      C.jobs[id] = j
    end
    return j or nil
  end
  -- {mode = input mode, off = true if it runs only after a failure, big = ends in a bitmap and a
  -- log} of a job with dependencies, or nil.
  function waitmeta(id)
    local m = C.meta[id]
    if m == nil then
      local v = redis.call('HGET', wtkey(id), 'i')
      m = v and {mode = string.sub(v, 1, 1), off = string.sub(v, 2, 2) == '1', big = string.sub(v, 3, 3) == 'B'}
        or false
      C.meta[id] = m
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
  function endvalue(st, r, e, mode)
    local c = ECODE[st]
    if mode == 'A' then return c end
    if mode ~= 'O' then e = nil end
    return c .. (r and #r or -1) .. '|' .. (r or '') .. (e or '')
  end
  function parseend(v)
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
  function inputof(id, meta)
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
  -- Replaces a job's arguments (the header stays). Only a job that has moved gets new ones: it has its
  -- status key, so a first status after its arguments (codec.lua) is stale and goes with them.
  function setinput(id, input)
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
  function evaluate(pols, states)
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
  function ready(c, cj, meta, now)
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

  -- Jobs suspended on another job's end (durable awaitJob) are kept by the awaited job:
  --   P..'aw:'..id    (hash) waiter id -> 1, added by durable_suspend
  --   P..'naw'        how many P..'aw:' hashes exist: while none, ends skip the look-up (as P..'nwt'
  --                   lets them skip the dependencies)
  -- Job 'id' ended: each waiter still SCHEDULED on its end ('#w' of kind JOB naming it) moves to
  -- QUEUED; the hash goes.
  local function wakeawaiters(id, now)
    local ak = P .. 'aw:' .. id
    local waiters = redis.call('HKEYS', ak)
    if #waiters == 0 then return end
    redis.call('DEL', ak)
    if redis.call('DECR', P .. 'naw') <= 0 then redis.call('DEL', P .. 'naw') end
    for _, c in ipairs(waiters) do
      local cj = getjob(c)
      if cj and cj.s == 'SCHEDULED' then
        local wt = redis.call('HGET', P .. 'ds:' .. c, '#w')
        if wt and string.match(wt, '^JOB|%d+|[^|]+|%d+|(.*)$') == id then
          cj.ra = now
          move(cj, 'QUEUED', now)
          save(cj)
        end
      end
    end
  end

  -- Applies the ends of this script's terminal moves (C.ended) to their dependents and awaiting jobs,
  -- and the ends that causes in turn (cancellations), breadth first: a chain of any length without
  -- recursion. Flushes.
  function settle(now)
    if #C.ended == 0 then return end
    if redis.call('EXISTS', P .. 'nwt', P .. 'naw') == 0 then
      C.ended, C.endj = {}, {}
      return
    end
    local awaited = redis.call('EXISTS', P .. 'naw') == 1
    C.jobs, C.meta = {}, {}
    while #C.ended > 0 do
      flush()
      local batch = C.ended
      for _, id in ipairs(batch) do
        if C.jobs[id] == nil then C.jobs[id] = C.endj[id] end
      end
      C.ended, C.endj = {}, {}
      if awaited then
        for _, id in ipairs(batch) do wakeawaiters(id, now) end
      end
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
    C.jobs, C.meta = nil, nil
  end

  -- Recomputes the wait of job 'c' from its dependencies' current states (a gone one by the end it
  -- told, if any), recording their ends again. Returns the wait, or nil and the dependency that
  -- cancels it (recorded as c). C.jobs must be set.
  function reevaluate(c)
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
  -- unless another dependency still cancels them. C.jobs must be set. Returns {id, revived ids...}.
  function requeued(id, now)
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
    return todo
  end

  -- True if edge 'pos' of 'c' was told its dependency's end.
  local function istold(c, meta, pos)
    if meta.big then return redis.call('GETBIT', wbkey(c), pos) == 1 end
    return redis.call('HEXISTS', wtkey(c), pos) == 1
  end

  -- The running job 'parent' added the children 'exits' (ids): every WAITING job whose edge from
  -- the parent was not told an end waits for them too, with that edge's policy (not as input); one
  -- that cannot run any more is cancelled. C.jobs must be set; flush before.
  function adopt(parent, exits, now)
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
  -- 'fresh' has the states the jobs of this batch were created in (by id). C.jobs must be set.
  function adddeps(cj, parents, pols, mode, now, dn, fresh)
    local c = cj.id
    local wk = wtkey(c)
    local states, up, vals, told = {}, {}, {}, false
    local meta = {mode = mode, off = onlyonfailure(pols), big = #parents > BIG}
    local fields = {'i', mode .. (meta.off and '1' or '0') .. (meta.big and 'B' or ''), 'n', ids(#parents)}
    local cc = c .. ':'
    for k = 1, #parents do
      local pid = parents[k]
      local code = pols[k]
      local pj = C.jobs[pid]
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
    C.meta[c] = meta
    if not w then
      redis.call('HSET', wk, 'c', parents[bad])
      depcancel(cj, deperror(c, parents[bad], states[bad] or 'CANCELLED'), now)
    elseif w.p == 0 then
      if meta.off and w.f == 0 then depcancel(cj, notneeded(c), now) else unwait(cj, meta, now) end
    end
  end

  -- C.dnx: whether jobs here ever had dependencies (P..'dnx'), read once per call.
  -- True if a WAITING job still waits for job id: retention keeps such a job (past its expiry and
  -- beyond the limits) until that one is released, as every store does, so a workflow's jobs stay
  -- visible while it runs.
  function awaited(id)
    if C.dnx == nil then C.dnx = redis.call('EXISTS', P .. 'dnx') == 1 end
    if not C.dnx then return false end
    local v = redis.call('HGET', dnkey(id), id)
    if not v then return false end
    for c in string.gmatch(v, '(%d+):%d+:%d') do
      local s = statustext(c)
      if s and string.sub(s, 1, 8) == 'WAITING|' then return true end
    end
    return false
  end

  -- Deletes a job's dependency records (see "dependencies").
  function deletedeps(id)
    if C.dnx == nil then C.dnx = redis.call('EXISTS', P .. 'dnx') == 1 end
    if not C.dnx then return end
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
end
