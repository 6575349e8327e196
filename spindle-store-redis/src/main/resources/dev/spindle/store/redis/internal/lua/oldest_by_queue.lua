-- oldest_by_queue(): {queue, run-at time of its QUEUED job with the lowest id, ...} for each queue
-- with a QUEUED job (the metrics' oldest-waiting gauge). Read-only.
return read_oldest_by_queue()
