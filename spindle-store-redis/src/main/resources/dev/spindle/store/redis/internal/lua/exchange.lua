-- exchange(rid, caller now, '', unconfirmed rids, nCompletions, <completions>, worker, max, nQueues,
--          <queues>[, task names]): applies completions, then claims jobs, atomically. With the task
-- names (comma-separated), only jobs of those tasks are claimed; the others stay where they are.
-- A completion is: id, fence, worker ('' = the previous completion's), outcome code, then by code:
-- S result | R error, retry at (caller's clock), retry delayed ('1'/'0') | F error | D error, dead reason |
-- C error | L nothing; an error '' stands for null. A claim with worker '' is skipped.
-- Returns {applied flags (1/0), the claimed jobs {id, fence, header+args, status, ...}, earliest
-- SCHEDULED run time or nil}: one round trip per exchange.
redis.call('DEL', P .. 'oom') -- runs under OOM: see lib
local rid, unconfirmed = ARGV[1], ARGV[4]
local now, offset = storeclock(ARGV[2])
local nowus = floorus(now)

local function nextrun()
  local first = redis.call('ZRANGE', P .. 'sched', 0, 0)
  if first[1] then
    local j = load(unmem(first[1]))
    if j then return j.ra end
  end
  return false
end

-- A remembered reply: "<escaped worker>\n<applied flags as 0/1 digits>\n<id,fence,id,fence,...>".
local function record(text)
  local w, f, c = string.match(text, '^([^\n]*)\n([01]*)\n(.*)$')
  local rec = {w = unesc(w), f = {}, c = {}}
  for d in string.gmatch(f, '%d') do rec.f[#rec.f + 1] = tonumber(d) end
  for x in string.gmatch(c, '[^,]+') do rec.c[#rec.c + 1] = x end
  return rec
end

-- The reply is kept as applied flags plus claimed id/fence pairs; the jobs are read again on
-- replay, and only those this claim still holds are returned.
local function claimed_rows(rec)
  local rows = {}
  local c = rec.c
  for x = 1, #c, 2 do
    local j = load(c[x])
    if j and j.s == 'RUNNING' and j.fe == c[x + 1] and j.w == rec.w then
      rows[#rows + 1] = c[x]
      rows[#rows + 1] = c[x + 1]
    end
  end
  return rows
end

-- {id, fence, ...} -> {id, fence, header+args, status, ...}; 'status' has the statuses already known
-- (by position), the others are read.
local function with_texts(pairs, status)
  local out = {}
  local n = #pairs / 2
  for i = 1, n, 500 do
    local last = math.min(i + 499, n)
    local keys = {}
    for k = i, last do
      keys[#keys + 1] = hkey(pairs[2 * k - 1])
      if not status then keys[#keys + 1] = skey(pairs[2 * k - 1]) end
    end
    local v = redis.call('MGET', unpack(keys))
    for k = i, last do
      local x = k - i + 1
      out[#out + 1] = pairs[2 * k - 1]
      out[#out + 1] = pairs[2 * k]
      if status then
        out[#out + 1] = v[x]
        out[#out + 1] = status[k]
      else
        out[#out + 1] = v[2 * x - 1]
        out[#out + 1] = v[2 * x]
      end
    end
  end
  return out
end

local prev = replay(rid)
if prev then
  local rec = record(prev)
  return {rec.f, with_texts(claimed_rows(rec)), nextrun()}
end

-- Earlier exchanges of this worker whose replies never arrived (comma-separated request ids): give
-- back the jobs they claimed (they never reached the worker); their completions stay applied
-- (repeats are recognised).
for urid in string.gmatch(unconfirmed, '[^,]+') do
  local lost = redis.call('GET', P .. 'req:' .. urid)
  if lost then
    local rec = record(lost)
    local c = rec.c
    for x = 1, #c, 2 do
      local j = load(c[x])
      if j and j.s == 'RUNNING' and j.fe == c[x + 1] and j.w == rec.w then
        LEDGER.ended(j, now, 'RELEASED', nil)
        complete(j, 'L', 'P', now)
        save(j)
      end
    end
    redis.call('DEL', P .. 'req:' .. urid)
  end
end
flush()

-- a success's state, the set it is kept in and its counter (JobRules, rendered by LuaStateMachine)
local OK, KOK, OKSTAT = '@RULE:SUCCESS_STATE@', P .. '@RULE:SUCCESS_SET@', @RULE:SUCCESS_STAT@
-- the run-at field of a QUEUED status
local READY_AT = '^QUEUED|[^|]*|[^|]*|[^|]*|[^|]*|[^|]*|[^|]*|[^|]*|([^|]*)|'
local EXTRA = {S = 1, R = 3, F = 1, D = 2, C = 1, L = 0}
-- the attempt outcome (AttemptOutcome) of each completion code
local ENDS = {S = 'SUCCEEDED', R = 'RETRY', F = 'FAILED', D = 'DEAD', C = 'CANCELLED', L = 'RELEASED'}
local nc = tonumber(ARGV[5])
local flags, applied = {}, {}
local cb = 6
if nc > 0 then
  local at, cids, workers = {}, {}, {}
  local lastw
  for k = 1, nc do
    at[k] = cb
    cids[k] = ARGV[cb]
    if ARGV[cb + 2] ~= '' then lastw = ARGV[cb + 2] end
    workers[k] = lastw
    local extra = EXTRA[ARGV[cb + 3]]
    if not extra then error('spindle: unknown completion outcome ' .. tostring(ARGV[cb + 3])) end
    cb = cb + 4 + extra
  end
  local keys = {}
  for k = 1, nc do keys[k] = skey(cids[k]) end
  local lastwesc
  lastw = nil
  local texts = {}
  for i = 1, nc, 1000 do
    local v = redis.call('MGET', unpack(keys, i, math.min(i + 999, nc)))
    for x = 1, #v do texts[i + x - 1] = v[x] end
  end
  for k = 1, nc do
    local b = at[k]
    local id, fence, w, oc = ARGV[b], ARGV[b + 1], workers[k], ARGV[b + 3]
    local ok = 0
    local text = texts[k]
    if text and not applied[id] then
      if w ~= lastw then
        lastw = w
        lastwesc = esc(w)
      end
      local s, n, fe, st, we, f, l, c, ra, p, q, po, d
      if oc == 'S' then
        n, fe, st, we, f, l, c, ra, p, q, po, d = string.match(text, RUNNING_SUCCESS)
        if n then s = 'RUNNING' end
      end
      if not s then s, n, fe, st, we = string.match(text, HEAD) end
      if s == 'RUNNING' and fe == fence and we == lastwesc then
        if oc == 'S' and f then
          -- the common case, without the generic machinery: SUCCEEDED with the result
          local seq = ids(nextseq())
          local ex, exus = expiry(po, OK, now)
          local m = mem(id)
          mset(skey(id), OK .. '|' .. n .. '|' .. fe .. '|' .. st .. '|' .. we .. '|' .. f .. '|' .. l .. '||' .. ra
            .. '|' .. now .. '|' .. ex .. '|' .. seq .. '|' .. fence .. '|' .. p .. '|' .. q .. '|' .. po .. '|' .. d
            .. '|' .. ARGV[b + 4])
          push(SREMS, wkey(w), id)
          WREM[w] = true
          if c ~= '' then push(SREMS, P .. 'cxl', id) end
          if keyedqueue(q) then FHX[q] = true end -- a permit it held is free
          expmark(exus, seq)
          push(ZADDS, KOK, seq, m)
          count(q, 'RUNNING', -1)
          count(q, OK, 1)
          stat(now, OKSTAT, 1)
          ENDED[#ENDED + 1] = id
          ENDJ[id] = {id = id, s = OK, r = ARGV[b + 4]}
          CHANGED = true
        else
          local j = parse(id, text)
          j.df = fence
          -- an attempt that does not end its job gets a ledger entry (before the job changes)
          if oc == 'R' or oc == 'L' then LEDGER.ended(j, now, ENDS[oc], ARGV[b + 4] ~= '' and ARGV[b + 4] or nil) end
          if oc == 'R' then
            j.f = j.f + 1
            seterror(j, ARGV[b + 4] ~= '' and ARGV[b + 4] or nil)
            j.ra = tadd(ARGV[b + 5], offset)
            complete(j, oc, ARGV[b + 6] == '1' and 'A' or 'P', now)
          elseif oc == 'F' then
            j.f = j.f + 1
            seterror(j, ARGV[b + 4] ~= '' and ARGV[b + 4] or nil)
            complete(j, oc, 'P', now)
          elseif oc == 'D' then
            seterror(j, ARGV[b + 4] ~= '' and ARGV[b + 4] or nil)
            j.d = ARGV[b + 5]
            complete(j, oc, 'P', now)
          elseif oc == 'C' then
            if ARGV[b + 4] ~= '' then seterror(j, ARGV[b + 4]) end
            complete(j, oc, 'P', now)
          elseif oc == 'S' then
            -- a status the fast path's pattern did not read: the generic way
            j.r = ARGV[b + 4] -- as setresult() does: one upvalue fewer (Lua allows this function 60)
            complete(j, oc, 'P', now)
          else
            complete(j, oc, 'P', now)
          end
          save(j)
        end
        applied[id] = true
        ok = 1
      elseif s and parse(id, text).df == fence then
        ok = 1 -- sent again by a worker whose earlier call lost its reply: it was applied then
      elseif s then
        LEDGER.refuse(id, fence, now, w, 'complete ' .. ENDS[oc])
      end
    end
    flags[#flags + 1] = ok
  end
  flush()
end
-- what depends on the jobs that ended is released or cancelled in this same script
settle(now)

local worker = ARGV[cb]
local claimed, statuses = {}, {}
local short = false -- the claim found fewer jobs than asked: its worker waits next
local flownext = nil -- the earliest time (us) a flow rule that held a key lifts
-- queue -> its held mark (see "flow control" in lib.lua), written after the last flush()
local marks = {}
-- The longest a queue found held is skipped (us): what bounds the wait of a job that becomes
-- claimable by a change that did not delete the mark.
local FHOLD_US = 100000
-- A filtered claim's tasks (name -> true), or nil: any task.
local allow = nil
-- The most members of one ready set a filtered claim looks at per call.
local FILTER_SCAN = 10000
if worker ~= '' and ARGV[cb + 3 + tonumber(ARGV[cb + 2])] then
  allow = {}
  for t in string.gmatch(ARGV[cb + 3 + tonumber(ARGV[cb + 2])], '[^,]+') do allow[t] = true end
end
-- Up to n members of the ready set 'key', in its order, whose job's task 'allow' names, taken off it.
-- Jobs of other tasks keep their places.
local function takeallowed(key, n)
  local out = {}
  local from = 0
  while #out < n and from < FILTER_SCAN do
    local ms = redis.call('ZRANGE', key, from, from + 99)
    if #ms == 0 then break end
    local hk = {}
    for x, m in ipairs(ms) do hk[x] = hkey(unmem(m)) end
    local hs = redis.call('MGET', unpack(hk))
    for x, m in ipairs(ms) do
      local h = hs[x]
      if h and allow[string.match(h, '^([^|]*)')] then
        out[#out + 1] = m
        if #out >= n then break end
      end
    end
    from = from + #ms
  end
  if #out > 0 then chunked('ZREM', key, out, 1) end
  return out
end
-- The best member of the ready set 'key' this claim may take, taken off it; nil if none.
local function popone(key)
  if allow then return takeallowed(key, 1)[1] end
  local p = redis.call('ZPOPMIN', key, 1)
  return p[1]
end
if worker ~= '' then
  -- promote due SCHEDULED jobs (at most 1000 per call keeps the script short)
  local due = redis.call('ZRANGEBYSCORE', P .. 'sched', '-inf', nowus, 'LIMIT', 0, 1000)
  if #due > 0 then
    local dids = {}
    for x, m in ipairs(due) do dids[x] = unmem(m) end
    local djobs = loadall(dids)
    for x, m in ipairs(due) do
      local j = djobs[dids[x]]
      if j and j.s == 'SCHEDULED' then
        move(j, 'QUEUED', now)
        save(j)
      else
        push(ZREMS, P .. 'sched', m)
      end
    end
    flush()
  end
  local remaining = tonumber(ARGV[cb + 1])
  local nq = tonumber(ARGV[cb + 2])
  for qi = 1, nq do
    if remaining <= 0 then break end
    local q = ARGV[cb + 2 + qi]
    local avail = remaining
    if redis.call('SISMEMBER', P .. 'paused', q) == 1 then avail = 0 end
    local lim = num(redis.call('HGET', P .. 'limits', q))
    if lim > 0 then
      avail = math.min(avail, lim - num(redis.call('HGET', nkey(q), 'RUNNING')))
    end
    local skip = false
    if avail > 0 and keyedqueue(q) then
      -- a queue whose last claim found every key held is skipped until its mark lapses
      local mark = redis.call('HGET', P .. 'fh', q)
      if mark then
        local to, wake = string.match(mark, '^(%d+)|(%d*)$')
        if to and tonumber(to) > nowus then
          skip = true
          if wake ~= '' and (not flownext or tonumber(wake) < flownext) then flownext = tonumber(wake) end
        end
      end
    end
    if skip then
      -- held: nothing to take before the mark lapses or a change deletes it
    elseif avail > 0 and keyedqueue(q) then
      -- flow control: round-robin over the unkeyed jobs and the keys (least recently served first),
      -- skipping keys a rule holds; statuses are written at once, so permits count this claim's jobs
      local wesc = esc(worker)
      local wk = wkey(worker)
      local nowus = floorus(now)
      local rot = fkrot(q)
      local ranked = redis.call('ZRANGE', rot, 0, 999, 'WITHSCORES')
      local keys, score = {}, {}
      for x = 1, #ranked, 2 do
        keys[#keys + 1] = ranked[x]
        score[ranked[x]] = tonumber(ranked[x + 1])
      end
      local blocked = {}
      local qnext = nil -- the earliest time (us) a rule that held a key of this queue lifts
      local unkeyed = true
      local got = 0
      local function claimone(id)
        local v = redis.call('GET', skey(id))
        local text, fence
        if v then text, fence = claimstatus(v, wesc, now) end
        if not text then return nil end
        statstart(now, string.match(v, READY_AT))
        redis.call('SET', skey(id), text)
        push(SADDS, wk, id)
        claimed[#claimed + 1] = id
        claimed[#claimed + 1] = fence
        statuses[#statuses + 1] = text
        got = got + 1
        return fence
      end
      while got < avail do
        local progress = false
        if unkeyed then
          local m = popone(rkey(q))
          if not m then unkeyed = false else claimone(unmem(m)); progress = true end
        end
        for _, key in ipairs(keys) do
          if got >= avail then break end
          -- a key takes up to its weight's claims in a row, then its turn ends
          local weight = (not blocked[key]) and flowweight(key) or 0
          while weight > 0 and got < avail do
            local h = flowhold(key, nowus, true)
            if h then
              blocked[key] = true
              if h[2] ~= '' and (not qnext or tonumber(h[2]) < qnext) then qnext = tonumber(h[2]) end
              break
            end
            local m = popone(fkready(q, key))
            if not m then
              blocked[key] = true
              -- a key without ready jobs leaves the rotation (one a filter passed by stays)
              if not allow or redis.call('EXISTS', fkready(q, key)) == 0 then redis.call('ZREM', rot, key) end
              break
            end
            local id = unmem(m)
            local fence = claimone(id)
            progress = true
            if fence then
              flowstarted(key, id, fence, nowus)
              local was = score[key]
              local ends = was % FTURN + 1 >= weight
              local nx = ends and redis.call('INCR', P .. 'q:' .. q .. ':ks') * FTURN or was + 1
              score[key] = nx
              redis.call('ZADD', rot, nx, key)
              if ends then break end
            end
          end
        end
        if not progress then break end
      end
      if qnext and (not flownext or qnext < flownext) then flownext = qnext end
      if got > 0 then
        count(q, 'QUEUED', -got)
        count(q, 'RUNNING', got)
        WADD[worker] = true
        remaining = remaining - got
      elseif #ranked < 2000 and not allow then
        -- nothing to take and every key looked at (the rotation lists at most 1,000): held
        local to = nowus + FHOLD_US
        if qnext and qnext < to then to = qnext end
        marks[q] = ids(to) .. '|' .. (qnext and ids(qnext) or '')
      end
    elseif avail > 0 then
      local popped, step
      if allow then
        popped, step = takeallowed(rkey(q), avail), 1
      else
        popped, step = redis.call('ZPOPMIN', rkey(q), avail), 2
      end
      if #popped > 0 then
        local keys, pids = {}, {}
        for x = 1, #popped, step do
          local id = unmem(popped[x])
          pids[#pids + 1] = id
          keys[#keys + 1] = skey(id)
        end
        -- MGET per 1000: unpack() of a claim of thousands would overflow Lua's C stack
        local v = {}
        for i = 1, #keys, 1000 do
          local part = redis.call('MGET', unpack(keys, i, math.min(i + 999, #keys)))
          for x = 1, #part do v[i + x - 1] = part[x] end
        end
        local wesc = esc(worker)
        local wk = wkey(worker)
        local got = 0
        for k = 1, #pids do
          local id = pids[k]
          local text, fence
          if v[k] then text, fence = claimstatus(v[k], wesc, now) end
          if text then
            -- QUEUED -> RUNNING, as move() would do it (already off the ready set: popped)
            statstart(now, string.match(v[k], READY_AT))
            mset(skey(id), text)
            push(SADDS, wk, id)
            claimed[#claimed + 1] = id
            claimed[#claimed + 1] = fence
            statuses[#statuses + 1] = text
            got = got + 1
          end
        end
        if got > 0 then
          count(q, 'QUEUED', -got)
          count(q, 'RUNNING', got)
          WADD[worker] = true
          remaining = remaining - got
        end
      end
    end
  end
  flush()
  for q, m in pairs(marks) do redis.call('HSET', P .. 'fh', q, m) end
  short = remaining > 0
end
notify()
-- after notify(): this claim's own changes are announced to earlier waiters, and the next change
-- wakes this worker
if short then redis.call('SET', P .. 'wait', '1') end
if #claimed > 0 or nc > 0 then
  remember(rid, esc(worker) .. '\n' .. table.concat(flags) .. '\n' .. table.concat(claimed, ','))
end
local nr = nextrun()
if flownext then
  local ft = string.format('%d.%09d', math.floor(flownext / 1000000), (flownext % 1000000) * 1000)
  if not nr or tless(ft, nr) then nr = ft end
end
return {flags, with_texts(claimed, statuses), nr}
