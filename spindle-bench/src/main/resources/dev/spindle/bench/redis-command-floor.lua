-- The commands that Spindle's Redis layout issues for a batch of no-op jobs, and nothing else: no
-- checks, no fencing, no statistics, no kept exchange replies. RedisBench costs runs it beside the
-- store's own scripts, so that their cost per job can be read against what the layout alone costs.
-- KEYS[1] is a key prefix of its own. ARGV[1] is the step:
--   enqueue n header rid        adds n jobs (a header string that ends with the first status, a
--                               ready-set entry and an existence bit each), with an enqueue's reads
--                               and its kept reply
--   exchange n id...            completes the ids, then claims up to n jobs: {id, header, ...}
--   clean first last            deletes jobs first..last and the indexes
local P = KEYS[1]
local NOW = '1764400000.000000000'

local function skey(id) return P .. 's:' .. id end
local function hkey(id) return P .. 'h:' .. id end
local function mem(id) return string.format('%016d', id) end

local function count(state, d) redis.call('HINCRBY', P .. 'q:default:n', state, d) end

local function enqueue(n, header, rid)
  redis.call('MGET', P .. 'req:' .. rid, P .. 'epoch', P .. 'wait', P .. 'jbt')
  redis.call('TIME')
  local first = redis.call('INCRBY', P .. 'id', n) - n
  local strings, ready, bits = {}, {}, {}
  for id = first + 1, first + n do
    strings[#strings + 1], strings[#strings + 2] = hkey(id), header .. '\0QUEUED|0||||0|0||' .. NOW .. '|||||0|default|p|'
    ready[#ready + 1], ready[#ready + 2] = 0, mem(id)
    bits[#bits + 1], bits[#bits + 2], bits[#bits + 3], bits[#bits + 4] = 'SET', 'u1', id % 4096, 1
  end
  redis.call('MSET', unpack(strings))
  redis.call('ZADD', P .. 'q:default:r', unpack(ready))
  redis.call('BITFIELD', P .. 'jb:' .. math.floor(first / 4096), unpack(bits))
  count('QUEUED', n)
  redis.call('SET', P .. 'req:' .. rid, '["ids","' .. (first + 1) .. '"]', 'PX', 60000)
  return n
end

local function complete(ids)
  if #ids == 0 then return end
  local keys = {}
  for i, id in ipairs(ids) do keys[i] = skey(id) end
  redis.call('MGET', unpack(keys))
  local seq = redis.call('INCRBY', P .. 'fseq', #ids) - #ids
  local strings, done = {}, {}
  for i, id in ipairs(ids) do
    strings[#strings + 1], strings[#strings + 2] = keys[i], 'SUCCEEDED|1|1|' .. NOW .. '|w|0|0||' .. NOW .. '|'
      .. NOW .. '|' .. NOW .. '|' .. (seq + i) .. '|1|0|default|p||null'
    done[#done + 1], done[#done + 2] = seq + i, mem(id)
  end
  redis.call('MSET', unpack(strings))
  redis.call('SREM', P .. 'w:w', unpack(ids))
  redis.call('ZADD', P .. 'ok', unpack(done))
  count('RUNNING', -#ids)
  count('SUCCEEDED', #ids)
end

local function claim(n)
  local popped = redis.call('ZPOPMIN', P .. 'q:default:r', n)
  if #popped == 0 then return {} end
  local ids, skeys, hkeys, strings = {}, {}, {}, {}
  for i = 1, #popped, 2 do
    local id = tonumber(popped[i])
    ids[#ids + 1], skeys[#skeys + 1], hkeys[#hkeys + 1] = id, skey(id), hkey(id)
  end
  redis.call('MGET', unpack(skeys)) -- none: the first statuses are in the headers
  local headers = redis.call('MGET', unpack(hkeys))
  for i in ipairs(ids) do
    strings[#strings + 1], strings[#strings + 2] = skeys[i],
      'RUNNING|1|1|' .. NOW .. '|w|0|0||' .. NOW .. '|||||0|default|p|'
  end
  redis.call('MSET', unpack(strings))
  redis.call('SADD', P .. 'w:w', unpack(ids))
  count('QUEUED', -#ids)
  count('RUNNING', #ids)
  local out = {}
  for i, id in ipairs(ids) do out[#out + 1], out[#out + 2] = tostring(id), headers[i] end
  return out
end

local function clean(first, last)
  for from = first, last, 500 do
    local keys = {}
    for id = from, math.min(from + 499, last) do keys[#keys + 1], keys[#keys + 2] = hkey(id), skey(id) end
    redis.call('DEL', unpack(keys))
  end
  redis.call('DEL', P .. 'q:default:r', P .. 'q:default:n', P .. 'w:w', P .. 'ok', P .. 'id', P .. 'fseq')
  for b = math.floor(first / 4096), math.floor(last / 4096) do redis.call('DEL', P .. 'jb:' .. b) end
  return last - first + 1
end

local step = ARGV[1]
if step == 'enqueue' then return enqueue(tonumber(ARGV[2]), ARGV[3], ARGV[4]) end
if step == 'clean' then return clean(tonumber(ARGV[2]), tonumber(ARGV[3])) end
local ids = {}
for i = 3, #ARGV do ids[#ids + 1] = tonumber(ARGV[i]) end
complete(ids)
return claim(tonumber(ARGV[2]))
