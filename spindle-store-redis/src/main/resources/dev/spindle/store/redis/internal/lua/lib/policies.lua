-- ---------------------------------------------------------------- policies
local function policy(id)
  local p = C.policies[id]
  if not p then
    local text = redis.call('HGET', P .. 'pol', id)
    if not text then error('spindle: job policy ' .. id .. ' is missing from ' .. P .. 'pol') end
    local mwl, rt, ft = string.match(text, '^[^|]*|(%d+)|([^|]+)|([^|]+)|')
    p = {mwl = tonumber(mwl), rt = rt, ft = ft, exp = {}}
    C.policies[id] = p
  end
  return p
end
-- The expiry of a job of policy 'po' reaching terminal 'state' at 'now', and its score (cached:
-- 'now' is the same for every job of a script call).
local function expiry(po, state, now)
  local pol = policy(po)
  local bad = RULES.KEPT[state] ~= RULES.KEPT[1]
  local k = bad and 'f' or 'r'
  local e = pol.exp[k]
  if not e or e[3] ~= now then
    local t = tadd(now, bad and pol.ft or pol.rt)
    e = {t, ids(ceilus(t)), now}
    pol.exp[k] = e
  end
  return e[1], e[2]
end
