-- ---------------------------------------------------------------- index
-- The existence index (every job: P..'jb:' bitmaps, see keys.lua), then a job's index entries and
-- counts by state. Changes are buffered (writes.lua) but the existence bits an enqueue sets.

-- Files the new jobs first..last (consecutive ids) in the existence bitmaps. A bucket above 'top',
-- the highest one known (P..'jbt', read by the caller; -1 for none), joins P..'jbk' and becomes it:
-- ids only grow, so a call adds a bucket at most once in 4,096 ids.
local function addexisting(first, last, top)
  first, last = tonumber(first), tonumber(last)
  for b = jbucket(first), jbucket(last) do
    local base = b * JB -- the bucket's first id
    setrun(b, math.max(first, base) - base, math.min(last, base + JB - 1) - base)
    if b > top then redis.call('ZADD', P .. 'jbk', 'NX', b, b) end
  end
  if jbucket(last) > top then redis.call('SET', P .. 'jbt', jbucket(last)) end
end
-- Files job id as gone from the existence index (written at flush(); an entry an earlier version
-- wrote in P..'all' goes too).
local function dropexisting(id, m)
  local b = jbucket(id)
  push(C.jbclear, b, tonumber(id) - b * JB)
  push(C.zrems, P .. 'all', m)
end
-- The ids set in bucket b's bitmap up to 'top', newest first, appended to 'out' until it holds n.
local function bucketids(b, top, out, n)
  local bits = redis.call('GET', jbkey(b)) or ''
  for byte = math.min(#bits, math.floor((top - b * JB) / 8) + 1), 1, -1 do
    local v = string.byte(bits, byte)
    if v ~= 0 then
      for k = 7, 0, -1 do
        local id = b * JB + (byte - 1) * 8 + k
        if id <= top and bit.band(v, 2 ^ (7 - k)) ~= 0 then
          out[#out + 1] = id
          if #out >= n then return end
        end
      end
    end
  end
end
-- Up to n ids of existing jobs below 'below' (a number), newest first, from the existence bitmaps.
local function existingbelow(below, n)
  local out = {}
  local top = below - 1
  local from = below == math.huge and '+inf' or top >= 0 and jbucket(top) or -1
  while #out < n do
    local bs = redis.call('ZREVRANGEBYSCORE', P .. 'jbk', from, '-inf', 'LIMIT', 0, 8)
    if #bs == 0 then break end
    for _, bv in ipairs(bs) do
      bucketids(tonumber(bv), top, out, n)
      if #out >= n then break end
    end
    from = '(' .. bs[#bs]
  end
  return out
end

-- The member of job j in the sorted sets (its id, zero-padded), made once.
local function member(j)
  local m = j.m
  if not m then m = mem(j.id); j.m = m end
  return m
end
local function unindex(j)
  local s = j.s
  count(j.q, s, -1)
  if s == 'WAITING' then -- in no index
  elseif s == 'SCHEDULED' then push(C.zrems, P .. 'sched', member(j))
  elseif s == 'QUEUED' then
    if not j.popped then
      local k = flowkey(j)
      push(C.zrems, k and fkready(j.q, k) or rkey(j.q), member(j))
    end
  elseif s == 'RUNNING' then
    push(C.srems, wkey(j.w), j.id)
    C.wrem[j.w] = true
    if j.c then push(C.srems, P .. 'cxl', j.id) end
    if keyedqueue(j.q) then C.unhold[j.q] = true end -- a permit it held is free
  else
    -- the expiry bucket stays: purge_expired skips jobs that are gone or no longer expire then
    push(C.zrems, P .. RULES.KEPT[s], member(j))
  end
end
local function index(j)
  local s = j.s
  count(j.q, s, 1)
  if s == 'WAITING' then -- in no index
  elseif s == 'SCHEDULED' then push(C.zadds, P .. 'sched', ceilus(j.ra), member(j))
  elseif s == 'QUEUED' then
    local k = flowkey(j)
    if k then
      push(C.zadds, fkready(j.q, k), ids(-j.p), member(j))
      redis.call('ZADD', fkrot(j.q), 'NX', 0, k)
    else
      push(C.zadds, rkey(j.q), ids(-j.p), member(j))
    end
    if keyedqueue(j.q) then C.unhold[j.q] = true end
  elseif s == 'RUNNING' then
    push(C.sadds, wkey(j.w), j.id)
    C.wadd[j.w] = true
  else
    expmark(j.exus or ids(ceilus(j.ex)), j.fs)
    push(C.zadds, P .. RULES.KEPT[s], j.fs, member(j))
  end
end

