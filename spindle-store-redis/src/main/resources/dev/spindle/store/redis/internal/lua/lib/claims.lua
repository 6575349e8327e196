-- ---------------------------------------------------------------- claims
-- What exchange does after the completions: it claims jobs for a worker. A claim's work table 'x':
-- worker, wesc (its escaped id), wk (its in-flight set), allow (task name -> true, or nil: any
-- task), remaining (jobs still wanted), claimed ({id, fence, ...}), statuses (their new statuses),
-- headers (their headers where the claim read them, by the same position), flownext (the earliest
-- time, us, a flow rule that held a key lifts), marks (queue -> its held mark, see flow.lua, written
-- after the last flush()).

-- What later modules and scripts use; the rest of the module is its own (inside do ... end).
local claim, exchangerecord, stillheld, withtexts, giveback, nextrun
do
  -- The longest a queue found held is skipped (us): what bounds the wait of a job that becomes
  -- claimable by a change that did not delete the mark.
  local FHOLD_US = 100000
  -- The most members of one ready set a filtered claim looks at per call.
  local FILTER_SCAN = 10000

  -- Up to n members of the ready set 'key', in its order, whose job's task x.allow names, taken off
  -- it. Jobs of other tasks keep their places.
  local function takeallowed(x, key, n)
    local out = {}
    local from = 0
    while #out < n and from < FILTER_SCAN do
      local ms = redis.call('ZRANGE', key, from, from + 99)
      if #ms == 0 then break end
      local hk = {}
      for i, m in ipairs(ms) do hk[i] = hkey(unmem(m)) end
      local hs = redis.call('MGET', unpack(hk))
      for i, m in ipairs(ms) do
        local h = hs[i]
        if h and x.allow[string.match(h, '^([^|]*)')] then
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
  local function popone(x, key)
    if x.allow then return takeallowed(x, key, 1)[1] end
    return redis.call('ZPOPMIN', key, 1)[1]
  end

  -- Moves due SCHEDULED jobs to QUEUED (at most 1000 per call keeps the script short).
  local function promotedue(now, nowus)
    local due = redis.call('ZRANGEBYSCORE', P .. 'sched', '-inf', nowus, 'LIMIT', 0, 1000)
    if #due == 0 then return end
    local dids = {}
    for i, m in ipairs(due) do dids[i] = unmem(m) end
    local djobs = loadall(dids)
    for i, m in ipairs(due) do
      local j = djobs[dids[i]]
      if j and j.s == 'SCHEDULED' then
        move(j, 'QUEUED', now)
        save(j)
      else
        push(C.zrems, P .. 'sched', m)
      end
    end
    flush()
  end

  -- How many jobs the claim may take from queue q: none while it is paused, or held (its mark, set
  -- when a claim found every key held, has not lapsed), and no more than its limit leaves.
  local function available(x, q, nowus)
    if redis.call('SISMEMBER', P .. 'paused', q) == 1 then return 0 end
    local avail = x.remaining
    local lim = num(redis.call('HGET', P .. 'limits', q))
    if lim > 0 then avail = math.min(avail, lim - num(redis.call('HGET', nkey(q), 'RUNNING'))) end
    if avail <= 0 or not keyedqueue(q) then return avail end
    local mark = redis.call('HGET', P .. 'fh', q)
    local to, wake = nil, nil
    if mark then to, wake = string.match(mark, '^(%d+)|(%d*)$') end
    if to and tonumber(to) > nowus then
      if wake ~= '' and (not x.flownext or tonumber(wake) < x.flownext) then x.flownext = tonumber(wake) end
      return 0
    end
    return avail
  end

  -- Claims job id if it is QUEUED with status 'text' (QUEUED -> RUNNING as move() would do it, the
  -- job already off its ready set); its fence, or nil. Statuses are buffered unless 'now' (keyed
  -- queues write them at once, so permits count this claim's jobs). 'h' is the job's header if it
  -- was read (else nil), kept for the reply (withtexts).
  local function claimtext(x, id, text, now, direct, h)
    local new, fence, ra
    if text then new, fence, ra = claimstatus(text, x.wesc, now) end
    if not new then return nil end
    statstart(now, ra)
    if direct then redis.call('SET', skey(id), new) else mset(skey(id), new) end
    push(C.sadds, x.wk, id)
    x.claimed[#x.claimed + 1] = id
    x.claimed[#x.claimed + 1] = fence
    x.statuses[#x.statuses + 1] = new
    x.headers[#x.statuses] = h
    return fence
  end

  -- Counts got jobs of queue q claimed.
  local function claimedfrom(x, q, got)
    if got == 0 then return end
    count(q, 'QUEUED', -got)
    count(q, 'RUNNING', got)
    C.wadd[x.worker] = true
    x.remaining = x.remaining - got
  end

  -- Claims up to avail jobs of the unkeyed queue q.
  local function claimplain(x, q, avail, now)
    local popped, step
    if x.allow then
      popped, step = takeallowed(x, rkey(q), avail), 1
    else
      popped, step = redis.call('ZPOPMIN', rkey(q), avail), 2
    end
    if #popped == 0 then return end
    local pids = {}
    for i = 1, #popped, step do pids[#pids + 1] = unmem(popped[i]) end
    local v, heads = statustexts(pids)
    local got = 0
    for k = 1, #pids do
      if claimtext(x, pids[k], v[k], now, false, heads[k]) then got = got + 1 end
    end
    claimedfrom(x, q, got)
  end

  -- One key's turn in keyed queue q's fair round (its rotation 'rot', scores 'score'): it takes up
  -- to its weight's claims in a row, fewer if the claim needs fewer (k.avail, k.got). Sets
  -- k.blocked[key] when a rule holds it or it has no ready job; a key without ready jobs leaves the
  -- rotation (one a filter passed by stays). True if it took or looked at a job.
  local function keyturn(x, k, key, now, nowus)
    local weight = (not k.blocked[key]) and flowweight(key) or 0
    local progress = false
    while weight > 0 and k.got < k.avail do
      local h = flowhold(key, nowus, true)
      if h then
        k.blocked[key] = true
        if h[2] ~= '' and (not k.qnext or tonumber(h[2]) < k.qnext) then k.qnext = tonumber(h[2]) end
        return progress
      end
      local m = popone(x, fkready(k.q, key))
      if not m then
        k.blocked[key] = true
        if not x.allow or redis.call('EXISTS', fkready(k.q, key)) == 0 then redis.call('ZREM', k.rot, key) end
        return progress
      end
      local id = unmem(m)
      local fence = claimtext(x, id, statustext(id), now, true)
      progress = true
      if fence then
        k.got = k.got + 1
        flowstarted(key, id, fence, nowus)
        local was = k.score[key]
        local ends = was % FTURN + 1 >= weight
        local nx = ends and redis.call('INCR', P .. 'q:' .. k.q .. ':ks') * FTURN or was + 1
        k.score[key] = nx
        redis.call('ZADD', k.rot, nx, key)
        if ends then return progress end
      end
    end
    return progress
  end

  -- Claims up to avail jobs of keyed queue q: round-robin over the unkeyed jobs and the keys (least
  -- recently served first), skipping keys a rule holds. A queue where nothing could be taken with
  -- every key looked at is marked held.
  local function claimkeyed(x, q, avail, now, nowus)
    local k = {q = q, avail = avail, got = 0, rot = fkrot(q), keys = {}, score = {}, blocked = {}, qnext = nil}
    local ranked = redis.call('ZRANGE', k.rot, 0, 999, 'WITHSCORES')
    for i = 1, #ranked, 2 do
      k.keys[#k.keys + 1] = ranked[i]
      k.score[ranked[i]] = tonumber(ranked[i + 1])
    end
    local unkeyed = true
    while k.got < avail do
      local progress = false
      if unkeyed then
        local m = popone(x, rkey(q))
        if not m then
          unkeyed = false
        else
          if claimtext(x, unmem(m), statustext(unmem(m)), now, true) then k.got = k.got + 1 end
          progress = true
        end
      end
      for _, key in ipairs(k.keys) do
        if k.got >= avail then break end
        if keyturn(x, k, key, now, nowus) then progress = true end
      end
      if not progress then break end
    end
    if k.qnext and (not x.flownext or k.qnext < x.flownext) then x.flownext = k.qnext end
    claimedfrom(x, q, k.got)
    if k.got == 0 and #ranked < 2000 and not x.allow then
      -- nothing to take and every key looked at (the rotation lists at most 1,000): held
      local to = nowus + FHOLD_US
      if k.qnext and k.qnext < to then to = k.qnext end
      x.marks[q] = ids(to) .. '|' .. (k.qnext and ids(k.qnext) or '')
    end
  end

  -- Claims up to 'max' jobs for 'worker' from the nq queues at ARGV[at + 1 ...], in their order
  -- (then, optionally, the task names it takes, comma-separated). Returns the claim's work table.
  function claim(worker, max, nq, at, now, nowus)
    local x = {worker = worker, wesc = esc(worker), wk = wkey(worker), remaining = max, claimed = {}, statuses = {},
      headers = {}, marks = {}}
    local tasks = ARGV[at + nq + 1]
    if tasks then
      x.allow = {}
      for t in string.gmatch(tasks, '[^,]+') do x.allow[t] = true end
    end
    promotedue(now, nowus)
    for qi = 1, nq do
      if x.remaining <= 0 then break end
      local q = ARGV[at + qi]
      local avail = available(x, q, nowus)
      if avail > 0 and keyedqueue(q) then
        claimkeyed(x, q, avail, now, nowus)
      elseif avail > 0 then
        claimplain(x, q, avail, now)
      end
    end
    flush()
    for q, m in pairs(x.marks) do redis.call('HSET', P .. 'fh', q, m) end
    return x
  end

  -- ---------------------------------------------------------------- exchange replies
  -- A remembered reply: "<escaped worker>\n<applied flags as 0/1 digits>\n<id,fence,id,fence,...>".
  function exchangerecord(text)
    local w, f, c = string.match(text, '^([^\n]*)\n([01]*)\n(.*)$')
    local rec = {w = unesc(w), f = {}, c = {}}
    for d in string.gmatch(f, '%d') do rec.f[#rec.f + 1] = tonumber(d) end
    for v in string.gmatch(c, '[^,]+') do rec.c[#rec.c + 1] = v end
    return rec
  end

  -- The {id, fence, ...} of a remembered claim that its worker still holds.
  function stillheld(rec)
    local rows = {}
    local c = rec.c
    for i = 1, #c, 2 do
      local j = load(c[i])
      if j and j.s == 'RUNNING' and j.fe == c[i + 1] and j.w == rec.w then
        rows[#rows + 1] = c[i]
        rows[#rows + 1] = c[i + 1]
      end
    end
    return rows
  end

  -- {id, fence, ...} -> {id, fence, header+args, status, ...} of running jobs; 'status' and 'headers'
  -- have the statuses and headers already known (by position; either may be nil), the others are
  -- read. A header that still holds its job's first status (codec.lua; stale once the job runs)
  -- loses it, so a finished job keeps the header the general enqueue writes.
  function withtexts(pairs, status, headers)
    local out, trimmed = {}, {}
    local n = #pairs / 2
    for i = 1, n, 500 do
      local last = math.min(i + 499, n)
      local keys = {}
      for k = i, last do
        if not (headers and headers[k]) then keys[#keys + 1] = hkey(pairs[2 * k - 1]) end
        if not status then keys[#keys + 1] = skey(pairs[2 * k - 1]) end
      end
      local v = #keys > 0 and redis.call('MGET', unpack(keys)) or {}
      local at = 0
      for k = i, last do
        local id, h = pairs[2 * k - 1], headers and headers[k]
        if not h then at = at + 1; h = v[at] end
        local s = status and status[k]
        if not status then at = at + 1; s = v[at] or tailstatus(h) or false end
        local bare = h and withouttail(h)
        if bare then
          h = bare
          append2(trimmed, hkey(id), h)
        end
        append2(out, id, pairs[2 * k])
        append2(out, h, s)
      end
    end
    chunked('MSET', nil, trimmed, 2)
    return out
  end

  -- Earlier exchanges of this worker whose replies never arrived (comma-separated request ids): gives
  -- back the jobs they claimed (they never reached the worker); their completions stay applied
  -- (repeats are recognised).
  function giveback(unconfirmed, now)
    for urid in string.gmatch(unconfirmed, '[^,]+') do
      local lost = redis.call('GET', P .. 'req:' .. urid)
      if lost then
        local rec = exchangerecord(lost)
        for i = 1, #rec.c, 2 do
          local j = load(rec.c[i])
          if j and j.s == 'RUNNING' and j.fe == rec.c[i + 1] and j.w == rec.w then
            LEDGER.ended(j, now, 'RELEASED', nil)
            complete(j, 'L', 'P', now)
            save(j)
          end
        end
        redis.call('DEL', P .. 'req:' .. urid)
      end
    end
    flush()
  end

  -- The run time of the first SCHEDULED job, or of a flow hold's end (flownext, us) if earlier; false
  -- if neither.
  function nextrun(flownext)
    local nr = false
    local first = redis.call('ZRANGE', P .. 'sched', 0, 0)
    if first[1] then
      local j = load(unmem(first[1]))
      if j then nr = j.ra end
    end
    if flownext then
      local ft = string.format('%d.%09d', math.floor(flownext / 1000000), (flownext % 1000000) * 1000)
      if not nr or tless(ft, nr) then nr = ft end
    end
    return nr
  end
end
