package dev.spindle.store.redis;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.JobPolicy;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.AuditLog;
import dev.spindle.queue.spi.AuditRecord;
import dev.spindle.queue.spi.CancelResult;
import dev.spindle.queue.spi.ClaimRequest;
import dev.spindle.queue.spi.ClaimResult;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.DependencyEdge;
import dev.spindle.queue.spi.EnqueueResult;
import dev.spindle.queue.spi.Exchange;
import dev.spindle.queue.spi.FinishedBatch;
import dev.spindle.queue.spi.FlowControl;
import dev.spindle.queue.spi.HeartbeatResult;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.JobInspector;
import dev.spindle.queue.spi.JobPage;
import dev.spindle.queue.spi.JobStatistics;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.LiveView;
import dev.spindle.queue.spi.MinuteStats;
import dev.spindle.queue.spi.NewJob;
import dev.spindle.queue.spi.QueueControl;
import dev.spindle.queue.spi.QueueSummary;
import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.queue.spi.ScheduleRecord;
import dev.spindle.queue.spi.StoreClock;
import dev.spindle.queue.spi.Subscription;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.queue.spi.Workflows;
import dev.spindle.spi.JsonCodec;
import dev.spindle.store.redis.internal.ChangeFeed;
import dev.spindle.store.redis.internal.NamespaceEpoch;
import dev.spindle.store.redis.internal.Policies;
import dev.spindle.store.redis.internal.RedisLink;
import dev.spindle.store.redis.internal.Rows;
import dev.spindle.store.redis.internal.Script;
import dev.spindle.store.redis.internal.ServerHealth;
import dev.spindle.store.redis.internal.StoreErrors;
import dev.spindle.store.redis.internal.Times;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
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
 *       several namespaces. A job is a few strings (see {@code lua/lib.lua}), so a batch of jobs is
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
public final class RedisJobStore implements JobStore, JobInspector, QueueControl, AuditLog, JobStatistics {
  private static final Logger LOG = LoggerFactory.getLogger(RedisJobStore.class);
  private static final int MAX_UNCONFIRMED = 1000;
  /** The most jobs one enqueue script call adds; larger batches are split (see {@link #enqueue}). */
  public static final int MAX_JOBS_PER_SCRIPT = 2000;
  /**
   * The most characters of job text (task, arguments, unique key, plus 96 per job for the rest) one
   * enqueue script call carries; larger batches are split (see {@link #enqueue}).
   */
  public static final long MAX_BYTES_PER_SCRIPT = 4L << 20;

  private final RedisStoreConfig config;
  private final RedisLink link;
  private final ChangeFeed feed;
  private final NamespaceEpoch epoch;
  /** Combines concurrent enqueues into one script call (group commit). */
  private final EnqueueCombiner combiner =
      new EnqueueCombiner(jobs -> enqueueChunk(jobs, false), MAX_JOBS_PER_SCRIPT, MAX_BYTES_PER_SCRIPT);
  /** When a heartbeat last re-read the eviction policy ({@link System#nanoTime()}), 0 for never. */
  private volatile long policyCheckedNanos;
  private final String prefix;
  private final String requestPrefix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + ":";
  private final AtomicLong requests = new AtomicLong();
  /** Per worker: request ids of exchanges whose reply never arrived (their claims go back). */
  private final ConcurrentHashMap<String, List<String>> unconfirmed = new ConcurrentHashMap<>();
  private final JsonCodec json = JsonCodec.defaults();
  /** Policy id -> policy, as read from Redis (jobs keep only the id). */
  private final ConcurrentHashMap<String, JobPolicy> policies = new ConcurrentHashMap<>();
  private final RedisInspector inspector;
  private final RedisControl control;
  private final RedisStatistics statistics;

  /** A test clock that replaces Redis {@code TIME}, or null. */
  private final @Nullable Clock testClock;
  private final RedisFlow flow;

  private RedisJobStore(RedisStoreConfig config, RedisLink link, @Nullable Clock testClock) {
    this.config = config;
    this.link = link;
    this.testClock = testClock;
    this.prefix = config.keyPrefix();
    this.feed = new ChangeFeed(link);
    this.epoch = new NamespaceEpoch(link);
    this.inspector = new RedisInspector(this, link, prefix, json);
    this.control = new RedisControl(this, inspector, link, prefix);
    this.statistics = new RedisStatistics(link);
    this.flow = new RedisFlow(this, link);
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
    store.epoch.establish();
    LOG.debug("opened job store {}", store.describe());
    return store;
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
   * while one call is on its way, the batches that arrive meanwhile go out together in the next
   * (group commit; each batch still all or none, see {@code EnqueueCombiner}).
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
    if (jobs.isEmpty()) {
      return List.of();
    }
    boolean workflow = false;
    for (NewJob j : jobs) {
      workflow |= Objects.requireNonNull(j, "job").hasDependencies();
    }
    if (workflow) {
      Workflows.checkBatch(jobs);
      return enqueueChunk(jobs, true);
    }
    if (EnqueueArgs.chunkEnd(jobs, 0) == jobs.size()) {
      return combiner.enqueue(jobs);
    }
    List<EnqueueResult> out = new ArrayList<>(jobs.size());
    int from = 0;
    while (from < jobs.size()) {
      int end = EnqueueArgs.chunkEnd(jobs, from);
      try {
        out.addAll(enqueueChunk(jobs.subList(from, end), false));
        from = end;
      } catch (dev.spindle.queue.StoreException e) {
        if (from == 0) {
          throw e;
        }
        throw new dev.spindle.queue.StoreException(e.reason(), "enqueued only the first " + from + " of "
            + jobs.size() + " jobs (in chunks of at most " + MAX_JOBS_PER_SCRIPT + "; the last id added is "
            + out.get(out.size() - 1).jobId() + "); the other " + (jobs.size() - from) + " were not added: "
            + e.getMessage(), e);
      }
    }
    return List.copyOf(out);
  }

  /** One script call; if Redis lost the namespace's data since this instance last looked, records that first. */
  private List<EnqueueResult> enqueueChunk(List<NewJob> jobs, boolean dependencies) {
    for (int attempt = 0; ; attempt++) {
      List<String> args = new ArrayList<>(jobs.size() * 2 + 16);
      args.add(rid());
      args.add(attempt == 0 ? epoch.expected() : "");
      args.add(nowArg(jobs.get(0).createdAt()));
      EnqueueArgs.appendJobs(args, jobs);
      boolean keyed = jobs.stream().anyMatch(j -> j.flowKey() != null);
      if (dependencies || keyed) {
        EnqueueArgs.appendDependencies(args, jobs);
      }
      if (keyed) {
        EnqueueArgs.appendFlowKeys(args, jobs);
      }
      List<?> r = link.script(Script.ENQUEUE, true, args.toArray(String[]::new));
      if ("epoch".equals(r.get(0))) {
        epoch.changed((String) r.get(1), "enqueue");
        continue;
      }
      if ("missing".equals(r.get(0))) {
        throw new IllegalArgumentException("job #" + r.get(2) + " of the batch depends on job " + r.get(1)
            + ", which does not exist; nothing was added");
      }
      if ("badref".equals(r.get(0))) {
        throw new IllegalArgumentException("job #" + r.get(2) + " of the batch depends on " + r.get(1)
            + ", which is not an earlier job of the batch; nothing was added");
      }
      List<EnqueueResult> out = EnqueueArgs.results(jobs, r, 0);
      epoch.saw(out.get(out.size() - 1).jobId());
      return out;
    }
  }

  /**
   * One script call: the children are added (like {@link #enqueue}, in one script whatever their
   * number) and the parent's waiting dependents given edges from the exits, only while the parent
   * is RUNNING under {@code fence}.
   */
  @Override
  public List<EnqueueResult> addChildren(String parentId, long fence, List<NewJob> jobs, List<Integer> exits) {
    String id = canonicalId(parentId);
    if (id == null) {
      throw new JobNotFoundException(parentId);
    }
    for (NewJob j : jobs) {
      Objects.requireNonNull(j, "job");
    }
    // the arguments first (as if RUNNING under the fence); the script checks the parent itself
    Workflows.checkChildren(parentId, JobState.RUNNING, fence, fence, jobs, exits);
    Workflows.checkBatch(jobs);
    List<String> args = new ArrayList<>(jobs.size() * 2 + 16);
    args.add(rid());
    args.add(id);
    args.add(Long.toString(fence));
    StringBuilder ex = new StringBuilder();
    for (Integer x : exits) {
      ex.append(ex.isEmpty() ? "" : ",").append(x);
    }
    args.add(ex.toString());
    args.add(nowArg(jobs.get(0).createdAt()));
    EnqueueArgs.appendJobs(args, jobs);
    EnqueueArgs.appendDependencies(args, jobs);
    List<?> r = link.script(Script.ADD_CHILDREN, true, args.toArray(String[]::new));
    switch ((String) r.get(0)) {
      case "NOT_FOUND" -> throw new JobNotFoundException(parentId);
      case "STATE" -> {
        Workflows.checkChildren(parentId, JobState.valueOf((String) r.get(1)), Long.parseLong((String) r.get(2)),
            fence, jobs, exits);
        throw new IllegalStateException("job " + parentId + " cannot add children; nothing was added");
      }
      case "missing" -> throw new IllegalArgumentException("child #" + r.get(2) + " depends on job " + r.get(1)
          + ", which does not exist; nothing was added");
      case "badref" -> throw new IllegalArgumentException("child #" + r.get(2) + " depends on " + r.get(1)
          + ", which is not an earlier job of the batch; nothing was added");
      default -> {
        List<EnqueueResult> out = EnqueueArgs.results(jobs, r, 0);
        epoch.saw(out.get(out.size() - 1).jobId());
        return out;
      }
    }
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

  @Override
  public Instant storeTime() {
    Clock c = testClock;
    if (c != null) {
      return c.instant();
    }
    String t = link.script(Script.TIME, true);
    return Times.instant(Objects.requireNonNull(t, "the server's TIME"));
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
    return exchange(List.of(), request, request.now()).claim();
  }

  @Override
  public List<Boolean> complete(List<Completion> completions, Instant now) {
    if (completions.isEmpty()) {
      return List.of();
    }
    return exchange(completions, null, now).applied();
  }

  @Override
  public Exchange completeAndClaim(List<Completion> completions, @Nullable ClaimRequest request, Instant now) {
    if (completions.isEmpty() && request == null) {
      return new Exchange(List.of(), ClaimResult.empty());
    }
    return exchange(completions, request, now);
  }

  private Exchange exchange(List<Completion> completions, @Nullable ClaimRequest request, Instant now) {
    String rid = rid();
    String worker = request == null ? null : request.workerId();
    List<String> lost = worker == null ? null : unconfirmed.remove(worker);
    List<String> args = new ArrayList<>(8 + completions.size() * 5 + (request == null ? 0 : request.queues().size()));
    args.add(rid);
    args.add(nowArg(now));
    args.add("");
    args.add(lost == null ? "" : String.join(",", lost));
    args.add(Integer.toString(completions.size()));
    String lastWorker = null;
    for (Completion c : completions) {
      args.add(c.jobId());
      args.add(Long.toString(c.fence()));
      args.add(c.workerId().equals(lastWorker) ? "" : c.workerId()); // '': the same as the previous one
      lastWorker = c.workerId();
      String error = c.errorJson() == null ? "" : c.errorJson();
      switch (c.outcome()) {
        case SUCCEEDED -> {
          args.add("S");
          args.add(c.resultJson());
        }
        case RETRY -> {
          args.add("R");
          args.add(error);
          Instant retryAt = Objects.requireNonNull(c.retryAt(), "retryAt of a RETRY completion");
          args.add(Times.encode(retryAt));
          args.add(retryAt.isAfter(now) ? "1" : "0");
        }
        case FAILED -> {
          args.add("F");
          args.add(error);
        }
        case DEAD -> {
          args.add("D");
          args.add(error);
          args.add(c.deadReason());
        }
        case CANCELLED -> {
          args.add("C");
          args.add(error);
        }
        case RELEASED -> args.add("L");
      }
    }
    if (request == null) {
      args.add("");
    } else {
      args.add(request.workerId());
      args.add(Integer.toString(request.max()));
      args.add(Integer.toString(request.queues().size()));
      args.addAll(request.queues());
    }
    List<?> r;
    try {
      r = link.script(Script.EXCHANGE, true, args.toArray(String[]::new));
    } catch (RuntimeException e) {
      if (worker != null) {
        List<String> keep = new ArrayList<>();
        if (lost != null) {
          keep.addAll(lost);
        }
        if (!StoreErrors.certainlyNotApplied(e)) {
          keep.add(rid);
        }
        if (!keep.isEmpty()) {
          unconfirmed.merge(worker, keep, (a, b) -> {
            List<String> m = new ArrayList<>(a);
            m.addAll(b);
            return m.size() > MAX_UNCONFIRMED ? m.subList(m.size() - MAX_UNCONFIRMED, m.size()) : m;
          });
        }
      }
      throw e;
    }
    List<?> flags = (List<?>) r.get(0);
    List<Boolean> applied = new ArrayList<>(flags.size());
    for (Object f : flags) {
      applied.add(((Long) f) == 1);
    }
    ClaimResult claim = request == null ? ClaimResult.empty()
        : new ClaimResult(claimed(request.workerId(), (List<?>) r.get(1)),
            Times.instantOrNull((String) r.get(2)));
    return new Exchange(applied, claim);
  }

  /**
   * The jobs a claim took, from the script's rows ({@code {id, fence, header+args, status, ...}}).
   * A job no longer held with that fence (a replayed claim whose job moved on) is left out.
   */
  private List<JobInfo> claimed(String worker, List<?> rows) {
    List<JobInfo> out = new ArrayList<>(rows.size() / 4);
    for (int i = 0; i + 3 < rows.size(); i += 4) {
      String id = (String) rows.get(i);
      String header = (String) rows.get(i + 2);
      String status = (String) rows.get(i + 3);
      if (header == null || status == null) {
        continue;
      }
      JobInfo j = Rows.job(id, header, status, null, this::policy);
      if (j.state() == JobState.RUNNING && worker.equals(j.workerId())
          && Long.toString(j.fence()).equals(rows.get(i + 1))) {
        out.add(j);
        epoch.saw(id);
      }
    }
    return out;
  }

  @Override
  public HeartbeatResult heartbeat(WorkerRecord worker) {
    String record = json.toJson(worker, "worker record");
    List<?> r = link.script(Script.HEARTBEAT, true, worker.id(), record, nowArg(worker.heartbeatAt()),
        Times.encode(worker.leaseUntil()));
    try {
      epoch.check("a heartbeat of worker " + worker.id());
    } catch (RuntimeException e) {
      LOG.debug("checking the namespace epoch of {}", describe(), e);
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

  @Override
  public void deregisterWorker(String workerId, Instant now) {
    link.script(Script.DEREGISTER, true, workerId, nowArg(now));
    unconfirmed.remove(workerId);
  }

  @Override
  public List<JobInfo> reclaimExpired(Instant now, int limit) {
    if (limit < 1) {
      return List.of();
    }
    List<?> r = link.script(Script.RECLAIM, true, rid(), nowArg(now), "",
        Integer.toString(limit));
    return Rows.jobs(r, this::policy);
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

  @Override
  public ScheduleRecord saveSchedule(ScheduleRecord schedule) {
    List<?> r = link.script(Script.SAVE_SCHEDULE, true, schedule.name(), schedule.definition(),
        Times.encode(schedule.nextFireAt()), Times.encode(schedule.createdAt()));
    List<Object> row = new ArrayList<>(6);
    row.add(schedule.name());
    row.addAll(r);
    return Rows.schedule(row);
  }

  @Override
  public boolean deleteSchedule(String name) {
    Long n = link.script(Script.DELETE_SCHEDULE, true, rid(), name);
    return n > 0;
  }

  @Override
  public List<ScheduleRecord> schedules() {
    List<?> r = link.script(Script.SCHEDULES, true, "", "0");
    List<ScheduleRecord> out = new ArrayList<>(r.size());
    for (Object row : r) {
      out.add(Rows.schedule((List<?>) row));
    }
    out.sort(Comparator.comparing(ScheduleRecord::name));
    return out;
  }

  @Override
  public List<ScheduleRecord> dueSchedules(Instant now, int limit) {
    if (limit < 1) {
      return List.of();
    }
    List<?> r = link.script(Script.SCHEDULES, true, Long.toString(Times.floorMicros(now)), Integer.toString(limit));
    List<ScheduleRecord> out = new ArrayList<>(r.size());
    for (Object row : r) {
      ScheduleRecord s = Rows.schedule((List<?>) row);
      if (!s.nextFireAt().isAfter(now)) {
        out.add(s);
      }
    }
    out.sort(Comparator.comparing(ScheduleRecord::nextFireAt).thenComparing(ScheduleRecord::name));
    return out;
  }

  @Override
  public boolean fireSchedule(String name, long expectedVersion, Instant nextFireAt, @Nullable Instant firedTick,
      List<NewJob> jobs) {
    List<String> args = new ArrayList<>(16 + jobs.size() * 2);
    args.add(rid());
    args.add(name);
    args.add(Long.toString(expectedVersion));
    args.add(Times.encode(nextFireAt));
    args.add(firedTick == null ? "" : Times.encode(firedTick));
    args.add(nowArg(jobs.isEmpty() ? Instant.now() : jobs.get(0).createdAt()));
    EnqueueArgs.appendJobs(args, jobs);
    Long r = link.script(Script.FIRE_SCHEDULE, true, args.toArray(String[]::new));
    return r == 1;
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

  // ---------------------------------------------------------------- JobInspector

  /** This store itself: it is its own inspector. */
  @Override
  public JobInspector inspector() {
    return this;
  }

  @Override
  public QueueControl control() {
    return this;
  }

  @Override
  public AuditLog auditLog() {
    return this;
  }

  @Override
  public FlowControl flow() {
    return flow;
  }

  @Override
  public JobStatistics statistics() {
    return this;
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

  // ---------------------------------------------------------------- JobInspector (see RedisInspector)

  @Override
  public List<JobInfo> listJobs(JobFilter filter) {
    return inspector.listJobs(filter);
  }

  /**
   * Walks jobs newest first, 20,000 per script call (so no call holds Redis long), until the page
   * is full, the oldest job is reached or 5,000 jobs were looked at.
   */
  @Override
  public JobPage page(JobFilter filter) {
    return inspector.page(filter);
  }

  @Override
  public List<QueueSummary> queueSummaries() {
    return inspector.queueSummaries();
  }

  /** One read-only script: per queue, the run time of its QUEUED job with the lowest id. */
  @Override
  public Map<String, Instant> oldestReady() {
    return inspector.oldestReady();
  }

  /** Registered workers by id, with {@code running} counted from the jobs each holds in Redis now. */
  @Override
  public List<WorkerRecord> workers() {
    return inspector.workers();
  }

  /** Read by one script; edges naming a deleted job are left out. Dependents are in id order. */
  @Override
  public List<DependencyEdge> dependencyEdges(String jobId) {
    return inspector.dependencyEdges(jobId);
  }

  @Override
  public JobInfo requeue(String jobId, Instant now) {
    return inspector.requeue(jobId, now);
  }

  @Override
  public int purge(JobFilter filter) {
    return inspector.purge(filter);
  }

  @Override
  public void setQueueLimit(String queue, int maxRunning) {
    inspector.setQueueLimit(queue, maxRunning);
  }

  @Override
  public Map<String, Integer> queueLimits() {
    return inspector.queueLimits();
  }

  // ---------------------------------------------------------------- statistics (see RedisStatistics)

  @Override
  public List<MinuteStats> minutes(Instant from, Instant to) {
    return statistics.minutes(from, to);
  }

  @Override
  public Optional<Instant> oldestWaiting() {
    return statistics.oldestWaiting();
  }

  // ---------------------------------------------------------------- queue control, audit (see RedisControl)

  @Override
  public void pauseQueue(String queue) {
    control.pauseQueue(queue);
  }

  @Override
  public void resumeQueue(String queue) {
    control.resumeQueue(queue);
  }

  @Override
  public Set<String> pausedQueues() {
    return control.pausedQueues();
  }

  /** Each matching job is requeued by its own atomic script (the scan pages through the filter). */
  @Override
  public int requeueMatching(JobFilter filter, Instant now) {
    return control.requeueMatching(filter, now);
  }

  /** Each matching job is cancelled by its own atomic script. */
  @Override
  public int cancelMatching(JobFilter filter, Instant now) {
    return control.cancelMatching(filter, now);
  }

  @Override
  public DeleteResult deleteJob(String jobId) {
    return control.deleteJob(jobId);
  }

  @Override
  public boolean pauseSchedule(String name) {
    return control.pauseSchedule(name);
  }

  @Override
  public boolean resumeSchedule(String name) {
    return control.resumeSchedule(name);
  }

  @Override
  public Set<String> pausedSchedules() {
    return control.pausedSchedules();
  }

  @Override
  public void appendAudit(AuditRecord r) {
    control.appendAudit(r);
  }

  @Override
  public List<AuditRecord> recentAudit(int limit) {
    return control.recentAudit(limit);
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
