-- ---------------------------------------------------------------- transitions
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
    C.ended[#C.ended + 1] = j.id
    C.endj[j.id] = j
  end
  if to ~= 'RUNNING' then C.changed = true end
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
