-- ---------------------------------------------------------------- index
-- A job's index entries and counts, by state (see keys.lua). Changes are buffered (writes.lua).
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

