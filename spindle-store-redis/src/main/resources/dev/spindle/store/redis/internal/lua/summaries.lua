-- summaries(): {{queue, {state, count, ...}}, ...}, {queue, limit, ...}}. Read-only.
return read_summaries()
