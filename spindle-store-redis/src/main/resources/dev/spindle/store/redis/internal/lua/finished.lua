-- finished(cursor, limit): rows of terminal jobs with a finish sequence number above cursor, oldest
-- first (merged from the SUCCEEDED/CANCELLED and FAILED/DEAD sets). Read-only.
return read_finished(ARGV[1], tonumber(ARGV[2]))
