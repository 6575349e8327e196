package dev.spindle.store.redis;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.AttemptLedger;
import dev.spindle.queue.spi.AuditLog;
import dev.spindle.queue.spi.CancelResult;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.ClaimResult;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.DurableStore;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.Exchange;
import dev.spindle.queue.spi.FinishedBatch;
import dev.spindle.queue.spi.FlowAdmin;
import dev.spindle.queue.spi.FlowControl;
import dev.spindle.queue.spi.HeartbeatResult;
import dev.spindle.queue.spi.IncidentLog;
import dev.spindle.queue.spi.JobInspector;
import dev.spindle.queue.spi.JobStatistics;
import dev.spindle.queue.spi.LiveView;
import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.QueueControl;
import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.queue.spi.ScheduleRecord;
import dev.spindle.queue.spi.StoreBackend;
import dev.spindle.queue.spi.StoreClock;
import dev.spindle.queue.spi.Subscription;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.spi.JsonCodec;
import dev.spindle.store.redis.internal.ChangeFeed;
import dev.spindle.store.redis.internal.NamespaceEpoch;
import dev.spindle.store.redis.internal.Policies;
import dev.spindle.store.redis.internal.RedisLink;
import dev.spindle.store.redis.internal.Rows;
import dev.spindle.store.redis.internal.Script;
import dev.spindle.store.redis.internal.ServerHealth;
import dev.spindle.store.redis.internal.Times;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job store on Redis 6.2+ (Valkey should work but is not tested), standalone or Cluster, through
 * Lettuce: the broker for queues shared by many machines, with the semantics of every other store
 * (it passes the same contract suite, {@code dev.spindle.testkit.store.JobStoreContract}).
 *
 * <pre>{@code
 * try (RedisJobStore store = RedisJobStore.open(RedisStoreConfig.fromEnvironment())) {   // SPINDLE_REDIS_URL
 *   JobQueue queue = JobQueue.builder(store).build();
 *   ...
 * }
 * }</pre>
 *
 * <h2>How it works</h2>
 * <ul>
 *   <li>Every change is one Lua script, so it is atomic (reads of single jobs are plain commands),
 *       except an enqueue batch too large for one bounded script call, which is atomic per chunk
 *       (see {@link #enqueue});
 *       all keys of a store share the hash tag {@code {namespace}}, so each script touches one Redis
 *       Cluster slot. A store therefore lives on one Cluster shard; spread load over shards with
 *       several namespaces. A job is a few strings (see {@code lua/lib/keys.lua}), so a batch of jobs is
 *       read with one MGET and written with one MSET.
 *   <li>Reliable fetch: a claim moves a job from its queue's ready set into the worker's in-flight
 *       set in the same script that gives it a new fencing token; the worker's lease (renewed by
 *       heartbeats) covers everything in that set. When the lease ends, any live worker's
 *       {@link #reclaimExpired} takes the jobs back. A completion applies only with the job's
 *       current fencing token, and applying the same completion twice is harmless.
 *   <li>Calls that lose their connection or time out are retried (within the retry budget) with the
 *       same request id; scripts that change data keep their reply under that id for ten minutes
 *       and return it for a repeat, so nothing is done twice. A claim whose reply never arrived is
 *       handed back by the same worker's next claim, so no job stays held by a worker that does not
 *       know it has it.
 *   <li>Delayed and retrying jobs wait in a sorted set by run time; claims promote due ones first.
 *   <li>Changes are published on a pub/sub channel that wakes idle workers; see {@link #subscribe}.
 *   <li>Opening refuses a server whose {@code maxmemory-policy} may evict jobs (unless
 *       {@code ?eviction=warn}); a namespace whose data Redis lost (a restart without persistence)
 *       is noticed by the instances that lived through it, logged, recorded for {@link #health()},
 *       and its ids never restart under them.
 *   <li>At {@code maxmemory} (policy {@code noeviction}) enqueues fail with
 *       {@link dev.spindle.queue.StoreException.Reason#DISK_FULL} and change nothing, while
 *       claims, completions, heartbeats, reclaims and purges still work, so running jobs finish
 *       and memory can be freed. On a read-only replica every write fails with
 *       {@link dev.spindle.queue.StoreException.Reason#READ_ONLY}.
 * </ul>
 *
 * <p>Thread-safe: one instance per process is enough (it multiplexes one connection).
 * Instants are kept exactly (nanoseconds); due times are compared at microsecond precision and
 * never early. Leases, heartbeats, due times, reclaim and expiry are read on Redis's clock
 * ({@code TIME} inside the scripts), never on a client's: a client's instants travel with its
 * {@code now} and are moved onto Redis's clock by the difference ({@link StoreClock}).
 */
public final class RedisJobStore implements StoreBackend {
  private static final Logger LOG = LoggerFactory.getLogger(RedisJobStore.class);
  /** The most jobs one enqueue script call adds; larger batches are split (see {@link #enqueue}). */
  public static final int MAX_JOBS_PER_SCRIPT = 2000;
  /**
   * The most characters of job text (task, arguments, unique key, plus 96 per job for the rest) one
   * enqueue script call carries; larger batches are split (see {@link #enqueue}).
   */
  public static final long MAX_BYTES_PER_SCRIPT = 4L << 20;
  /** How many jobs one call of {@link #migrateIndex} moves into the existence bitmaps. */
  static final int MIGRATE_PER_CALL = 1000;

  private final RedisStoreConfig config;
  private final RedisLink link;
  private final ChangeFeed feed;
  private final NamespaceEpoch epoch;
  private final String prefix;
  private final String requestPrefix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + ":";
  private final AtomicLong requests = new AtomicLong();
  private final JsonCodec json = JsonCodec.defaults();
  /** Policy id -> policy, as read from Redis (jobs keep only the id). */
  private final ConcurrentHashMap<String, JobPolicy> policies = new ConcurrentHashMap<>();
  private final RedisInspector inspector;
  private final RedisControl control;
  private final RedisIncidents incidentLog;
  private final RedisStatistics statistics;

  /** A test clock that replaces Redis {@code TIME}, or null. */
  private final @Nullable Clock testClock;
  private final RedisFlow flow;
  private final RedisEnqueue enqueuer;
  private final RedisExchange exchanges;
  private final RedisWorkers workers;
  private final RedisSchedules schedules;
  private final RedisDurable durable;
  private final RedisAttempts attempts;
  private final RedisProgress progress;

  private RedisJobStore(RedisStoreConfig config, RedisLink link, @Nullable Clock testClock) {
    this.config = config;
    this.link = link;
    this.testClock = testClock;
    this.prefix = config.keyPrefix();
    this.feed = new ChangeFeed(link);
    this.epoch = new NamespaceEpoch(link);
    this.inspector = new RedisInspector(this, link, prefix, json);
    this.control = new RedisControl(this, inspector, link, prefix);
    this.incidentLog = new RedisIncidents(link, prefix);
    this.statistics = new RedisStatistics(link);
    this.flow = new RedisFlow(this, link);
    this.enqueuer = new RedisEnqueue(this, link, epoch);
    this.exchanges = new RedisExchange(this, link, epoch);
    this.workers = new RedisWorkers(this, link, epoch, exchanges, json);
    this.schedules = new RedisSchedules(this, link);
    this.durable = new RedisDurable(this, link);
    this.attempts = new RedisAttempts(link);
    this.progress = new RedisProgress(link);
  }

  /**
   * Connects to Redis.
   *
   * @throws dev.spindle.queue.StoreException CANNOT_OPEN if the server refuses the credentials or
   *     TLS fails, or if its {@code maxmemory-policy} is not {@code noeviction} (unless the
   *     configuration only warns: {@code ?eviction=warn}); UNAVAILABLE if it cannot be reached
   */
  public static RedisJobStore open(RedisStoreConfig config) {
    return open(config, null);
  }

  /**
   * For tests: {@link #open(RedisStoreConfig)} with {@code clock} as the store's clock in place of
   * Redis {@code TIME} (a manual clock drives leases and due times without waiting), or Redis's
   * own clock if {@code null}.
   */
  public static RedisJobStore open(RedisStoreConfig config, @Nullable Clock clock) {
    Objects.requireNonNull(config, "config");
    RedisJobStore store = new RedisJobStore(config, RedisLink.open(config), clock);
    try {
      store.epoch.establish();
      store.migrateIndex();
    } catch (RuntimeException e) {
      store.link.close();
      throw e;
    }
    LOG.debug("opened job store {}", store.describe());
    return store;
  }

  /**
   * Moves the jobs that a version before the existence bitmaps filed in the sorted set {@code all}
   * into the bitmaps, {@value #MIGRATE_PER_CALL} a call, so that listings read one index (they read
   * both meanwhile, so an interrupted move loses nothing). One script call when there is nothing to
   * move. Skipped on a read-only replica: its primary's next open moves them.
   */
  private void migrateIndex() {
    long moved = 0;
    try {
      while (true) {
        List<?> r = link.script(Script.MIGRATE_INDEX, true, Integer.toString(MIGRATE_PER_CALL));
        moved += (Long) r.get(0);
        if ((Long) r.get(1) == 0) {
          break;
        }
      }
    } catch (StoreException e) {
      if (e.reason() != StoreException.Reason.READ_ONLY) {
        throw e;
      }
      LOG.debug("{} is a read-only replica: the jobs of the earlier index stay where they are", describe());
    }
    if (moved > 0) {
      LOG.info("{}: moved {} jobs from the index of an earlier version (the sorted set 'all') into the existence "
          + "bitmaps", describe(), moved);
    }
  }

  /** {@link #open(RedisStoreConfig)} for a {@code redis://} or {@code rediss://} URL. */
  public static RedisJobStore open(String url) {
    return open(RedisStoreConfig.fromUrl(url));
  }

  /** The configuration. */
  public RedisStoreConfig config() {
    return config;
  }

  /** The policy with this id, read from Redis the first time. */
  JobPolicy policy(String id) {
    JobPolicy p = policies.get(id);
    if (p == null) {
      String text = link.call("reading a job policy", true, c -> c.hget(prefix + "pol", id));
      if (text == null) {
        throw new dev.spindle.queue.StoreException(dev.spindle.queue.StoreException.Reason.CORRUPT,
            "job policy " + id + " is missing from " + describe());
      }
      p = Policies.decode(text);
      policies.put(id, p);
    }
    return p;
  }

  /** The connection (for this package's tests: how scripts run). */
  RedisLink link() {
    return link;
  }

  /** A fresh request id (a repeat of a script call with it returns the first reply). */
  String rid() {
    return requestPrefix + Long.toString(requests.incrementAndGet(), 36);
  }

  // ---------------------------------------------------------------- JobStore

  /**
   * Adds jobs. A batch of at most {@value #MAX_JOBS_PER_SCRIPT} jobs whose stored text is at most
   * {@value #MAX_BYTES_PER_SCRIPT} characters is one script call, so all or none, like every store.
   * A larger batch is split into consecutive chunks within those bounds, one script call each, so
   * that no single call holds Redis (which runs one script at a time) for long; each chunk is
   * atomic, the batch as a whole is not. If a chunk fails, the chunks before it stay enqueued, the
   * rest are not, and the {@link dev.spindle.queue.StoreException} says how many were added and the
   * last id added. Unique keys are honoured across chunks (a later chunk sees the earlier ones).
   *
   * <p>Batches that fit one call and are enqueued by several threads at once share script calls:
   * while a call is on its way, the batches that arrive meanwhile (with those of {@link
   * #enqueueAsync}) go out together in the next, sent by the thread that reads its reply (group
   * commit; each batch still all or none, see {@code EnqueueCombiner}). An interrupt does not end
   * that wait (it is kept for the caller); the command timeout and the retry budget bound it.
   *
   * <p>A batch in which any job has dependencies (a workflow) is never split: it is one script
   * call of any size (the queue bounds a workflow's size: {@code JobQueue.Builder.maxWorkflowSize}),
   * so it is added whole or not at all, and Redis runs nothing else meanwhile (see docs/REDIS.md).
   *
   * @throws IllegalArgumentException if a dependency names a job that does not exist or a job of
   *     the batch that is not earlier (nothing is added)
   */
  @Override
  public List<EnqueueResult> enqueue(List<NewJob> jobs) {
    return enqueuer.enqueue(jobs);
  }

  /**
   * {@link #enqueue} without blocking the caller. A batch that fits one script call is combined
   * with the batches enqueued meanwhile (by any thread) into one script call, one call in flight:
   * the thread that reads a call's reply sends the batches that queued up meanwhile, so nothing
   * waits for a timer and sixteen enqueues in flight share one round trip. Each batch is still all
   * or none. A workflow or a larger batch runs as {@link #enqueue} on a new virtual thread.
   * Failures are retried within the retry budget as for {@link #enqueue}, then complete the future
   * with a {@link dev.spindle.queue.StoreException}.
   *
   * <p>The future usually completes on the Redis client's I/O thread: stages that depend on it run
   * there and must not block. A blocking call to this store from that thread fails with an
   * {@link IllegalStateException} instead of waiting for itself.
   */
  @Override
  public CompletableFuture<List<EnqueueResult>> enqueueAsync(List<NewJob> jobs) {
    return enqueuer.enqueueAsync(jobs);
  }

  /**
   * One script call: the children are added (like {@link #enqueue}, in one script whatever their
   * number) and the parent's waiting dependents given edges from the exits, only while the parent
   * is RUNNING under {@code fence}.
   */
  @Override
  public List<EnqueueResult> addChildren(String parentId, long fence, List<NewJob> jobs, List<Integer> exits) {
    return enqueuer.addChildren(parentId, fence, jobs, exits);
  }

  /**
   * The caller's {@code now} as a script reads it: the script moves the caller's instants onto Redis
   * {@code TIME} by the difference; with a test clock, {@code "="} and the test clock's now, which
   * the script then takes as its now.
   */
  String nowArg(Instant callerNow) {
    Clock c = testClock;
    return c == null ? Times.encode(callerNow) : "=" + Times.encode(c.instant());
  }

  /**
   * The store's now for a script that takes no caller's instant (it reads Redis {@code TIME}, or the
   * test clock's now).
   */
  String storeNowArg() {
    Clock c = testClock;
    return c == null ? Times.encode(Instant.EPOCH) : "=" + Times.encode(c.instant());
  }

  @Override
  public Instant storeTime() {
    Clock c = testClock;
    if (c != null) {
      return c.instant();
    }
    String t = link.script(Script.TIME, true);
    return Objects.requireNonNull(Times.instant(t), "the server's TIME");
  }

  @Override
  public Optional<JobInfo> find(String jobId) {
    String id = canonicalId(jobId);
    if (id == null) {
      return Optional.empty();
    }
    List<?> row = link.script(Script.FIND, true, id);
    return row == null || row.size() < 2 ? Optional.empty() : Optional.of(Rows.job(row, this::policy));
  }

  /** The id in canonical form ("007" is job 7), or null if it cannot name a job. */
  static @Nullable String canonicalId(String jobId) {
    if (jobId == null) {
      return null;
    }
    try {
      long v = Long.parseLong(jobId.strip());
      return v > 0 ? Long.toString(v) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override
  public CancelResult cancel(String jobId, Instant now) {
    String id = canonicalId(jobId);
    if (id == null) {
      return CancelResult.NOT_FOUND;
    }
    String r = link.script(Script.CANCEL, true, rid(), id, nowArg(now));
    return CancelResult.valueOf(r);
  }

  @Override
  public ClaimResult claim(ClaimRequest request) {
    return exchanges.exchange(List.of(), request, request.now()).claim();
  }

  @Override
  public List<Boolean> complete(List<Completion> completions, Instant now) {
    if (completions.isEmpty()) {
      return List.of();
    }
    return exchanges.exchange(completions, null, now).applied();
  }

  @Override
  public Exchange completeAndClaim(List<Completion> completions, @Nullable ClaimRequest request, Instant now) {
    if (completions.isEmpty() && request == null) {
      return new Exchange(List.of(), ClaimResult.empty());
    }
    return exchanges.exchange(completions, request, now);
  }

  @Override
  public HeartbeatResult heartbeat(WorkerRecord worker) {
    return workers.heartbeat(worker);
  }

  @Override
  public void deregisterWorker(String workerId, Instant now) {
    workers.deregisterWorker(workerId, now);
  }

  @Override
  public List<JobInfo> reclaimExpired(Instant now, int limit) {
    return workers.reclaimExpired(now, limit);
  }

  @Override
  public FinishedBatch finishedAfter(long cursor, int limit) {
    if (limit < 1) {
      return new FinishedBatch(List.of(), cursor);
    }
    return finished(link.script(Script.FINISHED, true, Long.toString(cursor), Integer.toString(limit)), cursor);
  }

  private FinishedBatch finished(List<?> r, long cursor) {
    List<JobInfo> jobs = Rows.jobs(r, this::policy);
    long last = cursor;
    for (JobInfo j : jobs) {
      last = Math.max(last, j.finishSeq());
    }
    return new FinishedBatch(jobs, last);
  }

  @Override
  public long finishCursor() {
    String v = link.call("finishCursor", true, c -> c.get(prefix + "fseq"));
    return v == null ? 0 : Long.parseLong(v);
  }

  // ---------------------------------------------------------------- schedules (see RedisSchedules)

  @Override
  public ScheduleRecord saveSchedule(ScheduleRecord schedule) {
    return schedules.saveSchedule(schedule);
  }

  @Override
  public boolean deleteSchedule(String name) {
    return schedules.deleteSchedule(name);
  }

  @Override
  public List<ScheduleRecord> schedules() {
    return schedules.schedules();
  }

  @Override
  public List<ScheduleRecord> dueSchedules(Instant now, int limit) {
    return schedules.dueSchedules(now, limit);
  }

  @Override
  public boolean fireSchedule(String name, long expectedVersion, Instant nextFireAt, @Nullable Instant firedTick,
      List<NewJob> jobs) {
    return schedules.fireSchedule(name, expectedVersion, nextFireAt, firedTick, jobs);
  }

  @Override
  public int purgeExpired(Instant now, RetentionLimits limits) {
    Long n = link.script(Script.PURGE_EXPIRED, true, nowArg(now),
        Long.toString(limits.maxSucceeded()), Long.toString(limits.maxFailed()), Integer.toString(limits.batch()));
    return n.intValue();
  }

  /**
   * Calls {@code onChange} after jobs were enqueued, became ready again or finished, and after
   * schedules or limits changed, in this or any other process (Redis pub/sub), plus once after
   * every reconnect; calls come on a Lettuce thread. The first subscription opens the pub/sub
   * connection and starts the connection watchdog.
   */
  @Override
  public Subscription subscribe(Runnable onChange) {
    return feed.subscribe(onChange);
  }

  /** {@code redis://host:port/db (namespace ...)}, without the password. */
  @Override
  public String describe() {
    return config.describe();
  }

  /** Closes the connections and stops the watchdog. Idempotent. */
  @Override
  public void close() {
    feed.close();
    link.close();
  }

  // ---------------------------------------------------------------- roles

  @Override
  public JobInspector inspector() {
    return inspector;
  }

  @Override
  public QueueControl control() {
    return control;
  }

  @Override
  public AuditLog auditLog() {
    return control;
  }

  @Override
  public Optional<FlowControl> flow() {
    return Optional.of(flow);
  }

  @Override
  public Optional<FlowAdmin> flowAdmin() {
    return Optional.of(flow);
  }

  @Override
  public Optional<JobStatistics> statistics() {
    return Optional.of(statistics);
  }

  /** Incidents in the namespace's slot, each change one script ({@code RedisIncidents}). */
  @Override
  public Optional<IncidentLog> incidents() {
    return Optional.of(incidentLog);
  }

  /**
   * Durable execution: step records, timers, signals and memoized results, each call one script
   * (see {@code RedisDurable} and {@code lua/lib/durable.lua}).
   */
  @Override
  public Optional<DurableStore> durable() {
    return Optional.of(durable);
  }

  /** The attempts ledger: each job's last attempts and refused writes, written by the scripts. */
  @Override
  public Optional<AttemptLedger> attempts() {
    return Optional.of(attempts);
  }

  /** The attempts ledger itself, for the partitioned store. */
  RedisAttempts attemptsLedger() {
    return attempts;
  }

  /** The durable side itself, for the partitioned store. */
  RedisDurable durableStore() {
    return durable;
  }

  /** What running jobs report, each batch one script ({@code RedisProgress}). */
  @Override
  public Optional<dev.spindle.queue.spi.ProgressStore> progress() {
    return Optional.of(progress);
  }

  /** The progress side itself, for the partitioned store. */
  RedisProgress progressStore() {
    return progress;
  }

  /** Sets a queue's limit through the inspector role, which reads them. */
  @Override
  public void setQueueLimit(String queue, int maxRunning) {
    inspector.setQueueLimit(queue, maxRunning);
  }

  /** Everything in one read-only script: one round trip per dashboard tick. */
  @Override
  @SuppressWarnings("unchecked")
  public LiveView liveView(LiveView.Request q) {
    long end = q.statsTo().getEpochSecond() + (q.statsTo().getNano() > 0 ? 1 : 0);
    List<?> r = link.script(Script.LIVE, true, q.feedAfter() < 0 ? "-1" : Long.toString(q.feedAfter()),
        Integer.toString(Math.max(1, q.feedLimit())), Long.toString(MinuteStats.minuteOf(q.statsFrom())),
        Long.toString(q.statsFrom().isBefore(q.statsTo()) ? end : 0), q.counts() ? "1" : "0");
    long cursor = Long.parseLong((String) r.get(3));
    FinishedBatch feed = q.feedAfter() < 0 ? new FinishedBatch(List.of(), cursor)
        : finished((List<?>) r.get(2), q.feedAfter());
    Set<String> paused = new HashSet<>((List<String>) r.get(1));
    Object oldest = r.size() > 6 ? r.get(6) : null;
    return new LiveView(inspector.workers((List<?>) r.get(0)), paused, feed, cursor,
        RedisStatistics.minutes((List<?>) r.get(4)), q.counts() ? RedisInspector.summaries((List<?>) r.get(5)) : null,
        q.counts() ? (oldest instanceof String ra && !ra.isEmpty() ? Optional.ofNullable(Times.instant(ra))
            : Optional.empty()) : null);
  }

  /**
   * What the server's configuration means for the jobs, one line each, for {@code spindle status}:
   * the {@code maxmemory-policy} (anything but {@code noeviction} can delete jobs) with memory use,
   * persistence, the namespace epoch, and every time a store instance noticed that Redis had lost
   * the namespace's data (see {@link NamespaceEpoch}). Reads the server; a line says so when it
   * cannot.
   */
  public List<String> health() {
    List<String> out = new ArrayList<>(ServerHealth.report(link));
    out.addAll(epoch.report());
    return out;
  }

  /** How many times the watchdog had to subscribe to change notifications again (diagnostics). */
  public long resubscriptions() {
    return feed.resubscriptions();
  }

  @Override
  public String toString() {
    return "RedisJobStore[" + describe() + "]";
  }
}
