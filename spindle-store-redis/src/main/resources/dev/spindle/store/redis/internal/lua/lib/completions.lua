-- ---------------------------------------------------------------- completions
-- What exchange applies first: the completions a worker sends. A completion is: id, fence, worker
-- ('' = the previous completion's), outcome code, then by code: S result | R error, retry at
-- (caller's clock), retry delayed ('1'/'0') | F error | D error, dead reason | C error | L nothing;
-- an error '' stands for null.

-- What later modules and scripts use; the rest of the module is its own (inside do ... end).
local applycompletions
do
  -- The values after each outcome code's four leading ones.
  local EXTRA = {S = 1, R = 3, F = 1, D = 2, C = 1, L = 0}
  -- The attempt outcome (AttemptOutcome) of each completion code.
  local ENDS = {S = 'SUCCEEDED', R = 'RETRY', F = 'FAILED', D = 'DEAD', C = 'CANCELLED', L = 'RELEASED'}

  -- The nc completions from ARGV[at]: their work table {at = ARGV index of each, workers = worker of
  -- each, texts = status of each job (or false), applied = {}, next = the ARGV index after them}.
  local function readcompletions(nc, at)
    local cs = {at = {}, workers = {}, texts = {}, applied = {}}
    local list, lastw = {}, nil
    for k = 1, nc do
      cs.at[k] = at
      list[k] = ARGV[at]
      if ARGV[at + 2] ~= '' then lastw = ARGV[at + 2] end
      cs.workers[k] = lastw
      local extra = EXTRA[ARGV[at + 3]]
      if not extra then error('spindle: unknown completion outcome ' .. tostring(ARGV[at + 3])) end
      at = at + 4 + extra
    end
    cs.next = at
    cs.texts = statustexts(list)
    return cs
  end

  -- The common case, without the generic machinery: job id's RUNNING status 'text', held by the
  -- worker whose escaped id is wesc under fence, becomes SUCCEEDED with 'result'. False (and nothing
  -- changed) unless the status is such.
  local function succeed(id, text, fence, w, wesc, result, now)
    local n, fe, st, we, f, l, c, ra, p, q, po, d = string.match(text, RUNNING_SUCCESS)
    if not n or fe ~= fence or we ~= wesc then return false end
    local seq = ids(nextseq())
    local ok = '@RULE:SUCCESS_STATE@'
    local ex, exus = expiry(po, ok, now)
    mset(skey(id), ok .. '|' .. n .. '|' .. fe .. '|' .. st .. '|' .. we .. '|' .. f .. '|' .. l .. '||' .. ra
      .. '|' .. now .. '|' .. ex .. '|' .. seq .. '|' .. fence .. '|' .. p .. '|' .. q .. '|' .. po .. '|' .. d
      .. '|' .. result)
    push(C.srems, wkey(w), id)
    C.wrem[w] = true
    if c ~= '' then push(C.srems, P .. 'cxl', id) end
    if keyedqueue(q) then C.unhold[q] = true end -- a permit it held is free
    expmark(exus, seq)
    push(C.zadds, P .. '@RULE:SUCCESS_SET@', seq, mem(id))
    count(q, 'RUNNING', -1)
    count(q, ok, 1)
    stat(now, @RULE:SUCCESS_STAT@, 1)
    C.ended[#C.ended + 1] = id
    C.endj[id] = {id = id, s = ok, r = result}
    C.changed = true
    return true
  end

  -- Applies the completion at ARGV[b] (outcome oc, fence) to its RUNNING job j the generic way; an
  -- attempt that does not end its job gets a ledger entry first.
  local function completeheld(j, fence, oc, b, now, offset)
    j.df = fence
    local err = nil
    if oc ~= 'S' and oc ~= 'L' and ARGV[b + 4] ~= '' then err = ARGV[b + 4] end
    if oc == 'R' or oc == 'L' then LEDGER.ended(j, now, ENDS[oc], err) end
    local circ = 'P'
    if oc == 'R' then
      j.f = j.f + 1
      j.ra = tadd(ARGV[b + 5], offset)
      if ARGV[b + 6] == '1' then circ = 'A' end
    elseif oc == 'F' then
      j.f = j.f + 1
    elseif oc == 'D' then
      j.d = ARGV[b + 5]
    elseif oc == 'S' then
      setresult(j, ARGV[b + 4])
    end
    if oc == 'R' or oc == 'F' or oc == 'D' or (oc == 'C' and err) then seterror(j, err) end
    complete(j, oc, circ, now)
    save(j)
  end

  -- Applies completion k of cs; 1 if it is applied (now, or by an earlier call whose reply was lost),
  -- else 0 (its writer no longer holds the job: the refused write goes to the ledger).
  local function applycompletion(cs, k, now, offset)
    local b = cs.at[k]
    local id, fence, w, oc = ARGV[b], ARGV[b + 1], cs.workers[k], ARGV[b + 3]
    local text = cs.texts[k]
    if not text or cs.applied[id] then return 0 end
    if w ~= cs.lastw then
      cs.lastw = w
      cs.lastwesc = esc(w)
    end
    if oc == 'S' and succeed(id, text, fence, w, cs.lastwesc, ARGV[b + 4], now) then
      cs.applied[id] = true
      return 1
    end
    local s, _, fe, _, we = string.match(text, HEAD)
    if s == 'RUNNING' and fe == fence and we == cs.lastwesc then
      completeheld(parse(id, text), fence, oc, b, now, offset)
      cs.applied[id] = true
      return 1
    elseif s and parse(id, text).df == fence then
      return 1 -- sent again by a worker whose earlier call lost its reply: it was applied then
    elseif s then
      LEDGER.refuse(id, fence, now, w, 'complete ' .. ENDS[oc])
    end
    return 0
  end

  -- Applies the nc completions from ARGV[at]: returns their applied flags and the ARGV index after them.
  function applycompletions(nc, at, now, offset)
    local flags = {}
    if nc == 0 then return flags, at end
    local cs = readcompletions(nc, at)
    for k = 1, nc do flags[k] = applycompletion(cs, k, now, offset) end
    flush()
    return flags, cs.next
  end
end
