-- workers(): {worker id, record JSON, jobs it holds RUNNING now, store clock minus worker clock or
-- false, task names or false, ...} for every registered worker. Read-only.
return read_workers()
