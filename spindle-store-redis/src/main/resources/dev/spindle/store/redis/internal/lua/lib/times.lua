local MAX_SECOND = 253402300799 -- 9999-12-31T23:59:59Z: expiry times are capped there

-- ---------------------------------------------------------------- times
local function tparts(t)
  local s, n = string.match(t, '^(-?%d+)%.(%d+)$')
  return tonumber(s), tonumber(n)
end
local function tadd(t, d)
  local s1, n1 = tparts(t)
  local s2, n2 = tparts(d)
  local s, n = s1 + s2, n1 + n2
  if n >= 1000000000 then s = s + 1; n = n - 1000000000 end
  if s > MAX_SECOND then s = MAX_SECOND; n = 0 end
  return string.format('%d.%09d', s, n)
end
local function floorus(t) local s, n = tparts(t); return s * 1000000 + math.floor(n / 1000) end
local function ceilus(t) local s, n = tparts(t); return s * 1000000 + math.ceil(n / 1000) end
local function tless(a, b)
  local s1, n1 = tparts(a)
  local s2, n2 = tparts(b)
  return s1 < s2 or (s1 == s2 and n1 < n2)
end
-- a - b, as a duration that may be negative ("-2.500000000" is -1.5 s: the nanos are never negative)
local function tsub(a, b)
  local s1, n1 = tparts(a)
  local s2, n2 = tparts(b)
  local s, n = s1 - s2, n1 - n2
  if n < 0 then s = s - 1; n = n + 1000000000 end
  return string.format('%d.%09d', s, n)
end

-- The store's clock: Redis TIME, read inside the script, is what leases, due times, reclaim and
-- expiry are decided on, never a client's clock. 'arg' is the caller's now; its instants (run
-- times, lease ends) are moved onto the store's clock by the returned offset (store - caller), so
-- they keep their meaning as durations from the caller's now. A test clock is passed as
-- '=' .. instant: that instant is then the store's now (offset 0).
local function storenow(arg)
  if string.sub(arg, 1, 1) == '=' then return string.sub(arg, 2) end
  local tm = redis.call('TIME')
  return tm[1] .. '.' .. string.format('%06d000', tonumber(tm[2]))
end
local function storeclock(arg)
  local now = storenow(arg)
  if string.sub(arg, 1, 1) == '=' then return now, '0.000000000' end
  return now, tsub(now, arg)
end
