-- set_limit(queue, limit): 0 removes the limit.
if ARGV[2] == '0' then
  redis.call('HDEL', P .. 'limits', ARGV[1])
else
  redis.call('HSET', P .. 'limits', ARGV[1], ARGV[2])
end
C.changed = true
notify()
return 1
