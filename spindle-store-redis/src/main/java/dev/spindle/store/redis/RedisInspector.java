package dev.spindle.store.redis;

import dev.spindle.queue.DependencyPolicy;
import dev.spindle.queue.IllegalJobTransitionException;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobNotFoundException;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.DependencyEdge;
import dev.spindle.queue.spi.JobFilter;
import dev.spindle.queue.spi.JobInspector;
import dev.spindle.queue.spi.JobPage;
import dev.spindle.queue.spi.QueueSummary;
import dev.spindle.queue.spi.StoreClock;
import dev.spindle.queue.spi.UnroutableTask;
import dev.spindle.queue.spi.WorkerRecord;
import dev.spindle.queue.store.UnroutableTasks;
import dev.spindle.spi.JsonCodec;
import dev.spindle.store.redis.internal.RedisLink;
import dev.spindle.store.redis.internal.Rows;
import dev.spindle.store.redis.internal.Script;
import dev.spindle.store.redis.internal.Times;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link JobInspector} half of {@link RedisJobStore}: bounded scans of the jobs (Redis has no
 * secondary indexes), per-queue counts, workers, dependency edges, requeue, purge and queue limits,
 * each one script or plain command. The store's inspector methods delegate here. Thread-safe
 * (stateless beyond the shared connection).
 */
final class RedisInspector implements JobInspector {
  private static final Logger LOG = LoggerFactory.getLogger(RedisJobStore.class);
  private static final int SCAN_BUDGET = 20_000;
  /** The most jobs one {@link #page} call walks (a bounded scan: Redis has no secondary indexes; ~50 ms). */
  private static final int PAGE_BUDGET = 5_000;

  private final RedisJobStore store;
  private final RedisLink link;
  private final String prefix;
  private final JsonCodec json;

  RedisInspector(RedisJobStore store, RedisLink link, String prefix, JsonCodec json) {
    this.store = store;
    this.link = link;
    this.prefix = prefix;
    this.json = json;
  }

  @Override
  public List<JobInfo> listJobs(JobFilter filter) {
    return walk(filter, Long.MAX_VALUE).jobs();
  }

  /**
   * Walks jobs newest first, {@value #SCAN_BUDGET} per script call (so no call holds Redis long),
   * until the page is full, the oldest job is reached or {@value #PAGE_BUDGET} jobs were looked at.
   */
  @Override
  public JobPage page(JobFilter filter) {
    return walk(filter, PAGE_BUDGET);
  }

  private JobPage walk(JobFilter filter, long budget) {
    List<JobInfo> out = new ArrayList<>();
    String before = filter.beforeId() == null ? "+inf" : "(" + JobFilter.parseId(filter.beforeId());
    long scanned = 0;
    String last = "";
    while (out.size() < filter.limit() && scanned < budget) {
      List<?> r = scan("list", before, filter.limit() - out.size(), filter, filter.states(),
          (int) Math.min(SCAN_BUDGET, budget - scanned));
      out.addAll(Rows.jobs(r.get(0), store::policy));
      scanned += ((Long) r.get(2));
      last = (String) r.get(1);
      if (last.isEmpty()) {
        break;
      }
      before = "(" + last;
    }
    return new JobPage(out, last.isEmpty() ? null : last, scanned);
  }

  private List<?> scan(String mode, String before, int limit, JobFilter f, Set<JobState> states) {
    return scan(mode, before, limit, f, states, SCAN_BUDGET);
  }

  private List<?> scan(String mode, String before, int limit, JobFilter f, Set<JobState> states, int budget) {
    StringBuilder st = new StringBuilder();
    if (!states.isEmpty()) {
      st.append(',');
      for (JobState s : states) {
        st.append(s.name()).append(',');
      }
    }
    return link.script(Script.SCAN, !mode.equals("purge"), mode, before, Integer.toString(limit),
        Integer.toString(budget), st.toString(), f.queue() == null ? "" : f.queue(),
        f.task() == null ? "" : f.task(), f.finishedBefore() == null ? "" : Times.encode(f.finishedBefore()),
        f.finishedAfter() == null ? "" : Times.encode(f.finishedAfter()),
        f.createdAfter() == null ? "" : Times.encode(f.createdAfter()),
        f.createdBefore() == null ? "" : Times.encode(f.createdBefore()),
        f.text() == null ? "" : JobFilter.asciiLower(f.text()));
  }

  @Override
  public List<QueueSummary> queueSummaries() {
    return summaries(link.script(Script.SUMMARIES, true));
  }

  static List<QueueSummary> summaries(List<?> r) {
    Map<String, Integer> limits = pairs((List<?>) r.get(1));
    TreeMap<String, QueueSummary> out = new TreeMap<>();
    for (Object o : (List<?>) r.get(0)) {
      List<?> q = (List<?>) o;
      String name = (String) q.get(0);
      List<?> kv = (List<?>) q.get(1);
      Map<JobState, Long> counts = new EnumMap<>(JobState.class);
      for (int i = 0; i < kv.size(); i += 2) {
        long n = Long.parseLong((String) kv.get(i + 1));
        if (n > 0) {
          counts.put(JobState.valueOf((String) kv.get(i)), n);
        }
      }
      if (!counts.isEmpty()) {
        out.put(name, new QueueSummary(name, counts, limits.getOrDefault(name, 0)));
      }
    }
    limits.forEach((q, l) -> out.putIfAbsent(q, new QueueSummary(q, Map.of(), l)));
    return List.copyOf(out.values());
  }

  private static Map<String, Integer> pairs(List<?> kv) {
    Map<String, Integer> m = new TreeMap<>();
    for (int i = 0; i < kv.size(); i += 2) {
      m.put((String) kv.get(i), Integer.parseInt((String) kv.get(i + 1)));
    }
    return m;
  }

  /** One read-only script: per queue, the run time of its QUEUED job with the lowest id. */
  @Override
  public Map<String, Instant> oldestReady() {
    List<?> r = link.script(Script.OLDEST_BY_QUEUE, true);
    Map<String, Instant> out = new java.util.HashMap<>();
    for (int i = 0; i + 1 < r.size(); i += 2) {
      out.put((String) r.get(i), Times.instant((String) r.get(i + 1)));
    }
    return out;
  }

  /** Counts by walking the QUEUED jobs of each queue (at most {@link UnroutableTask#SCAN_LIMIT}). */
  @Override
  public List<UnroutableTask> unroutable(Instant now) {
    return UnroutableTasks.byListing(this, now);
  }

  /** Registered workers by id, with {@code running} counted from the jobs each holds in Redis now. */
  @Override
  public List<WorkerRecord> workers() {
    return workers(link.script(Script.WORKERS, true));
  }

  List<WorkerRecord> workers(List<?> r) {
    TreeMap<String, WorkerRecord> out = new TreeMap<>();
    for (int i = 0; i + 4 < r.size(); i += 5) {
      String id = (String) r.get(i);
      try {
        WorkerRecord w = json.fromJson((String) r.get(i + 1), WorkerRecord.class, "worker record");
        // the record is kept as the worker sent it, on its clock: moved onto the store's clock here
        Object offset = r.get(i + 3);
        Duration d = offset instanceof String o ? Times.duration(o) : Duration.ZERO;
        w = w.onStoreClock(new StoreClock(new StoreClock(Instant.EPOCH, d).translate(w.heartbeatAt()), d));
        out.put(id, new WorkerRecord(w.id(), w.name(), w.host(), w.pid(), w.queues(), w.concurrency(), w.model(),
            w.state(), w.startedAt(), w.heartbeatAt(), w.leaseUntil(), ((Long) r.get(i + 2)).intValue(), w.processed(),
            w.failed(), w.ratePerSecond(), offset instanceof String ? w.clockSkew() : null,
            r.get(i + 4) instanceof String t ? (t.isEmpty() ? Set.of() : Set.of(t.split(","))) : null));
      } catch (RuntimeException ex) {
        LOG.warn("skipping the unreadable record of worker {} in {}: {}", id, store.describe(), ex.getMessage());
      }
    }
    return List.copyOf(out.values());
  }

  /** Read by one script; edges naming a deleted job are left out. Dependents are in id order. */
  @Override
  public List<DependencyEdge> dependencyEdges(String jobId) {
    String id = RedisJobStore.canonicalId(jobId);
    if (id == null) {
      throw new JobNotFoundException(jobId);
    }
    List<?> r = link.script(Script.EDGES, true, id);
    if (!"OK".equals(r.get(0))) {
      throw new JobNotFoundException(jobId);
    }
    List<DependencyEdge> in = new ArrayList<>();
    List<DependencyEdge> out = new ArrayList<>();
    for (int i = 1; i + 3 < r.size(); i += 4) {
      DependencyEdge e = new DependencyEdge((String) r.get(i), (String) r.get(i + 1),
          DependencyPolicy.values()[((String) r.get(i + 2)).charAt(0) - '0'], Integer.parseInt((String) r.get(i + 3)));
      (e.childId().equals(id) ? in : out).add(e);
    }
    out.sort(Comparator.comparingLong(e -> Long.parseLong(e.childId())));
    in.addAll(out);
    return List.copyOf(in);
  }

  @Override
  public JobInfo requeue(String jobId, Instant now) {
    String id = RedisJobStore.canonicalId(jobId);
    if (id == null) {
      throw new JobNotFoundException(jobId);
    }
    List<?> r = link.script(Script.REQUEUE, true, store.rid(), id, store.nowArg(now));
    return switch ((String) r.get(0)) {
      case "OK" -> Rows.job((List<?>) r.get(1), store::policy);
      case "NOT_FOUND" -> throw new JobNotFoundException(jobId);
      case "DEPENDS" -> throw new IllegalJobTransitionException(id, JobState.valueOf((String) r.get(2)),
          JobState.QUEUED, "job " + id + " depends on job " + r.get(1) + ", which ended in a way that cancels it:"
          + " retry that one");
      default -> {
        JobState.checkRequeue(id, JobState.valueOf((String) r.get(1)));
        if (r.size() > 2) { // its dependencies run again: it would wait, which its state does not allow
          throw new IllegalJobTransitionException(id, JobState.valueOf((String) r.get(1)),
              JobState.valueOf((String) r.get(2)), "job " + id + " depends on jobs that have not ended (they were"
              + " requeued): retry it once they have");
        }
        throw new IllegalJobTransitionException(id, JobState.valueOf((String) r.get(1)), JobState.QUEUED);
      }
    };
  }

  @Override
  public int purge(JobFilter filter) {
    for (JobState s : filter.states()) {
      if (!s.isTerminal()) {
        throw new IllegalArgumentException("only finished jobs can be purged, not " + s + " ones; cancel them first");
      }
    }
    Set<JobState> states = filter.states().isEmpty() ? JobState.terminalStates() : filter.states();
    int deleted = 0;
    String before = filter.beforeId() == null ? "+inf" : "(" + JobFilter.parseId(filter.beforeId());
    while (deleted < filter.limit()) {
      List<?> r = scan("purge", before, filter.limit() - deleted, filter, states);
      deleted += ((List<?>) r.get(0)).size();
      String last = (String) r.get(1);
      if (last.isEmpty()) {
        break;
      }
      before = "(" + last;
    }
    return deleted;
  }

  /** Sets a queue's limit ({@link dev.spindle.queue.spi.JobStore#setQueueLimit}). */
  void setQueueLimit(String queue, int maxRunning) {
    JobOptions.validateQueue(queue);
    if (maxRunning < 0) {
      throw new IllegalArgumentException("a queue limit must be >= 0 (0 = none): " + maxRunning);
    }
    link.script(Script.SET_LIMIT, true, queue, Integer.toString(maxRunning));
  }

  @Override
  public Map<String, Integer> queueLimits() {
    Map<String, String> all = link.call("queueLimits", true, c -> c.hgetall(prefix + "limits"));
    Map<String, Integer> out = new TreeMap<>();
    all.forEach((q, l) -> out.put(q, Integer.parseInt(l)));
    return Map.copyOf(out);
  }
}
