-- ---------------------------------------------------------------- durable execution
-- A durable job's records live in two hashes beside the job, in its slot, deleted with it
-- (deletejob):
--   P..'ds:'..id  its steps and their bookkeeping, what load reads in one HGETALL:
--                 '<name>#<occurrence>' -> a step record "sequence|kind|fence|attempt|took ms|
--                 recorded at|" then '-' (no result) or '=' and the result JSON;
--                 '#n' records, '#b' bytes of their results, '#t' signals taken by records,
--                 '#g' signals stored, '@'..name signals stored of that name (names hold no '#',
--                 so no field of one kind is a field of another);
--                 '#w' the wait: "kind|sequence|until|number|signal name" (until on the store's
--                 clock; a signal name may hold '|', so it comes last)
--   P..'dg:'..id  its signals: '<name>#<number>' -> "received at|payload JSON"
-- Memoized results: P..'dc:'..key -> "expires at|job id|result JSON", expiring with Redis PX.
-- The decisions are DurableRules': the limits come as arguments, the answers to a signal as the
-- rendered table RULES.SIGNAL, and a step write returns its facts for the client to name.
local function dskey(id) return P .. 'ds:' .. id end
local function dgkey(id) return P .. 'dg:' .. id end
-- What a running job reports (progress_write.lua), beside it in its slot, deleted with it:
--   P..'pg:'..id  its latest progress: 'f' fraction, 'm' message, 'u' reported at (Times text),
--                 'n' lines logged in all
--   P..'pl:'..id  its kept log lines, oldest first: "seq|at|LEVEL|message"
local function pgkey(id) return P .. 'pg:' .. id end
local function plkey(id) return P .. 'pl:' .. id end
-- The job if worker 'w' holds it RUNNING under fencing token 'fe', else nil.
local function heldjob(id, fe, w)
  local j = load(id)
  if j and j.s == 'RUNNING' and j.fe == fe and j.w == w then return j end
  return nil
end
-- The signal name a wait text waits for, or nil for a timer (or no wait).
local function waitsignal(wait)
  if not wait then return nil end
  local kind, name = string.match(wait, '^(%u+)|%d+|[^|]+|%d+|(.*)$')
  if kind == 'SIGNAL' then return name end
  return nil
end
