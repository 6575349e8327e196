package dev.spindle.metrics;

import dev.spindle.ExecutorStats;
import dev.spindle.metrics.internal.JobMeterHandler;
import dev.spindle.metrics.internal.JobMetrics;
import dev.spindle.metrics.internal.JobSpanHandler;
import dev.spindle.metrics.internal.StoreGauges;
import dev.spindle.queue.JobObserver;
import dev.spindle.queue.spi.StoreAdmin;
import dev.spindle.supervisor.ManagerStatus;
import dev.spindle.supervisor.ServiceStatus;
import dev.spindle.supervisor.WorkerStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * Spindle's metrics and tracing in one object: a {@link JobObserver} to give producers and workers
 * ({@link #observer()}), gauges bound to stores, executors and a supervisor, and the Prometheus text
 * of it all ({@link #scrape()}).
 *
 * <pre>{@code
 * SpindleMetrics metrics = SpindleMetrics.builder().tracing(openTelemetry).build();
 * Worker worker = Worker.builder(store).observer(metrics.observer()).registry(tasks).build();
 * metrics.bindStore(store);
 * metrics.bindExecutor(() -> worker.executorStats().orElse(null));
 * try (MetricsServer server = MetricsServer.start(metrics, "127.0.0.1", 9464)) { ... }
 * }</pre>
 *
 * <p>Metrics (Prometheus names, base unit seconds), labelled only by {@code queue}, {@code task}
 * and {@code outcome}: {@code spindle_jobs_enqueued_total}, {@code spindle_jobs_succeeded_total},
 * {@code _failed_total}, {@code _retried_total}, {@code _dead_total}, {@code _cancelled_total}
 * (also {@code _released_total}, {@code _lost_total}); histograms {@code spindle_jobs_wait_seconds}
 * and {@code spindle_jobs_run_seconds} (with {@code outcome} succeeded or failed); per-queue gauges
 * {@code spindle_queue_depth}, {@code spindle_queue_oldest_age_seconds}, {@code spindle_workers_live},
 * {@code spindle_slots_busy}, {@code spindle_slots_free}; {@code spindle_jobs_unroutable} by queue and
 * task (waiting jobs whose task no live worker of the queue knows); executor counters
 * {@code spindle_executor_tasks_total{outcome=submitted|completed|failed|cancelled|rejected}} and
 * gauge {@code spindle_executor_running}; supervisor {@code spindle_supervisor_restarts_total},
 * {@code spindle_supervisor_crash_loops}, {@code spindle_supervisor_child_rss_bytes}.
 *
 * <p>Defaults: a new {@link PrometheusMeterRegistry}; tracing off (no trace context stored, no spans)
 * until {@link Builder#tracing} is given an {@link OpenTelemetry}; at most 10,000 (queue, task)
 * pairs and 2,000 queues get series (the rest count under {@code _other}); stores are read at
 * most once per 10 s. Thread-safe.
 */
public final class SpindleMetrics {
  private final MeterRegistry registry;
  private final JobMetrics jobs;
  private final Clock clock;
  private final Duration storeRefresh;
  private final int maxQueues;
  private final List<Supplier<ExecutorStats>> executors = new CopyOnWriteArrayList<>();
  private final List<Supplier<ManagerStatus>> supervisors = new CopyOnWriteArrayList<>();
  private final List<StoreGauges> stores = new CopyOnWriteArrayList<>();

  private SpindleMetrics(Builder b) {
    this.registry = b.registry != null ? b.registry : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.clock = b.clock;
    this.storeRefresh = b.storeRefresh;
    this.maxQueues = b.maxQueues;
    ObservationRegistry observations = ObservationRegistry.create();
    observations.observationConfig().observationHandler(new JobMeterHandler());
    if (b.openTelemetry != null) {
      observations.observationConfig().observationHandler(
          new JobSpanHandler(b.openTelemetry.getTracer("dev.spindle.queue")));
    }
    this.jobs = new JobMetrics(registry, observations, b.openTelemetry != null, b.maxSeries, b.maxQueues);
    registerExecutorMeters();
    registerSupervisorMeters();
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The hook to give {@code JobQueue}, {@code Worker} and {@code DistributedOptions} builders. */
  public JobObserver observer() {
    return jobs;
  }

  /** The meter registry (to add meters of your own). */
  public MeterRegistry registry() {
    return registry;
  }

  /** How many (queue, task) pairs have series now (bounded by the builder's maxSeries). */
  public int jobSeries() {
    return jobs.series();
  }

  /**
   * Adds the per-queue gauges of a store (depth, scheduled, running, oldest ready job's age, live
   * workers, busy and free slots), the duplicate executions per task ({@code
   * spindle.jobs.duplicates}, where the store keeps an attempts ledger) and the open incidents per
   * kind and queue ({@code spindle.incidents.open}, for a store that keeps incidents), read through
   * the operators' side of the store ({@link StoreAdmin#inspector()}, {@link StoreAdmin#attempts()},
   * {@link StoreAdmin#incidents()}) at most once per
   * refresh interval.
   *
   * @return this
   */
  public SpindleMetrics bindStore(StoreAdmin admin) {
    StoreGauges g = new StoreGauges(Objects.requireNonNull(admin, "admin").inspector(), admin.attempts().orElse(null),
        admin.incidents().orElse(null), registry, clock, storeRefresh, maxQueues);
    stores.add(g);
    Gauge.builder("spindle.store.queues", g, StoreGauges::queues)
        .description("queues the bound store knows (reading it refreshes the per-queue gauges)").register(registry);
    g.start();
    return this;
  }

  /**
   * Adds an executor's statistics to the {@code spindle_executor_*} meters (summed over every bound
   * executor); the supplier may return {@code null} while it has none.
   *
   * @return this
   */
  public SpindleMetrics bindExecutor(Supplier<ExecutorStats> stats) {
    executors.add(Objects.requireNonNull(stats, "stats"));
    return this;
  }

  /**
   * Adds a service manager's figures to the {@code spindle_supervisor_*} meters; the supplier (for
   * example {@code manager::status}) may return {@code null}.
   *
   * @return this
   */
  public SpindleMetrics bindSupervisor(Supplier<ManagerStatus> status) {
    supervisors.add(Objects.requireNonNull(status, "status"));
    return this;
  }

  /**
   * The Prometheus text exposition (format 0.0.4).
   *
   * @throws IllegalStateException if the registry is not a {@link PrometheusMeterRegistry}
   */
  public String scrape() {
    if (registry instanceof PrometheusMeterRegistry p) {
      return p.scrape();
    }
    throw new IllegalStateException("the meter registry is a " + registry.getClass().getName()
        + ", not a PrometheusMeterRegistry: it has no Prometheus text");
  }

  /** The media type of {@link #scrape()}. */
  public static String contentType() {
    return "text/plain; version=0.0.4; charset=utf-8";
  }

  private double sumExecutors(ToDoubleFunction<ExecutorStats> f) {
    double sum = 0;
    for (Supplier<ExecutorStats> s : executors) {
      ExecutorStats st;
      try {
        st = s.get();
      } catch (RuntimeException e) {
        continue;
      }
      if (st != null) {
        sum += f.applyAsDouble(st);
      }
    }
    return sum;
  }

  private void registerExecutorMeters() {
    executorCounter("submitted", s -> s.executed() + s.queued() + s.active());
    executorCounter("completed", s -> s.executed() - s.failed());
    executorCounter("failed", ExecutorStats::failed);
    executorCounter("cancelled", ExecutorStats::cancelled);
    executorCounter("rejected", ExecutorStats::rejected);
    Gauge.builder("spindle.executor.running", this, m -> m.sumExecutors(ExecutorStats::active))
        .description("executions running now on the bound local executors").register(registry);
    Gauge.builder("spindle.executor.queued", this, m -> m.sumExecutors(ExecutorStats::queued))
        .description("executions waiting for a thread or child JVM of the bound local executors").register(registry);
  }

  private void executorCounter(String outcome, ToDoubleFunction<ExecutorStats> f) {
    FunctionCounter.builder("spindle.executor.tasks", this, m -> m.sumExecutors(f))
        .description("executions of the bound local executors, by outcome").tag("outcome", outcome)
        .register(registry);
  }

  private double sumServices(ToDoubleFunction<ServiceStatus> f) {
    double sum = 0;
    for (Supplier<ManagerStatus> s : supervisors) {
      ManagerStatus st;
      try {
        st = s.get();
      } catch (RuntimeException e) {
        continue;
      }
      if (st != null) {
        for (ServiceStatus svc : st.services()) {
          sum += f.applyAsDouble(svc);
        }
      }
    }
    return sum;
  }

  private void registerSupervisorMeters() {
    FunctionCounter.builder("spindle.supervisor.restarts", this, m -> m.sumServices(ServiceStatus::restarts))
        .description("child JVMs restarted by the supervisor").register(registry);
    Gauge.builder("spindle.supervisor.crash.loops", this, m -> m.sumServices(s -> s.crashLooping() ? 1 : 0))
        .description("services whose children keep dying young").register(registry);
    Gauge.builder("spindle.supervisor.child.rss", this, m -> m.sumServices(s -> {
      long rss = 0;
      for (WorkerStatus w : s.workerStatuses()) {
        rss += Math.max(0, w.residentBytes());
      }
      return rss;
    })).baseUnit("bytes").description("resident memory of the supervisor's child JVMs").register(registry);
  }

  /** Validates settings as they are given. Not thread-safe. */
  public static final class Builder {
    private @Nullable MeterRegistry registry;
    private @Nullable OpenTelemetry openTelemetry;
    private int maxSeries = 10_000;
    private int maxQueues = 2_000;
    private Duration storeRefresh = Duration.ofSeconds(10);
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** The registry to record into (default: a new {@link PrometheusMeterRegistry}). */
    public Builder registry(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** Turns tracing on with this OpenTelemetry (its tracer makes the {@code process} spans). */
    public Builder tracing(OpenTelemetry openTelemetry) {
      this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
      return this;
    }

    /**
     * The most (queue, task) pairs with series of their own.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxSeries(int pairs) {
      if (pairs < 1) {
        throw new IllegalArgumentException("maxSeries must be >= 1: " + pairs);
      }
      this.maxSeries = pairs;
      return this;
    }

    /**
     * The most queues with series of their own.
     *
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxQueues(int queues) {
      if (queues < 1) {
        throw new IllegalArgumentException("maxQueues must be >= 1: " + queues);
      }
      this.maxQueues = queues;
      return this;
    }

    /**
     * The least time between two reads of a bound store (set it to the scrape interval).
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder storeRefresh(Duration refresh) {
      if (refresh.isNegative()) {
        throw new IllegalArgumentException("storeRefresh must not be negative: " + refresh);
      }
      this.storeRefresh = refresh;
      return this;
    }

    /** The clock for ages. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The metrics object. */
    public SpindleMetrics build() {
      return new SpindleMetrics(this);
    }
  }
}
