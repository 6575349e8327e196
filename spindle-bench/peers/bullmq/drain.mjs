// BullMQ's drain measured as RedisBench drain measures Spindle's: W worker processes of concurrency C
// wait, idle, while N no-op jobs are added in bulk (addBulk, 10,000 a call) to a paused queue; the
// queue is resumed and the time until every job completed is the drain. A warm-up round of up to
// 100,000 jobs, then R measured rounds; completed jobs are kept, as BullMQ keeps them by default,
// and removed between rounds (untimed). Prints the rate and Redis CPU per job.
// usage: node drain.mjs <redis url> <jobs> <workers> <concurrency> <rounds>
import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { fork } from 'node:child_process';
import { redisCpu } from './redis-cpu.mjs';

if (process.argv[2] === '--work') {
  const [, , , url, name, conc] = process.argv;
  const connection = new IORedis(url, { maxRetriesPerRequest: null });
  const worker = new Worker(name, async (job) => job.data, { connection, concurrency: Number(conc) });
  await worker.waitUntilReady();
  process.on('message', async () => {
    await worker.close();
    await connection.quit();
    process.exit(0);
  });
  process.send('ready');
} else {
  await main(...process.argv.slice(2));
}

async function main(url, jobsArg, workersArg, concArg, roundsArg) {
  const jobs = Number(jobsArg ?? 300000);
  const workers = Number(workersArg ?? 2);
  const conc = Number(concArg ?? 50);
  const rounds = Number(roundsArg ?? 3);
  const name = 'drain-' + Date.now();
  const connection = new IORedis(url, { maxRetriesPerRequest: null });
  const admin = new IORedis(url);
  const queue = new Queue(name, { connection });
  await queue.pause();
  const children = await Promise.all(Array.from({ length: workers }, () => new Promise((ready, failed) => {
    const child = fork(new URL(import.meta.url).pathname, ['--work', url, name, String(conc)]);
    child.once('message', () => ready(child));
    child.once('error', failed);
    child.once('exit', (code) => failed(new Error(`a worker process exited (${code}) before it was ready`)));
  })));
  for (let round = 0; round <= rounds; round++) {
    const count = round === 0 ? Math.min(jobs, 100000) : jobs;
    const c0 = (await redisCpu(admin)).all;
    const t0 = process.hrtime.bigint();
    for (let done = 0; done < count; done += 10000) {
      const n = Math.min(10000, count - done);
      await queue.addBulk(Array.from({ length: n }, (_, i) => ({ name: 'noop', data: { i: done + i } })));
    }
    const added = process.hrtime.bigint();
    const c1 = (await redisCpu(admin)).all;
    await queue.resume();
    while ((await queue.getCompletedCount()) < count) await new Promise((r) => setTimeout(r, 2));
    const s = Number(process.hrtime.bigint() - added) / 1e9;
    const c2 = (await redisCpu(admin)).all;
    const failed = await queue.getFailedCount();
    if (failed > 0) throw new Error(`round ${round}: ${failed} jobs failed`);
    console.log(`bullmq ${round === 0 ? 'warm-up' : 'drain  '} ${count} no-op jobs, ${workers} worker processes x ${conc}: `
      + `added in ${(Number(added - t0) / 1e9).toFixed(2)} s with the queue paused, then drained in ${s.toFixed(2)} s = `
      + `${Math.round(count / s)} jobs/s; redis cpu ${((c1 - c0) * 1e6 / count).toFixed(1)} us/job to add, `
      + `${((c2 - c1) * 1e6 / count).toFixed(1)} us/job to drain`);
    await queue.pause();
    while ((await queue.clean(0, 10000, 'completed')).length > 0) { /* next chunk */ }
  }
  for (const child of children) child.send('stop');
  await Promise.all(children.map((child) => new Promise((r) => child.once('exit', r))));
  await queue.obliterate({ force: true });
  await queue.close();
  await connection.quit();
  await admin.quit();
}
