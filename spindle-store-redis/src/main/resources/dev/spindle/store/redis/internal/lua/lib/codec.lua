
local STATUS = '^(%u+)|(%d*)|(%d*)|([^|]*)|([^|]*)|(%d*)|(%d*)|(%d*)|([^|]*)|([^|]*)|([^|]*)|(%d*)|(%d*)|'
  .. '(-?%d+)|([^|]+)|([^|]*)|([^|]*)|(.*)$'
-- ---------------------------------------------------------------- jobs
local function nz(v) if v == '' then return nil end return v end
local ESC = {['%'] = '%25', ['|'] = '%7C', ['\n'] = '%0A'}
local function esc(v)
  if string.find(v, '[%%|\n]') then return (string.gsub(v, '[%%|\n]', ESC)) end
  return v
end
local function unesc(v)
  if string.find(v, '%', 1, true) then
    return (string.gsub(v, '%%(%x%x)', function(h) return string.char(tonumber(h, 16)) end))
  end
  return v
end

-- A job table from its status text.
local function parse(id, text)
  local s, n, fe, st, w, f, l, c, ra, fi, ex, fs, df, p, q, po, d, r = string.match(text, STATUS)
  if not s then error('spindle: job ' .. id .. ' has a malformed status: ' .. text) end
  return {id = id, s = s, n = num(n), fe = nz(fe), st = nz(st), w = w ~= '' and unesc(w) or nil, f = num(f),
    l = num(l), c = nz(c), ra = nz(ra), fi = nz(fi), ex = nz(ex), fs = nz(fs), df = nz(df), p = tonumber(p), q = q,
    po = po, d = d ~= '' and unesc(d) or nil, r = nz(r)}
end
local function status(j)
  return j.s .. '|' .. j.n .. '|' .. (j.fe or '') .. '|' .. (j.st or '') .. '|' .. (j.w and esc(j.w) or '') .. '|'
    .. j.f .. '|' .. j.l .. '|' .. (j.c or '') .. '|' .. (j.ra or '') .. '|' .. (j.fi or '') .. '|' .. (j.ex or '')
    .. '|' .. (j.fs or '') .. '|' .. (j.df or '') .. '|' .. j.p .. '|' .. j.q .. '|' .. j.po .. '|'
    .. (j.d and esc(j.d) or '') .. '|' .. (j.r or '')
end
-- The first five fields of a status.
local HEAD = '^(%u+)|(%d*)|(%d*)|([^|]*)|([^|]*)|'
-- A RUNNING job's status, for completing it: n, fe, st, w, f, l, c, ra, p, q, po, d (fi, ex, fs, df
-- and r are empty while it runs).
local RUNNING_SUCCESS = '^RUNNING|(%d*)|(%d*)|([^|]*)|([^|]*)|(%d*)|(%d*)|(%d*)|([^|]*)|[^|]*|[^|]*|%d*|%d*|'
  .. '(-?%d+)|([^|]+)|([^|]*)|([^|]*)|'
-- Claims a QUEUED job whose status is 'text': a new status with the claim's fields, without
-- parsing the rest. Returns the new status, its fence and the job's run-at time (ra), or nil if the
-- job is not QUEUED.
local CLAIMABLE = '^QUEUED|(%d*)|(%d*)|[^|]*|[^|]*|([^|]*|[^|]*|[^|]*|([^|]*)|.*)$'
local function claimstatus(text, wesc, now)
  local n, fe, rest, ra = string.match(text, CLAIMABLE)
  if not n then return nil end
  local fence = ids(num(fe) + 1)
  return 'RUNNING|' .. (num(n) + 1) .. '|' .. fence .. '|' .. now .. '|' .. wesc .. '|' .. rest, fence, ra
end
-- A job enqueued by enqueue_plain has no status key until its first transition: its first status
-- is the header's tail, after a NUL that ends the arguments (JSON holds no raw NUL). Once the status
-- key exists it is the status, and the tail is stale until a claim drops it (withtexts).
-- Where the tail of header h starts (its NUL), or nil if it has none.
local function tailat(h)
  local nl = string.find(h, '\n', 1, true)
  return nl and string.find(h, '\0', nl + 1, true)
end
-- The status in header h's tail, or nil (h may be false: no header).
local function tailstatus(h)
  local z = h and tailat(h)
  if z then return string.sub(h, z + 1) end
  return nil
end
-- Header h without its tail, or nil if it has none.
local function withouttail(h)
  local z = tailat(h)
  if z then return string.sub(h, 1, z - 1) end
  return nil
end
-- The job's status text, or nil if it does not exist.
local function statustext(id)
  return redis.call('GET', skey(id)) or tailstatus(redis.call('GET', hkey(id)))
end
-- The status texts of the jobs 'list' (ids), by position (false for a missing job): one MGET per
-- 1000 status keys, and one of headers for the jobs still in their first status. Also returns the
-- headers it read, by position (nil where it read none).
local function statustexts(list)
  local out, heads = {}, {}
  for i = 1, #list, 1000 do
    local last = math.min(i + 999, #list)
    local keys = {}
    for x = i, last do keys[#keys + 1] = skey(list[x]) end
    local v = redis.call('MGET', unpack(keys))
    local hk, at = {}, {}
    for x = i, last do
      out[x] = v[x - i + 1]
      if not out[x] then hk[#hk + 1], at[#at + 1] = hkey(list[x]), x end
    end
    if #hk > 0 then
      local hs = redis.call('MGET', unpack(hk))
      for k = 1, #hk do
        out[at[k]] = tailstatus(hs[k]) or false
        heads[at[k]] = hs[k] or nil
      end
    end
  end
  return out, heads
end
-- The job, or nil.
local function load(id)
  local v = statustext(id)
  if not v then return nil end
  return parse(id, v)
end
-- The jobs with these ids, by id (missing ones absent).
local function loadall(list)
  local out = {}
  for x, text in ipairs(statustexts(list)) do
    if text then out[list[x]] = parse(list[x], text) end
  end
  return out
end
-- Queues the job's status (and a changed error) for the next flush; returns the status text.
local function save(j)
  local text = status(j)
  mset(skey(j.id), text)
  if j.edirty then
    if j.e then mset(errkey(j.id), j.e) else C.dels[#C.dels + 1] = errkey(j.id) end
    j.edirty = nil
  end
  return text
end
local function setresult(j, v) j.r = v end
local function seterror(j, v) j.e = v; j.edirty = true end
-- A row for the client: {id, header+args, status, error} (a missing error is nil).
local function rowof(id, text)
  local v = redis.call('MGET', hkey(id), errkey(id))
  return {id, v[1], text, v[2]}
end
-- The job's header: {t = task, u = unique key or nil}; see Rows.java for its layout.
local function header(id)
  local h = redis.call('GET', hkey(id))
  if not h then return {} end
  -- the unique key may be followed by '|' and the trace context (escaped keys hold no raw '|')
  local t, u = string.match(h, '^([^|]*)|[^|]*|[^|]*|[^|]*|[^|]*|([^|\n]*)')
  return {t = t, u = u ~= '' and unesc(u) or nil}
end
