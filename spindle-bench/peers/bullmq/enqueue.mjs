// BullMQ's queue.add() measured as RedisBench measures Spindle's JobQueue.enqueue: N no-op jobs,
// one add at a time from one async loop ("1 thread"), then from C concurrent loops sharing one
// Queue (one connection, as Spindle's threads share one), and Redis CPU per job from INFO cpu.
// usage: node enqueue.mjs <redis url> <jobs> <concurrency>
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { redisCpu } from './redis-cpu.mjs';

const [url, jobsArg, concArg] = process.argv.slice(2);
const jobs = Number(jobsArg ?? 10000);
const conc = Number(concArg ?? 16);
const connection = new IORedis(url, { maxRetriesPerRequest: null });
const admin = new IORedis(url);
const queue = new Queue('bench-' + Date.now(), { connection });

async function run(loops) {
  const per = Math.floor(jobs / loops);
  const c0 = await redisCpu(admin);
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: loops }, async (_, l) => {
    for (let i = 0; i < per; i++) await queue.add('noop', { i: l * per + i });
  }));
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const c1 = await redisCpu(admin);
  const n = per * loops;
  return { jobs: n, s, rate: n / s, cpu: (c1.all - c0.all) * 1e6 / n, sys: (c1.sys - c0.sys) * 1e6 / n,
    reads: (c1.reads - c0.reads) / n };
}

for (let i = 0; i < 3000; i++) await queue.add('noop', { i }); // warm-up
for (const loops of [1, conc]) {
  const r = await run(loops);
  console.log(`bullmq single add ${r.jobs} jobs, ${loops} concurrent: ${r.s.toFixed(2)} s = ${Math.round(r.rate)} jobs/s, `
    + `redis cpu ${r.cpu.toFixed(1)} us/job (system ${r.sys.toFixed(1)} us, ${r.reads.toFixed(2)} reads per job)`);
}
await queue.obliterate({ force: true });
await queue.close();
await connection.quit();
await admin.quit();
