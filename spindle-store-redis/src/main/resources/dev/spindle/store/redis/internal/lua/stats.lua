-- stats(from, to): the per-minute statistics of the minutes starting at epoch seconds from, from +
-- 60, ... below to: {minute, {counter, n, ...}} for each minute with any. Read-only.
return read_stats(tonumber(ARGV[1]), tonumber(ARGV[2]))
