-- ---------------------------------------------------------------- buffered writes
-- Index changes and job strings are collected and written with one command per key (one MSET for
-- all strings) at flush(). flush() must run before a script reads what it changed.
-- The buffers are fields of the call's context C (call.lua): zadds, zrems, sadds, srems (key ->
-- members), msets, dels, counts (queue -> state -> change), wadd, wrem (workers whose in-flight
-- set grew or shrank), expiries (expiry score -> {lowest fs, highest fs} of the jobs finished with
-- it), unhold (queues whose held mark P..'fh' goes, see flow control), seq and seqdirty (the finish
-- sequence, read once), changed (whether to wake waiters), jbclear (bucket -> offsets of the
-- existence bits of jobs deleted). Per-minute statistics (MinuteStats'
-- counters): C.stats, counter number -> increment for the minute C.statmin, written by flush() to
-- the hash P..'st:'..minute, kept a little over a day; C.statnow is the time they were last counted
-- at, C.statsec and C.statnanos its parts.
local STAT_TTL = 90000

local function push(t, key, a, b)
  local l = t[key]
  if not l then l = {}; t[key] = l end
  l[#l + 1] = a
  if b ~= nil then l[#l + 1] = b end
end
local function mset(k, v)
  C.msets[#C.msets + 1] = k
  C.msets[#C.msets + 1] = v
end
-- Counts 'd' more jobs of queue 'q' in state 's', in 'into' (queue -> state -> change; C.counts, which
-- flush() writes, if not given).
local function count(q, s, d, into)
  local t = into or C.counts
  local m = t[q]
  if not m then m = {}; t[q] = m end
  m[s] = (m[s] or 0) + d
end
local function chunked(cmd, key, l, step)
  local n = #l
  local i = 1
  while i <= n do
    local j = math.min(i + 1000 * step - 1, n)
    if key then redis.call(cmd, key, unpack(l, i, j)) else redis.call(cmd, unpack(l, i, j)) end
    i = j + 1
  end
end
-- Sets the bits of bucket b's existence bitmap at 'offsets' to v (1 or 0): one BITFIELD per 1000.
local function setbits(b, offsets, v)
  for i = 1, #offsets, 1000 do
    local args = {}
    for k = i, math.min(i + 999, #offsets) do
      local n = #args
      args[n + 1], args[n + 2], args[n + 3], args[n + 4] = 'SET', 'u1', offsets[k], v
    end
    redis.call('BITFIELD', jbkey(b), unpack(args))
  end
end
-- Sets the bits lo..hi of bucket b's existence bitmap to 1: one BITFIELD whose SET ops write up to
-- 32 bits each (a bucket holds 4,096 bits, so at most 128 ops), instead of one op per bit.
local function setrun(b, lo, hi)
  local args = {}
  while lo <= hi do
    local w, n = math.min(hi - lo + 1, 32), #args
    args[n + 1], args[n + 2], args[n + 3], args[n + 4] = 'SET', 'u' .. w, lo, 2 ^ w - 1
    lo = lo + w
  end
  redis.call('BITFIELD', jbkey(b), unpack(args))
end
-- Clears the existence bits of deleted jobs (C.jbclear: bucket -> offsets) and drops the buckets
-- left empty, but the highest known (P..'jbt'): new jobs may still come into it, and an enqueue
-- registers only a bucket above it.
local function clearbits()
  local top = jbtop(redis.call('GET', P .. 'jbt'))
  for b, offsets in pairs(C.jbclear) do
    setbits(b, offsets, 0)
    if redis.call('BITCOUNT', jbkey(b)) == 0 then
      redis.call('DEL', jbkey(b))
      if b < top then redis.call('ZREM', P .. 'jbk', b) end
    end
  end
  C.jbclear = {}
end
local function nextseq()
  if not C.seq then C.seq = num(redis.call('GET', P .. 'fseq')) end
  C.seq = C.seq + 1
  C.seqdirty = true
  return C.seq
end
-- Files a terminal job with expiry score 'exus' and finish sequence 'fs' under its bucket: one
-- sorted-set entry per expiry and call instead of one per job.
local function expmark(exus, fs)
  local n = tonumber(fs)
  local b = C.expiries[exus]
  if not b then
    C.expiries[exus] = {n, n}
  elseif n < b[1] then
    b[1] = n
  elseif n > b[2] then
    b[2] = n
  end
end
local function stat(now, k, d)
  if now ~= C.statnow then
    local sec, nanos = tparts(now)
    local m = math.floor(sec / 60) * 60
    if C.statmin and m ~= C.statmin then
      for c, n in pairs(C.stats) do redis.call('HINCRBY', P .. 'st:' .. C.statmin, c, n) end
      redis.call('EXPIRE', P .. 'st:' .. C.statmin, STAT_TTL)
      C.stats = {}
    end
    C.statnow, C.statmin, C.statsec, C.statnanos = now, m, sec, nanos
  end
  C.stats[k] = (C.stats[k] or 0) + d
end
-- The wait bucket of a wait of 'ms' milliseconds (MinuteStats.bucket, in integer steps).
local function waitbucket(ms)
  if ms < 4 then
    if ms < 0 then return 0 end
    return ms
  end
  local _, e = math.frexp(ms) -- ms = m * 2^e with 0.5 <= m < 1, exactly: e - 1 is floor(log2(ms))
  e = e - 1
  local b = 4 * (e - 1) + math.floor(ms / 2 ^ (e - 2)) - 4
  if b > 159 then b = 159 end
  return b
end
-- Counts a job claimed at 'now' that became ready at 'ra'.
local function statstart(now, ra)
  stat(now, RULES.STAT.STARTED, 1)
  local s0, n0 = tparts(ra)
  local ms = math.floor(((C.statsec - s0) * 1e9 + (C.statnanos - n0)) / 1e6)
  stat(now, RULES.STAT.WAIT_BASE + waitbucket(ms), 1)
end
local function flush()
  if C.statmin and next(C.stats) then
    for c, n in pairs(C.stats) do redis.call('HINCRBY', P .. 'st:' .. C.statmin, c, n) end
    redis.call('EXPIRE', P .. 'st:' .. C.statmin, STAT_TTL)
    C.stats = {}
  end
  for exus, b in pairs(C.expiries) do push(C.zadds, P .. 'exp', exus, b[1] .. ':' .. b[2]) end
  C.expiries = {}
  if #C.dels > 0 then chunked('DEL', nil, C.dels, 1) end
  if next(C.jbclear) then clearbits() end
  for k, l in pairs(C.zrems) do chunked('ZREM', k, l, 1) end
  for k, l in pairs(C.srems) do chunked('SREM', k, l, 1) end
  if #C.msets > 0 then chunked('MSET', nil, C.msets, 2) end
  for k, l in pairs(C.zadds) do chunked('ZADD', k, l, 2) end
  for k, l in pairs(C.sadds) do chunked('SADD', k, l, 1) end
  for q, m in pairs(C.counts) do
    local key = nkey(q)
    for s, d in pairs(m) do
      if d ~= 0 then redis.call('HINCRBY', key, s, d) end
    end
  end
  for w in pairs(C.wadd) do redis.call('SADD', P .. 'holders', w) end
  for w in pairs(C.wrem) do
    if not C.wadd[w] and redis.call('SCARD', wkey(w)) == 0 then redis.call('SREM', P .. 'holders', w) end
  end
  if C.seqdirty then redis.call('SET', P .. 'fseq', ids(C.seq)); C.seqdirty = false end
  if next(C.unhold) then
    local l = {}
    for q in pairs(C.unhold) do l[#l + 1] = q end
    chunked('HDEL', P .. 'fh', l, 1)
    C.unhold = {}
  end
  C.zadds, C.zrems, C.sadds, C.srems, C.msets, C.dels, C.counts, C.wadd, C.wrem = {}, {}, {}, {}, {}, {}, {}, {}, {}
end
-- Announces a change, but only while somebody waits for one: a waiter (a claim that found fewer
-- jobs than asked, or a client's Subscription.waiting()) sets P..'wait'; the first change after it
-- deletes the key and publishes, so a busy fleet publishes nothing and an idle one gets one message.
local function wake()
  if redis.call('DEL', P .. 'wait') == 1 then redis.call('PUBLISH', P .. 'ev', '1') end
end
-- wake() for a call that read P..'wait' itself: 'waiting' tells whether it was set.
local function wakewaiting(waiting)
  if waiting then wake() end
end
-- wake(), once a call changed something (C.changed).
local function notify()
  if C.changed then
    C.changed = false
    wake()
  end
end
