-- progress_view(id): what the job reported, for readers: {found 1/0, fraction or false, message,
-- reported at or false, lines in all, line, line, ...} (lines "seq|at|LEVEL|message", oldest
-- first). {0} if there is no such job. Read-only.
local id = ARGV[1]
if redis.call('EXISTS', hkey(id)) == 0 then return {0} end
local p = redis.call('HMGET', pgkey(id), 'f', 'm', 'u', 'n')
local out = {1, p[1] or false, p[2] or '', p[3] or false, p[4] or '0'}
for _, l in ipairs(redis.call('LRANGE', plkey(id), 0, -1)) do out[#out + 1] = l end
return out
