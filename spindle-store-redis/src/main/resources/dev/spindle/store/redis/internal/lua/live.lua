-- live(feed after or '-1', feed limit, stats from, stats to (epoch seconds of whole minutes), counts
-- '1'/'0'): what a dashboard shows at each tick, in one round trip. Returns {workers (as
-- workers()), paused queues, finished rows (as finished()), finish cursor, stats rows (as stats()),
-- summaries (as summaries()) or false, oldest waiting run-at or false}. Read-only.
local counts = ARGV[5] == '1'
return {read_workers(), redis.call('SMEMBERS', P .. 'paused'),
  ARGV[1] ~= '-1' and read_finished(ARGV[1], tonumber(ARGV[2])) or {},
  redis.call('GET', P .. 'fseq') or '0', read_stats(tonumber(ARGV[3]), tonumber(ARGV[4])),
  counts and read_summaries() or false, counts and read_oldest() or false}
