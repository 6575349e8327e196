package dev.spindle.store.redis;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.spi.HeartbeatResult;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.spi.JsonCodec;
import dev.spindle.store.redis.internal.NamespaceEpoch;
import dev.spindle.store.redis.internal.RedisLink;
import dev.spindle.store.redis.internal.Rows;
import dev.spindle.store.redis.internal.Script;
import dev.spindle.store.redis.internal.ServerHealth;
import dev.spindle.store.redis.internal.Times;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workers' side of {@link RedisJobStore}: heartbeats (which renew a worker's lease, report the
 * jobs it holds and those asked to cancel, and now and then check the namespace epoch and the
 * server's eviction policy), deregistration, and the reclaim of jobs whose worker's lease ended.
 * Thread-safe.
 */
final class RedisWorkers {
  private static final Logger LOG = LoggerFactory.getLogger(RedisJobStore.class);

  private final RedisJobStore store;
  private final RedisLink link;
  private final NamespaceEpoch epoch;
  private final RedisExchange exchange;
  private final JsonCodec json;
  /** When a heartbeat last re-read the eviction policy ({@link System#nanoTime()}), 0 for never. */
  private volatile long policyCheckedNanos;

  /**
   * @param store gives request ids, the callers' times as scripts read them, and job policies
   * @param exchange forgets a deregistered worker's unanswered exchanges
   * @param json writes the worker records
   */
  RedisWorkers(RedisJobStore store, RedisLink link, NamespaceEpoch epoch, RedisExchange exchange, JsonCodec json) {
    this.store = store;
    this.link = link;
    this.epoch = epoch;
    this.exchange = exchange;
    this.json = json;
  }

  /** {@link JobStore#heartbeat}. */
  HeartbeatResult heartbeat(WorkerRecord worker) {
    // the task names go to their own field, and only when sent: the record is written on every beat
    String record = json.toJson(worker.withTasks(null), "worker record");
    Set<String> tasks = worker.tasks();
    String[] args = tasks == null
        ? new String[] {worker.id(), record, store.nowArg(worker.heartbeatAt()), Times.encode(worker.leaseUntil())}
        : new String[] {worker.id(), record, store.nowArg(worker.heartbeatAt()), Times.encode(worker.leaseUntil()),
            String.join(",", new java.util.TreeSet<>(tasks))};
    List<?> r = link.script(Script.HEARTBEAT, true, args);
    try {
      epoch.check("a heartbeat of worker " + worker.id());
    } catch (RuntimeException e) {
      LOG.debug("checking the namespace epoch of {}", store.describe(), e);
    }
    long now = System.nanoTime();
    long last = policyCheckedNanos;
    if (last == 0 || now - last > TimeUnit.SECONDS.toNanos(ServerHealth.RECHECK_SECONDS)) {
      policyCheckedNanos = now;
      ServerHealth.recheck(link);
    }
    return new HeartbeatResult(strings(r.get(0)), strings(r.get(1)), Times.instantOrNull((String) r.get(2)));
  }

  private static Set<String> strings(Object list) {
    Set<String> out = new HashSet<>();
    for (Object o : (List<?>) list) {
      out.add((String) o);
    }
    return out;
  }

  /** {@link JobStore#deregisterWorker}. */
  void deregisterWorker(String workerId, Instant now) {
    link.script(Script.DEREGISTER, true, workerId, store.nowArg(now));
    exchange.forget(workerId);
  }

  /** {@link JobStore#reclaimExpired}. */
  List<JobInfo> reclaimExpired(Instant now, int limit) {
    if (limit < 1) {
      return List.of();
    }
    List<?> r = link.script(Script.RECLAIM, true, store.rid(), store.nowArg(now), "",
        Integer.toString(limit));
    return Rows.jobs(r, store::policy);
  }
}
