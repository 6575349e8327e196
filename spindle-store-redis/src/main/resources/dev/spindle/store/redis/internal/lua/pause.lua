-- pause(queue, on): '1' pauses the queue (no claim takes its jobs), '0' resumes it.
if ARGV[2] == '1' then
  redis.call('SADD', P .. 'paused', ARGV[1])
else
  redis.call('SREM', P .. 'paused', ARGV[1])
end
C.changed = true
notify()
return 1
