package dev.spindle.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * End-to-end benchmarks of the Redis broker: a real {@code redis-server} on this machine (started
 * here with AOF, {@code appendfsync everysec}, unless {@code SPINDLE_REDIS_URL} names one) and
 * worker processes in separate JVMs ({@link RedisBenchWorker}). Each mode prints what it measured
 * and the settings used.
 *
 * <pre>
 * java -cp ... dev.spindle.bench.RedisBench MODE [--jobs N] [--workers 2] [--concurrency 64] [--prefetch 0] [--rounds 3]
 *
 * MODE  store      the store alone (no task execution): batch enqueue, and claim+complete exchanges
 *       enqueue    JobQueue.enqueueAll in batches, and single enqueues, jobs/s
 *       costs      Redis CPU of the calls a capacity plan needs (docs/REDIS-SCALE.md): a heartbeat, an empty
 *                  claim, a claim+complete of a batch, a PUBLISH to 0, 100 and 1,000 subscribers
 *       single     single enqueues from 1 and --threads 16 threads, then 16 enqueueAsync loops in one
 *                  thread, Redis CPU per job; --bullmq yes: BullMQ's
 *                  queue.add() measured the same way after each round (node, npm ci on first use);
 *                  each round first prints the round-trip floor of one thread (Lettuce PING and SET;
 *                  then redis-benchmark's, one connection)
 *       drain      idle worker processes drain a backlog of no-op jobs, jobs/s; --bullmq yes: then
 *                  BullMQ's workers drain the same backlog the same way (--bullmq-concurrency 50)
 *       scaling    drain with 1, 2 and 4 worker processes, as a table
 *       latency    enqueue-to-start latency on idle workers, p50/p90/p99/max
 *       fault      N jobs while worker processes are killed with kill -9 every --kill-every-ms for --kill-for-ms
 *       dag-fault  QueueBench's dag-fault on Redis: a workflow of --layers chords of --width jobs (10,000
 *                  jobs), each callback starting the next layer, while a worker process is killed with
 *                  kill -9 every --kill-every-ms until it finished
 *       restart    jobs flow while redis-server is killed with kill -9 and restarted (AOF everysec)
 *       all        enqueue, drain, latency, scaling
 *
 * --scripting eval|function|both   store: run the store's scripts with EVALSHA, FCALL or each in turn
 * --aof no     start redis-server without persistence (default: AOF, appendfsync everysec)
 * --keep 1     drain/scaling: keep each round's finished jobs (default: verify them, then purge them
 *              untimed, as result retention would, so that every round drains the same backlog into
 *              the same store)
 * --model VIRTUAL --concurrency 256   the worker processes' execution model and slots
 * </pre>
 *
 * <p>The modes live in {@link RedisBenchStoreModes} (store, costs), {@link RedisBenchEnqueueModes}
 * (enqueue, single), {@link RedisBenchDrainModes} (drain, scaling, latency) and {@link
 * RedisBenchFaultModes} (fault, dag-fault, restart); the server, options, worker processes and
 * Redis CPU readers they share in {@link RedisBenchFixture}.
 */
public final class RedisBench {
  private RedisBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: RedisBench store|enqueue|single|costs|memory|drain|scaling|latency|fault|restart|all [--option value ...]");
      System.exit(2);
    }
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    RedisBenchFixture b = new RedisBenchFixture(o);
    Runtime.getRuntime().addShutdownHook(new Thread(b::shutdown));
    System.out.printf(Locale.ROOT, "machine: %d cores, JVM %s; redis %s (%s)%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"), b.redisVersion(),
        b.server() == null ? "from SPINDLE_REDIS_URL" : b.aofOff()
            ? "started here: no persistence (--aof no)" : "started here: appendonly yes, appendfsync everysec");
    RedisBenchStoreModes store = new RedisBenchStoreModes(b);
    RedisBenchEnqueueModes enqueue = new RedisBenchEnqueueModes(b);
    RedisBenchDrainModes drain = new RedisBenchDrainModes(b);
    RedisBenchFaultModes fault = new RedisBenchFaultModes(b);
    switch (args[0]) {
      case "store" -> store.storeOnly();
      case "enqueue" -> enqueue.enqueue();
      case "single" -> enqueue.single();
      case "costs" -> store.costs();
      case "memory" -> store.memory();
      case "drain" -> drain.drainBesideBullmq(b.intOpt("workers", 2));
      case "scaling" -> drain.scaling();
      case "latency" -> drain.latency();
      case "fault" -> fault.fault();
      case "dag-fault" -> fault.dagFault();
      case "restart" -> fault.restart();
      case "all" -> {
        enqueue.enqueue();
        drain.drain(b.intOpt("workers", 2), true);
        drain.latency();
        drain.scaling();
      }
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
    b.shutdown();
    System.exit(0);
  }
}
