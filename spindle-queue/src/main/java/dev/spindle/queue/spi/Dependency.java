package dev.spindle.queue.spi;

import dev.spindle.queue.DependencyPolicy;
import java.util.Objects;

/**
 * One job a {@link NewJob} waits for: an existing job's id ({@code "42"}), or an earlier job of the
 * same {@link JobStore#enqueue} batch ({@code "#3"}: the batch's fourth job), which is how a whole
 * workflow is added in one atomic call. Immutable.
 *
 * @param on a job id, or {@code #} and a zero-based index into the batch
 * @param policy what a failure of that job does to the dependent
 */
public record Dependency(String on, DependencyPolicy policy) {
  /** The most dependencies one job may have. */
  public static final int MAX_PER_JOB = 100_000;

  public Dependency {
    Objects.requireNonNull(on, "on");
    Objects.requireNonNull(policy, "policy");
    if (on.startsWith("#")) {
      parseIndex(on);
    } else if (!isJobId(on)) {
      throw new IllegalArgumentException("a dependency names a job id (digits) or an earlier job of the batch"
          + " (#index), not '" + dev.spindle.spi.Echo.of(on) + "'");
    }
  }

  /** A dependency on an existing job. */
  public static Dependency onJob(String jobId, DependencyPolicy policy) {
    return new Dependency(jobId, policy);
  }

  /** A dependency on the {@code index}-th job (from 0) of the same enqueue batch. */
  public static Dependency onBatchJob(int index, DependencyPolicy policy) {
    if (index < 0) {
      throw new IllegalArgumentException("batch index " + index + " < 0");
    }
    return new Dependency("#" + index, policy);
  }

  /** True if this names a job of the same batch. */
  public boolean inBatch() {
    return on.startsWith("#");
  }

  /** The batch index of an {@link #inBatch()} dependency. */
  public int batchIndex() {
    return parseIndex(on);
  }

  private static int parseIndex(String ref) {
    try {
      int i = Integer.parseInt(ref.substring(1));
      if (i >= 0) {
        return i;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("a batch reference is # and an index >= 0, not '"
        + dev.spindle.spi.Echo.of(ref) + "'");
  }

  private static boolean isJobId(String s) {
    if (s.isEmpty() || s.length() > 19) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }
}
