-- progress_write(max lines, then per update: id, fence, worker, fraction ('' for none), message,
--                reported at, line count, then that many lines "at|LEVEL|message"): applies each
-- update whose job the worker holds RUNNING under fence (see durable.lua's pg/pl keys): replaces
-- the progress if it carries one, appends the lines numbered after the job's last, then keeps the
-- last 'max lines'. Returns one 1/0 per update (0: fenced off, nothing written).
local max = tonumber(ARGV[1])
local out = {}
local i = 2
while i <= #ARGV do
  local id, fence, w, fraction = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local message, at, count = ARGV[i + 4], ARGV[i + 5], tonumber(ARGV[i + 6])
  local first = i + 7
  i = first + count
  if heldjob(id, fence, w) then
    local pk = pgkey(id)
    local total = num(redis.call('HGET', pk, 'n'))
    if fraction ~= '' then
      redis.call('HSET', pk, 'f', fraction, 'm', message, 'u', at, 'n', total + count)
    else
      redis.call('HSET', pk, 'n', total + count)
    end
    if count > 0 then
      local lk = plkey(id)
      local lines = {}
      for k = 0, count - 1 do
        lines[#lines + 1] = (total + k + 1) .. '|' .. ARGV[first + k]
        if #lines >= 1000 then
          redis.call('RPUSH', lk, unpack(lines))
          lines = {}
        end
      end
      if #lines > 0 then redis.call('RPUSH', lk, unpack(lines)) end
      redis.call('LTRIM', lk, -max, -1)
    end
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out
