package dev.spindle.metrics.internal;

import dev.spindle.queue.JobObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The meters of one (queue, task) pair, created once and then only looked up. Thread-safe.
 */
final class Meters {
  /** Histogram buckets of wait and run times: 1 ms to 1 hour. */
  static final Duration[] BUCKETS = {
    Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(50),
    Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5),
    Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5),
    Duration.ofMinutes(15), Duration.ofHours(1)
  };
  private static final JobObserver.Outcome[] OUTCOMES = JobObserver.Outcome.values();

  private final MeterRegistry registry;
  private final String queue;
  private final String task;
  final Counter enqueued;
  /** The name of this queue's process spans. */
  final String spanName;
  final Timer wait;
  private final Counter[] outcomes = new Counter[OUTCOMES.length];
  /** Run times of attempts that returned ({@code outcome="succeeded"}) or threw ({@code "failed"}). */
  private final Timer runSucceeded;
  private final Timer runFailed;

  Meters(MeterRegistry registry, String queue, String task) {
    this.registry = registry;
    this.queue = queue;
    this.task = task;
    this.spanName = "process " + queue;
    this.enqueued = Counter.builder("spindle.jobs.enqueued").description("jobs added to the store")
        .tags("queue", queue, "task", task).register(registry);
    this.wait = Timer.builder("spindle.jobs.wait")
        .description("from a job's due time (enqueue, delay or retry time) to the start of an attempt")
        .tags("queue", queue, "task", task).serviceLevelObjectives(BUCKETS).register(registry);
    for (JobObserver.Outcome o : OUTCOMES) {
      String name = switch (o) {
        case SUCCEEDED -> "spindle.jobs.succeeded";
        case FAILED -> "spindle.jobs.failed";
        case RETRIED -> "spindle.jobs.retried";
        case DEAD -> "spindle.jobs.dead";
        case CANCELLED -> "spindle.jobs.cancelled";
        case RELEASED -> "spindle.jobs.released";
        case LOST -> "spindle.jobs.lost";
      };
      outcomes[o.ordinal()] = Counter.builder(name).description("job attempts that ended " + o.label())
          .tags("queue", queue, "task", task).register(registry);
    }
    this.runSucceeded = runTimer("succeeded");
    this.runFailed = runTimer("failed");
  }

  /** Counts an attempt's end. */
  void outcome(JobObserver.Outcome o) {
    outcomes[o.ordinal()].increment();
  }

  /**
   * The run-time timer of an outcome: attempts that returned are {@code succeeded}, those that threw
   * (FAILED, RETRIED, DEAD) {@code failed}; cancelled, released and lost attempts are counted but
   * not timed (null). Both timers exist from the start, so a pair's memory never grows.
   */
  @Nullable Timer run(JobObserver.Outcome o) {
    return switch (o) {
      case SUCCEEDED -> runSucceeded;
      case FAILED, RETRIED, DEAD -> runFailed;
      default -> null;
    };
  }

  private Timer runTimer(String outcome) {
    return Timer.builder("spindle.jobs.run").description("how long job attempts ran: succeeded, or failed (threw)")
        .tags("queue", queue, "task", task, "outcome", outcome).serviceLevelObjectives(BUCKETS).register(registry);
  }
}
