-- find(id): the job's row, or nil. Read-only.
local j = load(ARGV[1])
if not j then return false end
return row(j)
