package dev.spindle.test;

import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What an enqueue assertion of {@link SpindleTestQueue} expects besides the task and its arguments:
 * the queue, the delay (from the enqueue to the job's run time) and how many such jobs. Unset parts
 * match anything; the count defaults to "at least one". Immutable and thread-safe.
 *
 * <pre>{@code
 * spindle.assertEnqueued(SEND_MAIL, new Mail("a@example.com"), JobMatch.any().queue("mail").delay(Duration.ofMinutes(5)));
 * }</pre>
 */
public final class JobMatch {
  private static final JobMatch ANY = new JobMatch(null, null, null);

  private final @Nullable String queue;
  private final @Nullable Duration delay;
  private final @Nullable Integer count;

  private JobMatch(@Nullable String queue, @Nullable Duration delay, @Nullable Integer count) {
    this.queue = queue;
    this.delay = delay;
    this.count = count;
  }

  /**
   * Matches a job in any queue with any delay; at least one is expected.
   *
   * @return the match without conditions
   */
  public static JobMatch any() {
    return ANY;
  }

  /**
   * Only jobs in this queue.
   *
   * @param queue the queue name
   * @return this match with the queue
   * @throws IllegalArgumentException if the name is not a valid queue name
   */
  public JobMatch queue(String queue) {
    return new JobMatch(JobOptions.validateQueue(queue), delay, count);
  }

  /**
   * Only jobs whose run time is exactly this long after their enqueue ({@link Duration#ZERO}: due at
   * once). The test queue's clock only moves when the test moves it, so delays are exact.
   *
   * @param delay from the enqueue to the run time
   * @return this match with the delay
   * @throws IllegalArgumentException if negative
   */
  public JobMatch delay(Duration delay) {
    if (Objects.requireNonNull(delay, "delay").isNegative()) {
      throw new IllegalArgumentException("a delay is not negative: " + delay);
    }
    return new JobMatch(queue, delay, count);
  }

  /**
   * Exactly this many matching jobs (instead of at least one).
   *
   * @param count the number of matching jobs expected
   * @return this match with the count
   * @throws IllegalArgumentException if below 1 (use {@code refuteEnqueued} for none)
   */
  public JobMatch count(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be >= 1 (refuteEnqueued asserts none): " + count);
    }
    return new JobMatch(queue, delay, count);
  }

  /** True if the job has the queue and delay asked for (the task and arguments are checked elsewhere). */
  boolean matches(JobInfo job) {
    return (queue == null || queue.equals(job.queue()))
        && (delay == null || delay.equals(Duration.between(job.createdAt(), job.runAt())));
  }

  /** True if {@code found} matching jobs satisfy the expected count. */
  boolean countMatches(int found) {
    return count == null ? found > 0 : found == count;
  }

  /** The expected count, as words: "1 job", "at least one job", "3 jobs". */
  String describeCount() {
    return count == null ? "at least one job" : count == 1 ? "exactly 1 job" : "exactly " + count + " jobs";
  }

  /** The conditions besides task and arguments, e.g. " in queue 'mail' delayed by PT5M", or "". */
  String describeConditions() {
    List<String> parts = new ArrayList<>();
    if (queue != null) {
      parts.add("in queue '" + queue + "'");
    }
    if (delay != null) {
      parts.add("delayed by " + delay);
    }
    return parts.isEmpty() ? "" : " " + String.join(" ", parts);
  }

  @Override
  public String toString() {
    return "JobMatch[" + describeCount() + describeConditions() + "]";
  }
}
