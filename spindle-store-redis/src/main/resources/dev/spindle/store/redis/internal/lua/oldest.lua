-- oldest(): the run-at time of the QUEUED job with the lowest id, or false if none waits. Read-only.
return read_oldest()
