-- delete_job(id): deletes one finished job. Returns DELETED, NOT_FOUND or NOT_FINISHED.
local j = load(ARGV[1])
if not j then return 'NOT_FOUND' end
if not (j.s == 'SUCCEEDED' or j.s == 'FAILED' or j.s == 'DEAD' or j.s == 'CANCELLED') then
  return 'NOT_FINISHED'
end
deletejob(ARGV[1])
flush()
return 'DELETED'
