package dev.spindle.queue.internal;

import dev.spindle.ExecutionModel;
import dev.spindle.Task;
import dev.spindle.TaskExecutor;
import dev.spindle.TaskRegistry;
import dev.spindle.queue.spi.JobStore;
import dev.spindle.queue.spi.RetentionLimits;
import dev.spindle.spi.JsonCodec;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The validated, immutable configuration of a worker, produced by {@link dev.spindle.queue.Worker.Builder}.
 *
 * @param executor an executor to run tasks on, or {@code null} to create one for {@code model}
 * @param resolver finds tasks by name (the allow-list)
 * @param scheduleInterval how often due recurring schedules are looked for: when this much time has passed on
 *     the clock or on the monotonic clock, whichever comes first ({@link Cadence})
 * @param queueLimits queue concurrency limits to set in the store at start
 * @param clockSkewWarning how far the worker's clock may be off the store's before it warns
 * @param prefetch how many jobs the worker may claim beyond its free slots while jobs are short
 *     ({@link Prefetched}); 0 for none
 * @param keyRing the keys that decrypt encrypted arguments and encrypt their results, or {@code null}
 *     for none (an encrypted job then fails naming its key id)
 * @param durable the rules of its jobs' durable calls and the tasks whose results it memoizes
 * @param progress how its jobs' progress reports are kept and written
 * @param stallDetector the detector its housekeeping runs (when it does maintenance), or {@code null}
 */
public record WorkerSettings(JobStore store, String name, List<String> queues, int concurrency, ExecutionModel model,
    @Nullable TaskExecutor executor, TaskResolver resolver, TaskRegistry registry, JsonCodec codec, Clock clock,
    Listeners listeners, Duration leaseDuration, Duration heartbeatInterval, Duration pollInterval,
    Duration shutdownGrace, boolean runSchedules, Duration scheduleInterval, boolean maintenance,
    RetentionLimits retention,
    Duration purgeInterval, RandomGenerator random, Map<String, Integer> queueLimits, Duration clockSkewWarning,
    ChildSubmitter children, int prefetch, dev.spindle.queue.@Nullable KeyRing keyRing, DurableSettings durable,
    ProgressSettings progress, dev.spindle.queue.health.@Nullable StallDetector stallDetector) {

  /** Settings with the default progress settings and no stall detector. */
  public WorkerSettings(JobStore store, String name, List<String> queues, int concurrency, ExecutionModel model,
      @Nullable TaskExecutor executor, TaskResolver resolver, TaskRegistry registry, JsonCodec codec, Clock clock,
      Listeners listeners, Duration leaseDuration, Duration heartbeatInterval, Duration pollInterval,
      Duration shutdownGrace, boolean runSchedules, Duration scheduleInterval, boolean maintenance,
      RetentionLimits retention, Duration purgeInterval, RandomGenerator random, Map<String, Integer> queueLimits,
      Duration clockSkewWarning, ChildSubmitter children, int prefetch, dev.spindle.queue.@Nullable KeyRing keyRing,
      DurableSettings durable) {
    this(store, name, queues, concurrency, model, executor, resolver, registry, codec, clock, listeners,
        leaseDuration, heartbeatInterval, pollInterval, shutdownGrace, runSchedules, scheduleInterval, maintenance,
        retention, purgeInterval, random, queueLimits, clockSkewWarning, children, prefetch, keyRing, durable,
        ProgressSettings.defaults(), null);
  }

  /** Settings with the default durable-execution settings. */
  public WorkerSettings(JobStore store, String name, List<String> queues, int concurrency, ExecutionModel model,
      @Nullable TaskExecutor executor, TaskResolver resolver, TaskRegistry registry, JsonCodec codec, Clock clock,
      Listeners listeners, Duration leaseDuration, Duration heartbeatInterval, Duration pollInterval,
      Duration shutdownGrace, boolean runSchedules, Duration scheduleInterval, boolean maintenance,
      RetentionLimits retention, Duration purgeInterval, RandomGenerator random, Map<String, Integer> queueLimits,
      Duration clockSkewWarning, ChildSubmitter children, int prefetch, dev.spindle.queue.@Nullable KeyRing keyRing) {
    this(store, name, queues, concurrency, model, executor, resolver, registry, codec, clock, listeners,
        leaseDuration, heartbeatInterval, pollInterval, shutdownGrace, runSchedules, scheduleInterval, maintenance,
        retention, purgeInterval, random, queueLimits, clockSkewWarning, children, prefetch, keyRing,
        DurableSettings.defaults());
  }

  /** Settings without a key ring. */
  public WorkerSettings(JobStore store, String name, List<String> queues, int concurrency, ExecutionModel model,
      @Nullable TaskExecutor executor, TaskResolver resolver, TaskRegistry registry, JsonCodec codec, Clock clock,
      Listeners listeners, Duration leaseDuration, Duration heartbeatInterval, Duration pollInterval,
      Duration shutdownGrace, boolean runSchedules, Duration scheduleInterval, boolean maintenance,
      RetentionLimits retention, Duration purgeInterval, RandomGenerator random, Map<String, Integer> queueLimits,
      Duration clockSkewWarning, ChildSubmitter children, int prefetch) {
    this(store, name, queues, concurrency, model, executor, resolver, registry, codec, clock, listeners,
        leaseDuration, heartbeatInterval, pollInterval, shutdownGrace, runSchedules, scheduleInterval, maintenance,
        retention, purgeInterval, random, queueLimits, clockSkewWarning, children, prefetch, null,
        DurableSettings.defaults());
  }

  /** Finds a task by name. Thread-safe. */
  public interface TaskResolver {
    /** The task, if allowed. */
    Optional<Task<?, ?>> find(String name);

    /** The known names, for error messages. */
    String describeKnown();

    /**
     * The names of every task it knows now: what the worker registers and, once it met a job of a
     * task it does not know, the only tasks it claims. Cheap to call when the set has not changed.
     */
    java.util.Set<String> names();

    /** A resolver over a registry. */
    static TaskResolver of(TaskRegistry registry) {
      return new TaskResolver() {
        @Override
        public Optional<Task<?, ?>> find(String name) {
          return registry.find(name);
        }

        @Override
        public String describeKnown() {
          return registry.names().isEmpty() ? "none" : String.join(", ", registry.names());
        }

        @Override
        public java.util.Set<String> names() {
          return registry.names();
        }
      };
    }
  }
}
