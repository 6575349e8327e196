-- Spindle Redis job store: the shared library every script starts with, in modules joined in the
-- order Script.MODULES gives (each uses only what the ones before it define). This first one names
-- the keys and describes the layout.
--
-- KEYS[1] is the key prefix "{<namespace>}:". Every key a script touches starts with it, so all of
-- them hash to one Redis Cluster slot, and it is the declared key that routes the call there.
--
-- A job is kept in strings, so that a whole batch of jobs is read with one MGET and written with
-- one MSET, and a transition costs one pattern match and one concatenation per job:
--   P..'h:'..id  what never changes, as the client writes it: "task|queue|priority|created|policy id|
--                unique key" ('%', '|' and newlines in the key escaped as %25, %7C, %0A), a newline,
--                then the arguments JSON; for a job enqueue_plain wrote, then a NUL and its first
--                status (one key a new job: codec.lua's statustext) until a claim drops it
--   P..'s:'..id  the status, written at a job's first transition (at enqueue by the general
--                enqueue), "|"-separated, in this order (empty = nil/0):
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
-- Indexes: every job in P..'jb:'..bucket (a bitmap of JB ids: bucket id // JB, bit id % JB set while
-- the job exists; a bit a job) and P..'jbk' (the buckets holding any, score the bucket); jobs written
-- before it by earlier versions are in P..'all' (a sorted set, score id, about 120 bytes a job)
-- until migrate_index moves them (at open); deletions drain it and listings read it beside the
-- bitmaps meanwhile. P..'sched' (SCHEDULED, score run time),
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
-- WAITING jobs (they wait for other jobs: workflows) are in no index but P..'jb:' and the counts;
-- their dependencies are kept as described at "dependencies" below.
--
-- Out-of-memory rule: Redis never stops a script halfway. A script that must still work when
-- Redis is at maxmemory (completions, heartbeats, reclaim, purge: they let running jobs finish and
-- free memory) starts with a harmless write that is allowed under OOM (DEL of an absent key);
-- after it, Redis lets the script's other writes through. Scripts that must fail under OOM
-- (enqueue) make a memory-growing write first, so they fail before changing anything. Loaded as
-- Redis Functions, the same rule is declared instead: such functions carry the flag allow-oom.
--
local KEYS, ARGV, P
-- The call's context (call.lua): everything a call buffers or caches, made fresh by begin().
local C

local function ids(n) return string.format('%d', n) end
local function mem(id) return string.format('%016d', tonumber(id)) end
local function unmem(m) return string.match(m, '^0*(%d+)$') end
local function hkey(id) return P .. 'h:' .. id end
local function skey(id) return P .. 's:' .. id end
local function errkey(id) return P .. 'e:' .. id end
local function rkey(q) return P .. 'q:' .. q .. ':r' end
local function nkey(q) return P .. 'q:' .. q .. ':n' end
-- The existence bitmaps: JB ids a bucket (512 bytes when full).
local JB = 4096
local function jbucket(id) return math.floor(tonumber(id) / JB) end
local function jbkey(b) return P .. 'jb:' .. b end
-- The highest bucket known (P..'jbt', see addexisting()) from its stored text; -1 for none.
local function jbtop(v) return v and tonumber(v) or -1 end
local function wkey(w)
  local k = C.wkeys[w]
  if not k then k = P .. 'w:' .. w; C.wkeys[w] = k end
  return k
end
local function num(v) if v and v ~= '' then return tonumber(v) end return 0 end
-- Appends two (three) values to the list 'out'.
local function append2(out, a, b)
  out[#out + 1] = a
  out[#out + 1] = b
end
local function append3(out, a, b, c)
  out[#out + 1] = a
  out[#out + 1] = b
  out[#out + 1] = c
end
