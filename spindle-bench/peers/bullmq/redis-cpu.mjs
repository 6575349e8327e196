// What Redis has spent so far, from INFO: CPU seconds (user + system, and system alone) and reads
// of client data. Shared by the peer's scripts so that they measure Redis as RedisBench does.
export async function redisCpu(admin) {
  const info = await admin.info('cpu') + await admin.info('stats');
  const f = (k) => Number(info.match(new RegExp(k + ':([0-9.]+)'))[1]);
  return { all: f('used_cpu_user') + f('used_cpu_sys'), sys: f('used_cpu_sys'), reads: f('total_reads_processed') };
}
