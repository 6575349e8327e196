package dev.spindle.queue.spi;

import dev.spindle.queue.FlowLimit;
import dev.spindle.queue.JobError;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The hot-path side of a store's flow control: the {@link FlowLimit}s it enforces inside its claim,
 * defined by the producer that names one, and pausing the key of a running job. Reached with
 * {@link JobStore#flow()}; changing, removing and listing limits and asking why a job waits is the
 * operators' {@link FlowAdmin}. Thread-safe; every method is atomic. The contract suite is {@code
 * dev.spindle.testkit.store.FlowControlContract}.
 *
 * <p>How a claim uses it: a job enqueued with a {@link NewJob#flowKey()} ({@code limit:value}) is
 * claimed only while its key is under every rule of the limit named by the key's prefix (a key whose
 * limit is not stored is not limited); ready jobs of one queue are taken round-robin across keys
 * (jobs without a key form one more group in the round), highest priority then oldest first within a
 * key. A claim counts a start against the rate and window rules of the job's key; a concurrency
 * permit is the RUNNING job itself. Times are on the store's clock.
 */
public interface FlowControl {
  /** The dead reason of a job whose key could not be computed from its arguments. */
  String BAD_FLOW_KEY = "bad_flow_key";

  /** The prefix of a {@link NewJob#flowKey()} that carries why a key could not be computed. */
  String BAD_KEY_PREFIX = "!";

  /** Adds a limit unless one of the same name is stored; true if added. */
  boolean defineLimit(FlowLimit limit);

  /**
   * Pauses the key of the job {@code jobId}, RUNNING under {@code fence}, until {@code until} (the
   * caller's clock, moved onto the store's): no job of the key is claimed before then. A later pause
   * of the same key keeps the later time.
   *
   * @return false if the job is not RUNNING under {@code fence} or has no key (nothing paused)
   */
  boolean pauseKey(String jobId, long fence, Instant until, Instant now);

  /** The key {@code flowKey} of a job whose key could not be computed, carrying {@code reason}. */
  static String badKey(@Nullable String reason) {
    return BAD_KEY_PREFIX + reason;
  }

  /** True if {@code flowKey} is a {@link #badKey}. */
  static boolean isBad(@Nullable String flowKey) {
    return flowKey != null && flowKey.startsWith(BAD_KEY_PREFIX);
  }

  /** The error JSON a store writes on a job dead-lettered for the {@link #badKey} {@code flowKey}. */
  static String badKeyError(String flowKey) {
    return JobError.of("dev.spindle.queue.FlowKeyException", flowKey.substring(BAD_KEY_PREFIX.length())).toJson();
  }
}
