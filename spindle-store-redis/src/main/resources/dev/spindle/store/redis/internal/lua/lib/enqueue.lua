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
-- What later modules and scripts use; the rest of the module is its own (inside do ... end).
local startindex, addplain, enqueue
do
  -- Where a new job waits: its state, the index it is filed in and its score there (SCHEDULED by run
  -- time, QUEUED by priority).
  function startindex(q, p, delayed, ra)
    if delayed then return 'SCHEDULED', P .. 'sched', ids(ceilus(ra)) end
    return 'QUEUED', rkey(q), ids(-p)
  end
  -- enqueue_plain's n jobs of one group: ids after 'id', headers from ARGV[x + 7], each with the
  -- first status 'text' as its tail (codec.lua: no status key until the job's first transition), filed
  -- in index 'key' at 'score' (startindex's); their strings appended to the flat list 'strings' (key,
  -- value, ...), their index entries to indexes[key]. The hot loop of an enqueue, written out: no
  -- helper call and no length operator per job (0.5 us less of Redis per job in calls of 16, within
  -- the noise of the rates: docs/BENCHMARKS.md).
  function addplain(strings, indexes, id, x, n, key, score, text)
    local hp, tail = P .. 'h:', '\0' .. text
    local l = indexes[key]
    if not l then l = {}; indexes[key] = l end
    local ns, nl = #strings, #l
    for k = 0, n - 1 do
      local sid = string.format('%d', id + k + 1)
      strings[ns + 1], strings[ns + 2] = hp .. sid, ARGV[x + 7 + 2 * k] .. tail
      l[nl + 1], l[nl + 2] = score, string.format('%016d', id + k + 1)
      ns, nl = ns + 2, nl + 2
    end
  end
  -- A list in 'into' (key -> list), made if missing.
  local function listof(into, key)
    local l = into[key]
    if not l then l = {}; into[key] = l end
    return l
  end

  -- The batch's layout in ARGV from i: the work table of this enqueue, with its policies (pols: ids,
  -- poltexts: texts), its groups ({at = ARGV index, n = jobs}), how many jobs, and 'tail', where the
  -- dependencies start.
  local function readbatch(i, now)
    local e = {now = now, pols = {}, poltexts = {}, groups = {}, total = 0}
    local npol = tonumber(ARGV[i])
    for k = 1, npol do
      e.pols[k] = ARGV[i + 2 * k - 1]
      e.poltexts[k] = ARGV[i + 2 * k]
    end
    i = i + 2 * npol + 1
    for g = 1, tonumber(ARGV[i]) do
      local at = i + 1
      local n = tonumber(ARGV[at + 6])
      e.groups[g] = {at = at, n = n}
      e.total = e.total + n
      i = i + 7 + 2 * n
    end
    e.tail = i + 1
    return e
  end

  -- The unique keys of the batch: e.known[key] = the id of the job holding it, or 'new'; e.fresh =
  -- how many jobs need an id.
  local function uniquekeys(e)
    local known, fresh = {}, 0
    for _, g in ipairs(e.groups) do
      for k = 0, g.n - 1 do
        local u = ARGV[g.at + 8 + 2 * k]
        if u == '' then
          fresh = fresh + 1
        elseif not known[u] then
          known[u] = redis.call('HGET', P .. 'uniq', u) or 'new'
          if known[u] == 'new' then fresh = fresh + 1 end
        end
      end
    end
    e.known, e.fresh = known, fresh
  end

  -- The dependencies (from ARGV[x]), checked before anything is written: e.deps[position] = {mode,
  -- spec}, e.ndeps. Returns an error reply ({'badref' or 'missing', reference, position}) or nil.
  local function readdeps(e, x)
    local deps, ndeps = {}, tonumber(ARGV[x] or '0') or 0
    for d = 0, ndeps - 1 do
      local at = x + 1 + 3 * d
      local spec = ARGV[at + 2]
      deps[tonumber(ARGV[at])] = {mode = ARGV[at + 1], spec = spec}
      for dep in string.gmatch(spec, '[^,]+') do
        local ref = string.sub(dep, 2)
        if string.sub(ref, 1, 1) == '#' then
          if not ((tonumber(string.sub(ref, 2)) or math.huge) < tonumber(ARGV[at])) then
            return {'badref', ref, ARGV[at]}
          end
        elseif redis.call('EXISTS', hkey(ref)) == 0 then
          return {'missing', ref, ARGV[at]}
        end
      end
    end
    e.deps, e.ndeps = deps, ndeps
    return nil
  end

  -- The flow keys (after the dependencies): "FK", how many, then per keyed job its position and key
  -- ('!' and the error JSON for a key that could not be computed: the job is dead-lettered at once).
  -- Sets e.fks[position] = key and e.nbad.
  local function readflowkeys(e)
    local fks, nbad = {}, 0
    local at = e.tail + 1 + 3 * e.ndeps
    if ARGV[at] == 'FK' then
      for f = 0, tonumber(ARGV[at + 1]) - 1 do
        local k = ARGV[at + 3 + 2 * f]
        fks[tonumber(ARGV[at + 2 + 2 * f])] = k
        if string.sub(k, 1, 1) == '!' then nbad = nbad + 1 end
      end
    end
    e.fks, e.nbad = fks, nbad
  end

  -- Takes the ids the new jobs need (e.nextid: the last one taken) and stores the policy texts sent.
  -- The first write grows memory, so under OOM the script fails here, before changing anything.
  local function takeids(e)
    e.nextid = 0
    if e.fresh == 0 then return end
    e.nextid = redis.call('INCRBY', P .. 'id', e.fresh) - e.fresh
    for k, text in ipairs(e.poltexts) do
      if text ~= '' then redis.call('HSETNX', P .. 'pol', e.pols[k], text) end
    end
  end

  -- A group's options, read once: its queue, priority, run time (moved onto the store's clock), where
  -- its jobs wait, their status text, and its list in the buffered writes.
  local function groupof(e, g)
    local x = g.at
    local gs = {q = ARGV[x], p = tonumber(ARGV[x + 1]), ra = tadd(e.now, tsub(ARGV[x + 2], ARGV[x + 3])),
      delayed = ARGV[x + 4] == '1', po = e.pols[tonumber(ARGV[x + 5])], made = 0, waits = 0, deads = 0}
    gs.s, gs.key, gs.score = startindex(gs.q, gs.p, gs.delayed, gs.ra)
    gs.text = status({s = gs.s, n = 0, f = 0, l = 0, ra = gs.ra, p = gs.p, q = gs.q, po = gs.po})
    gs.idx = listof(C.zadds, gs.key)
    return gs
  end

  -- A new job whose flow key could not be computed ('!' then the error): DEAD from the start.
  local function deadjob(e, gs, id, fk)
    local dj = {id = id, s = 'DEAD', n = 0, f = 0, l = 0, ra = gs.ra, p = gs.p, q = gs.q, po = gs.po, d = 'bad_flow_key'}
    dj.fi = e.now
    dj.ex, dj.exus = expiry(gs.po, 'DEAD', e.now)
    dj.fs = ids(nextseq())
    stat(e.now, RULES.STAT['DEAD'], 1)
    index(dj) -- counts it DEAD
    mset(skey(id), status(dj))
    mset(errkey(id), string.sub(fk, 2))
    gs.deads = gs.deads + 1
  end

  -- A keyed job: its key (written by writeflowkeys) and its queue marked as keyed.
  local function keyjob(e, q, id, fk)
    e.fkpairs[#e.fkpairs + 1] = id
    e.fkpairs[#e.fkpairs + 1] = fk
    if not C.fq[q] then
      redis.call('SADD', P .. 'fq', q)
      C.fq[q] = true
    end
  end

  -- Files new job 'id' (member m, at batch position e.pos) of group gs: its strings, and where it
  -- waits. Returns its state.
  local function addnew(e, gs, id, m, header)
    local fk = e.fks[e.pos]
    mset(hkey(id), header)
    if fk and string.sub(fk, 1, 1) == '!' then
      deadjob(e, gs, id, fk)
      return 'DEAD'
    end
    if fk then keyjob(e, gs.q, id, fk) end
    if e.deps[e.pos] then
      -- it waits for its dependencies (decided after the batch is written)
      if not gs.wtext then gs.wtext = 'WAITING' .. string.sub(gs.text, #gs.s + 1) end
      mset(skey(id), gs.wtext)
      gs.waits = gs.waits + 1
      e.waiting[#e.waiting + 1] = {id = id, pos = e.pos, out = #e.out + 3}
      return 'WAITING'
    end
    mset(skey(id), gs.text)
    if fk and not gs.delayed then
      push(C.zadds, fkready(gs.q, fk), gs.score, m)
      listof(e.fkrots, fkrot(gs.q))[fk] = true
    else
      gs.idx[#gs.idx + 1] = gs.score
      gs.idx[#gs.idx + 1] = m
    end
    return gs.s
  end

  -- Adds group g's jobs; a job whose unique key is held (in the store or earlier in the batch) is
  -- answered with the holder's id and state instead.
  local function addgroup(e, g)
    local gs = groupof(e, g)
    for k = 0, g.n - 1 do
      local u = ARGV[g.at + 8 + 2 * k]
      local holder = u ~= '' and e.known[u]
      if holder and holder ~= 'new' then
        e.bid[e.pos] = holder
        local st = e.created[holder]
        if not st then
          local j = load(holder)
          st = j and j.s or 'QUEUED'
        end
        append3(e.out, holder, '0', st)
      else
        e.nextid = e.nextid + 1
        local id = ids(e.nextid)
        if u ~= '' then
          redis.call('HSET', P .. 'uniq', u, id)
          e.known[u] = id
        end
        e.bid[e.pos] = id
        local m = mem(id)
        local st = addnew(e, gs, id, m, ARGV[g.at + 7 + 2 * k])
        e.created[id] = st
        gs.made = gs.made + 1
        if not e.compact then append3(e.out, id, '1', st) end
      end
      e.pos = e.pos + 1
    end
    if gs.made > 0 then
      if keyedqueue(gs.q) then C.unhold[gs.q] = true end
      count(gs.q, gs.s, gs.made - gs.waits - gs.deads)
      count(gs.q, 'WAITING', gs.waits)
      push(C.sadds, P .. 'queues', gs.q)
      C.changed = true
    end
  end

  -- The keyed jobs' keys (one HSET per call) and the rotations their keys join (one ZADD NX per key).
  local function writeflowkeys(e)
    if #e.fkpairs > 0 then chunked('HSET', P .. 'fk', e.fkpairs, 2) end
    for rk, seen in pairs(e.fkrots) do
      local l = {}
      for k in pairs(seen) do
        l[#l + 1] = 0
        l[#l + 1] = k
      end
      for c = 1, #l, 2000 do redis.call('ZADD', rk, 'NX', unpack(l, c, math.min(c + 1999, #l))) end
    end
  end

  -- The dependencies of the batch's WAITING jobs, written once the batch is: each is released or
  -- cancelled at once if the ends of its dependencies say so, and its state in the reply follows.
  local function wiredeps(e)
    flush()
    C.jobs, C.meta = {}, {}
    local dn = {}
    for _, w in ipairs(e.waiting) do
      local d = e.deps[w.pos]
      local parents, codes = {}, {}
      for code, ref in string.gmatch(d.spec, '(%d)([^,]+)') do
        codes[#codes + 1] = code
        parents[#parents + 1] = string.sub(ref, 1, 1) == '#' and e.bid[tonumber(string.sub(ref, 2))] or ref
      end
      local cj = getjob(w.id)
      adddeps(cj, parents, codes, d.mode, e.now, dn, e.created)
      e.out[w.out] = cj.s
    end
    local byk = {}
    for pid, v in pairs(dn) do
      local l = listof(byk, P .. 'dn:' .. math.floor(pid / 64))
      l[#l + 1] = pid
      l[#l + 1] = v
    end
    for k, l in pairs(byk) do chunked('HSET', k, l, 2) end
    C.jobs, C.meta = nil, nil
    C.ended, C.endj = {}, {} -- nothing depends on a job of this batch but later jobs of it, which saw its state
  end

  -- Adds the batch at ARGV[i] (see the top of this module) at the store time now; returns the reply.
  -- top: the highest bucket of the existence index (P..'jbt') if the caller read it, else nil.
  function enqueue(i, now, top)
    local e = readbatch(i, now)
    uniquekeys(e)
    local refused = readdeps(e, e.tail)
    if refused then return refused end
    readflowkeys(e)
    takeids(e)
    e.compact = e.fresh == e.total and e.ndeps == 0 and e.nbad == 0
    e.out = e.compact and {'ids', ids(e.nextid + 1)} or {}
    e.created, e.pos, e.bid, e.waiting, e.fkpairs, e.fkrots = {}, 0, {}, {}, {}, {}
    local first = e.nextid + 1
    for _, g in ipairs(e.groups) do addgroup(e, g) end
    if e.nextid >= first then
      addexisting(first, e.nextid, top or jbtop(redis.call('GET', P .. 'jbt')))
    end
    writeflowkeys(e)
    if #e.waiting > 0 then wiredeps(e) end
    return e.out
  end
end
