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
  if redis.call('EXISTS', hkey(id)) == 0 then return end
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

