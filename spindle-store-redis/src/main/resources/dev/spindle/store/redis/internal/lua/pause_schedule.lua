-- pause_schedule(name, on): '1' pauses the schedule (schedules() in due mode leaves it out), '0'
-- resumes it. Returns 0 if there is no such schedule.
if redis.call('EXISTS', P .. 'sch:' .. ARGV[1]) == 0 then return 0 end
if ARGV[2] == '1' then
  redis.call('SADD', P .. 'spaused', ARGV[1])
else
  redis.call('SREM', P .. 'spaused', ARGV[1])
end
C.changed = true
notify()
return 1
