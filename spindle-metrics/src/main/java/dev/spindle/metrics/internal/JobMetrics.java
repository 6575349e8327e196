package dev.spindle.metrics.internal;

import dev.spindle.queue.JobError;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link JobObserver} of the metrics module: counters and wait-time histograms per (queue,
 * task), and per attempt one {@code spindle.job.process} observation giving the run-time timer and,
 * with tracing on, the {@code process {queue}} span. Labels are bounded: past {@code maxSeries}
 * (queue, task) pairs new tasks are counted under task {@code _other}, past {@code maxQueues}
 * queues new queues under queue {@code _other}. Thread-safe.
 */
public final class JobMetrics implements JobObserver {
  /** The label value that absorbs names beyond the limits. */
  public static final String OTHER = "_other";
  private static final Logger LOG = LoggerFactory.getLogger(JobMetrics.class);
  /** How old (ns) the wall-clock anchor of span start times may get: 1 ms, so a clock step or slew shows within it. */
  private static final long ANCHOR_NANOS = 1_000_000L;

  private final MeterRegistry registry;
  private final ObservationRegistry observations;
  private final boolean tracing;
  private final int maxSeries;
  private final int maxQueues;
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Meters>> byQueue = new ConcurrentHashMap<>();
  private int pairs;
  private boolean warned;
  /** The stored context decoded last: jobs enqueued together (a fan-out, one batch) store the same one. */
  private volatile @Nullable Decoded lastDecoded;
  /** The pair looked up last: a worker's jobs come in runs of one queue and task. */
  private volatile @Nullable Pair lastPair;
  /** The wall clock read against System.nanoTime, again once it is {@link #ANCHOR_NANOS} old. */
  private volatile Anchor anchor = Anchor.now();

  /** A stored trace context and its decoded, immutable span context. */
  private record Decoded(String stored, SpanContext context) {}

  /** A (queue, task) pair as asked for and its meters (which may be those of {@link #OTHER}). */
  private record Pair(String queue, String task, Meters meters) {}

  /** One instant on System.nanoTime and on the wall clock (ns since the epoch). */
  private record Anchor(long nanoTime, long epochNanos) {
    static Anchor now() {
      return new Anchor(System.nanoTime(), JobObservation.epochNanosNow());
    }
  }

  /**
   * @param registry where meters go
   * @param observations the observation registry with {@link JobMeterHandler} (and {@link JobSpanHandler})
   * @param tracing whether trace contexts are captured and spans made
   * @param maxSeries the most (queue, task) pairs
   * @param maxQueues the most queues
   */
  public JobMetrics(MeterRegistry registry, ObservationRegistry observations, boolean tracing, int maxSeries,
      int maxQueues) {
    this.registry = registry;
    this.observations = observations;
    this.tracing = tracing;
    this.maxSeries = maxSeries;
    this.maxQueues = maxQueues;
  }

  /** The meters of a pair, within the limits. */
  Meters meters(String queue, String task) {
    Pair last = lastPair;
    if (last != null && last.task().equals(task) && last.queue().equals(queue)) {
      return last.meters(); // no hashing: a job's names are new strings, read from the store
    }
    ConcurrentHashMap<String, Meters> tasks = byQueue.get(queue);
    Meters m = tasks == null ? null : tasks.get(task);
    if (m == null) {
      m = create(queue, task);
    }
    lastPair = new Pair(queue, task, m);
    return m;
  }

  /**
   * The wall-clock time (ns since the epoch) of an instant on System.nanoTime: from an anchor read
   * at most {@link #ANCHOR_NANOS} ago, so a task's thread reads only System.nanoTime as it begins.
   */
  long epochNanosAt(long nanoTime) {
    Anchor a = anchor;
    if (System.nanoTime() - a.nanoTime() > ANCHOR_NANOS) {
      a = Anchor.now();
      anchor = a;
    }
    return a.epochNanos() + (nanoTime - a.nanoTime());
  }

  private synchronized Meters create(String queue, String task) {
    String q = queue;
    ConcurrentHashMap<String, Meters> tasks = byQueue.get(q);
    if (tasks == null && byQueue.size() >= maxQueues) {
      q = OTHER;
      tasks = byQueue.get(q);
    }
    String t = task;
    if (tasks != null && tasks.containsKey(t)) {
      return tasks.get(t);
    }
    if (pairs >= maxSeries) {
      t = OTHER;
      if (tasks != null && tasks.containsKey(t)) {
        return tasks.get(t);
      }
      if (!warned) {
        warned = true;
        LOG.warn("more than {} (queue, task) pairs: further tasks are counted as task '{}' (queue '{}' first)",
            maxSeries, OTHER, dev.spindle.spi.Echo.of(queue));
      }
    }
    if (tasks == null) {
      tasks = new ConcurrentHashMap<>();
      byQueue.put(q, tasks);
    }
    Meters m = new Meters(registry, q, t);
    tasks.put(t, m);
    pairs++;
    return m;
  }

  /**
   * The span context stored with a job, as a remote one (invalid if none or unreadable): decoded
   * once for a run of jobs that carry the same text, as jobs enqueued in one span do.
   */
  SpanContext creation(@Nullable String stored) {
    if (stored == null) {
      return SpanContext.getInvalid();
    }
    Decoded d = lastDecoded;
    if (d != null && d.stored().equals(stored)) {
      return d.context();
    }
    SpanContext sc = TraceContexts.decode(stored);
    lastDecoded = new Decoded(stored, sc);
    return sc;
  }

  /** How many (queue, task) pairs have meters. */
  public synchronized int series() {
    return pairs;
  }

  @Override
  public @Nullable String captureContext(String queue, String task) {
    return tracing ? TraceContexts.encode(Context.current()) : null;
  }

  @Override
  public void enqueued(String queue, String task) {
    meters(queue, task).enqueued.increment();
  }

  @Override
  public Attempt started(JobInfo job, Duration waited) {
    return new ObservedAttempt(this, job, waited);
  }

  /**
   * One attempt. Its observation (the wait-time record, the span's start) begins when its span is
   * first asked for: by the task, through the {@link DeferredSpan} current while it runs, or for
   * the context a child JVM gets, or else when the attempt's end is delivered (on the worker's
   * observer thread). Never on the worker's dispatcher thread, whose loop writes outcomes and
   * claims jobs for every slot, and not on the task's thread unless the task uses its span: the
   * worker waits for a round's short jobs before its next store call, so work there lengthened
   * every round. The span still starts when the task began and ends when it returned. Its calls
   * come one after another (open, close, finish), from different threads; the lock publishes the
   * observation between them.
   */
  private static final class ObservedAttempt implements Attempt, Supplier<Span> {
    private static final Scope NOTHING = () -> { };
    private final JobMetrics owner;
    private final JobInfo job;
    private final Duration waited;
    private @Nullable Observation observation;
    private @Nullable JobObservation context;
    /** Whether the task began here (with tracing on), and when (System.nanoTime). */
    private volatile boolean opened;
    private volatile long openedNanoTime;
    /** When the task returned (System.nanoTime); 0 before, or if it did not run here. */
    private volatile long closedNanoTime;

    ObservedAttempt(JobMetrics owner, JobInfo job, Duration waited) {
      this.owner = owner;
      this.job = job;
      this.waited = waited;
    }

    private synchronized Observation observe() {
      Observation o = observation;
      if (o == null) {
        Meters m = owner.meters(job.queue(), job.task());
        m.wait.record(waited);
        SpanContext creation = owner.tracing ? owner.creation(job.traceContext()) : SpanContext.getInvalid();
        JobObservation ctx = new JobObservation(job.queue(), job.task(), job.id(), job.attempt(), creation, m);
        if (opened) {
          ctx.startAt(openedNanoTime, owner.epochNanosAt(openedNanoTime));
        }
        o = Observation.createNotStarted(JobObservation.NAME, () -> ctx, owner.observations).start();
        context = ctx;
        observation = o;
      }
      return o;
    }

    private synchronized JobObservation context() {
      observe();
      return java.util.Objects.requireNonNull(context);
    }

    /** The attempt's real span (made now if not yet); invalid if tracing is off or was refused. */
    @Override
    public Span get() {
      Span s = context().span;
      return s == null ? Span.getInvalid() : s;
    }

    @Override
    public @Nullable String traceContext() {
      Span s = context().span;
      return s == null ? null : TraceContexts.encode(Context.root().with(s));
    }

    @Override
    @SuppressWarnings("MustBeClosedChecker") // closed by the returned scope, on the same thread
    public Scope open() {
      if (!owner.tracing) {
        return NOTHING; // the run-time timer takes the worker's measure; nothing to make current
      }
      openedNanoTime = System.nanoTime();
      opened = true;
      io.opentelemetry.context.Scope scope = Context.current().with(new DeferredSpan(this)).makeCurrent();
      return () -> {
        closedNanoTime = System.nanoTime();
        scope.close();
      };
    }

    @Override
    public void finished(Outcome outcome, Duration runTime, @Nullable JobError error) {
      Observation o = observe();
      JobObservation c = context();
      c.outcome = outcome;
      c.runTime = runTime;
      c.failure = error;
      c.endNanoTime = closedNanoTime;
      o.stop();
    }
  }
}
