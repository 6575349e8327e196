-- ---------------------------------------------------------------- flow control
-- P..'fq' (queues that had keyed jobs), P..'fk' (job id -> flow key "limit:value", keyed jobs only),
-- P..'fl' (limit name -> text form), P..'fln' (limit name -> "concurrency|GCRA interval us|burst|
-- window max|window us", what the scripts read), P..'ft' (key -> GCRA arrival time, us),
-- P..'fp' (key -> paused until, us), P..'fr:'..key (the "id:fence" of its RUNNING jobs: the
-- concurrency permits; stale members are dropped when counted), P..'fw:'..key (starts inside the
-- window, score us), P..'q:'..queue..':k:'..key (the key's QUEUED jobs, ordered as a ready set),
-- P..'q:'..queue..':kr' (keys with ready jobs, score = when last served: the fair rotation),
-- P..'q:'..queue..':ks' (the rotation counter; scores are turn * FTURN + claims taken in the turn). A keyed job is in its key's ready set, not in the
-- queue's. P..'fh' (queue -> "skip until us|earliest hold end us or ''"): a keyed queue whose last
-- claim found nothing to take (no unkeyed job, every key held) is skipped by claims until then, at
-- most 100 ms ahead (exchange.lua); whatever can make a job of the queue claimable (a job of it becoming QUEUED,
-- one leaving RUNNING: a permit freed, a limit put or removed) deletes the entry (C.unhold, at flush()).
-- C.fq: queue -> whether it ever had keyed jobs (P..'fq'), read once per call.
local function keyedqueue(q)
  local v = C.fq[q]
  if v == nil then
    v = redis.call('SISMEMBER', P .. 'fq', q) == 1
    C.fq[q] = v
  end
  return v
end
local function flowkey(j)
  if j.fk == nil then
    if keyedqueue(j.q) then j.fk = redis.call('HGET', P .. 'fk', j.id) or false else j.fk = false end
  end
  return j.fk
end
local function fkready(q, key) return P .. 'q:' .. q .. ':k:' .. key end
local function fkrot(q) return P .. 'q:' .. q .. ':kr' end
-- C.flim: limit name -> its rules (or false), read once per call.
local function flowlimit(name)
  local l = C.flim[name]
  if l == nil then
    local v = redis.call('HGET', P .. 'fln', name)
    if v then
      local c, iv, b, wm, wus, ws = string.match(v, '^(%d+)|(%d+)|(%d+)|(%d+)|(%d+)|?(.*)$')
      l = {conc = tonumber(c), iv = tonumber(iv), burst = tonumber(b), wmax = tonumber(wm), wus = tonumber(wus)}
      -- weights of key values ("value:n,value:n"): claims per turn of the fair round
      if ws ~= '' then
        l.wt = {}
        for wv, wn in string.gmatch(ws, '([^,]+):(%d+)') do l.wt[wv] = tonumber(wn) end
      end
    else
      l = false
    end
    C.flim[name] = l
  end
  return l
end
-- The weight of 'key' in its queue's fair round: the claims it takes per turn (1 unless its limit
-- weighs its value).
local function flowweight(key)
  local name, value = string.match(key, '^([^:]*):(.*)$')
  if not name then return 1 end
  local l = flowlimit(name)
  if not l or not l.wt then return 1 end
  return l.wt[value] or 1
end
-- A key's rotation score is turn * FTURN + claims taken in that turn: it keeps its place at the head
-- until it has taken its weight's claims (at most 100), then goes behind every other key.
local FTURN = 128
-- What holds 'key' at 'nowus': nil, or {rule, until us ('' if unknown), detail}. 'prune' (in writing
-- scripts) drops stale permits and starts that left the window.
local function flowhold(key, nowus, prune)
  local pu = redis.call('HGET', P .. 'fp', key)
  if pu and tonumber(pu) > nowus then return {'PAUSED', pu, 'the task reported a rate limit'} end
  local l = flowlimit(string.match(key, '^([^:]*)'))
  if not l then return nil end
  if l.conc > 0 then
    local rk = P .. 'fr:' .. key
    local live = 0
    for _, m in ipairs(redis.call('SMEMBERS', rk)) do
      local id, fe = string.match(m, '^(%d+):(%d+)$')
      local v = id and statustext(id)
      local s, fence
      if v then
        local n
        s, n, fence = string.match(v, HEAD)
      end
      if s == 'RUNNING' and fence == fe then
        live = live + 1
      elseif prune then
        redis.call('SREM', rk, m)
      end
    end
    if live >= l.conc then return {'CONCURRENCY', '', live .. ' of ' .. l.conc .. ' running'} end
  end
  if l.iv > 0 then
    local t = redis.call('HGET', P .. 'ft', key)
    if t then
      local at = tonumber(t) - (l.burst - 1) * l.iv
      if at > nowus then return {'RATE', ids(at), 'rate, burst ' .. l.burst} end
    end
  end
  if l.wmax > 0 then
    local wk = P .. 'fw:' .. key
    local from = nowus - l.wus
    if prune then redis.call('ZREMRANGEBYSCORE', wk, '-inf', ids(from)) end
    local n = redis.call('ZCOUNT', wk, '(' .. ids(from), '+inf')
    if n >= l.wmax then
      local first = redis.call('ZRANGEBYSCORE', wk, '(' .. ids(from), '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
      return {'WINDOW', ids(tonumber(first[2]) + l.wus), n .. ' of ' .. l.wmax .. ' starts in the window'}
    end
  end
  return nil
end
-- Counts the start of job 'id' (fence 'fence') of 'key' at 'nowus' against the key's rules.
local function flowstarted(key, id, fence, nowus)
  local l = flowlimit(string.match(key, '^([^:]*)'))
  if not l then return end
  if l.conc > 0 then redis.call('SADD', P .. 'fr:' .. key, id .. ':' .. fence) end
  if l.iv > 0 then
    local t = tonumber(redis.call('HGET', P .. 'ft', key) or '0')
    if t < nowus then t = nowus end
    redis.call('HSET', P .. 'ft', key, ids(t + l.iv))
  end
  if l.wmax > 0 then redis.call('ZADD', P .. 'fw:' .. key, ids(nowus), id .. ':' .. fence) end
end
