-- duplicates(): per task, how many jobs may have run twice at once: those of P..'dup' (a refused
-- write) and those of P..'lst' whose lost attempt another attempt followed. Returns {task, count,
-- task, count, ...}. Read-only.
local counts = {}
local function add(id)
  local t = header(id).t
  if t then counts[t] = (counts[t] or 0) + 1 end
end
local dup = {}
for _, id in ipairs(redis.call('SMEMBERS', P .. 'dup')) do
  dup[id] = true
  add(id)
end
for _, id in ipairs(redis.call('SMEMBERS', P .. 'lst')) do
  local j = not dup[id] and load(id)
  if j and j.fe then
    for _, e in ipairs(redis.call('LRANGE', LEDGER.akey(id), 0, -1)) do
      local fe, oc = LEDGER.fields(e)
      if oc == 'LOST' and tonumber(fe) < tonumber(j.fe) then
        add(id)
        break
      end
    end
  end
end
local out = {}
for t, n in pairs(counts) do
  out[#out + 1] = t
  out[#out + 1] = n
end
return out
