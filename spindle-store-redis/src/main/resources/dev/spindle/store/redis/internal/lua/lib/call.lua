-- ---------------------------------------------------------------- per call
-- Loaded once as a Redis Functions library (Script.java), the library's top level runs once; every
-- call starts with begin(keys, args) or enter(keys, args). The library's module-level locals are
-- functions and constants; what a call buffers or caches lives in its context C, a fresh table per
-- call, so nothing a call leaves behind can leak into the next (LuaLibraryShapeTest checks that no
-- module-level local but C is assigned after load).

-- Starts a call: its keys and arguments, and a fresh context. Its fields, by concern: the buffered
-- writes (writes.lua), the caches of keys.lua (wkeys), policies.lua (policies) and flow.lua (fq,
-- flim), the jobs that ended (ended: their ids in order; endj: id -> job table, at least id, s and
-- r, so that settle() need not read them again) and the dependency work of deps.lua (jobs, meta,
-- dnx).
local function begin(keys, args)
  KEYS, ARGV, P = keys, args, keys[1]
  C = {wkeys = {}, policies = {}, zadds = {}, zrems = {}, sadds = {}, srems = {}, msets = {}, dels = {},
    counts = {}, wadd = {}, wrem = {}, expiries = {}, unhold = {}, seq = nil, seqdirty = false, changed = false,
    stats = {}, statmin = nil, statnow = nil, statsec = nil, statnanos = nil, ended = {}, endj = {}, jobs = nil,
    meta = nil, dnx = nil, fq = {}, flim = {}, jbclear = {}}
end

-- Starts a call that keeps no per-call state: it writes straight to Redis, never through the
-- buffers of flush(), and reads no cache. Sets KEYS, ARGV and P; with no context, a use of one
-- fails at once instead of reading another call's.
local function enter(keys, args)
  KEYS, ARGV, P = keys, args, keys[1]
  C = nil
end
