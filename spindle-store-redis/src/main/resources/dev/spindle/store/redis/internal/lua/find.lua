-- find(id): the job's row, or nil. Read-only.
local text = statustext(ARGV[1])
if not text then return false end
return rowof(ARGV[1], text)
