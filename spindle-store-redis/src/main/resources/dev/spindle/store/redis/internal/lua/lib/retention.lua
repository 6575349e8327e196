-- ---------------------------------------------------------------- retention
-- Deletes a finished job, its index entries, its durable records and its progress reports.
local function deletejob(id)
  local j = load(id)
  local m = mem(id)
  if not j then
    for _, k in ipairs({'ok', 'bad'}) do push(C.zrems, P .. k, m) end
    dropexisting(id, m)
    return false
  end
  local u = header(id).u
  unindex(j)
  dropexisting(id, m)
  C.dels[#C.dels + 1] = hkey(id)
  C.dels[#C.dels + 1] = skey(id)
  C.dels[#C.dels + 1] = errkey(id)
  C.dels[#C.dels + 1] = dskey(id)
  C.dels[#C.dels + 1] = dgkey(id)
  C.dels[#C.dels + 1] = LEDGER.akey(id)
  C.dels[#C.dels + 1] = LEDGER.arkey(id)
  redis.call('SREM', P .. 'dup', id)
  redis.call('SREM', P .. 'lst', id)
  C.dels[#C.dels + 1] = pgkey(id)
  C.dels[#C.dels + 1] = plkey(id)
  if u and redis.call('HGET', P .. 'uniq', u) == id then redis.call('HDEL', P .. 'uniq', u) end
  if flowkey(j) then redis.call('HDEL', P .. 'fk', id) end
  deletedeps(id)
  return true
end
