package dev.spindle.queue.spi;

import dev.spindle.queue.JobState;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Selects jobs for {@link JobInspector#listJobs}, {@link JobInspector#purge} and the bulk changes of
 * {@link QueueControl}. Immutable; start from {@link #all()} and narrow with the {@code with...}
 * methods. Every condition given must hold (AND); time bounds are inclusive below and exclusive
 * above ({@code after <= t < before}).
 *
 * @param states states to include (empty = all)
 * @param queue a queue name, or {@code null} for all
 * @param task a task name, or {@code null} for all
 * @param finishedBefore only jobs finished before this instant, or {@code null}
 * @param beforeId only jobs with a smaller id (paging: newest first), or {@code null}
 * @param limit the most jobs returned or changed
 * @param text only jobs whose arguments JSON or last error JSON contains this text, ignoring ASCII
 *     case; at least {@value #MIN_TEXT} and at most {@value #MAX_TEXT} characters, or {@code null}
 * @param createdAfter only jobs enqueued at or after this instant, or {@code null}
 * @param createdBefore only jobs enqueued before this instant, or {@code null}
 * @param finishedAfter only jobs finished at or after this instant, or {@code null}
 */
public record JobFilter(Set<JobState> states, @Nullable String queue, @Nullable String task,
    @Nullable Instant finishedBefore, @Nullable String beforeId, int limit, @Nullable String text,
    @Nullable Instant createdAfter, @Nullable Instant createdBefore, @Nullable Instant finishedAfter) {
  /** The shortest search text (stores index text by three-character pieces). */
  public static final int MIN_TEXT = 3;
  /** The longest search text. */
  public static final int MAX_TEXT = 200;

  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException if the limit is below 1, the id is not a job id, the text is
   *     too short or too long or contains a NUL character, or a time range is empty
   */
  public JobFilter {
    states = states.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(states));
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be >= 1: " + limit);
    }
    if (beforeId != null) {
      parseId(beforeId);
    }
    if (text != null) {
      int n = text.codePointCount(0, text.length());
      if (n < MIN_TEXT || n > MAX_TEXT) {
        throw new IllegalArgumentException("search text must have " + MIN_TEXT + " to " + MAX_TEXT
            + " characters, not " + n);
      }
      if (text.indexOf('\0') >= 0) { // SQL text columns cannot hold it: a store error on every SQL store
        throw new IllegalArgumentException("search text must not contain a NUL character (U+0000)");
      }
    }
    checkRange("created", createdAfter, createdBefore);
    checkRange("finished", finishedAfter, finishedBefore);
  }

  /** The filter without the search fields (text, created and finished-after bounds). */
  public JobFilter(Set<JobState> states, @Nullable String queue, @Nullable String task,
      @Nullable Instant finishedBefore, @Nullable String beforeId, int limit) {
    this(states, queue, task, finishedBefore, beforeId, limit, null, null, null, null);
  }

  private static void checkRange(String what, @Nullable Instant after, @Nullable Instant before) {
    if (after != null && before != null && !after.isBefore(before)) {
      throw new IllegalArgumentException(what + " after " + after + " must be earlier than " + what + " before "
          + before);
    }
  }

  /** Every job, at most 100. */
  public static JobFilter all() {
    return new JobFilter(Set.of(), null, null, null, null, 100);
  }

  /** Only these states. */
  public JobFilter withStates(Set<JobState> states) {
    return new JobFilter(states, queue, task, finishedBefore, beforeId, limit, text, createdAfter, createdBefore,
        finishedAfter);
  }

  /** Only this state. */
  public JobFilter withState(JobState state) {
    return withStates(EnumSet.of(Objects.requireNonNull(state, "state")));
  }

  /** Only this queue ({@code null}: any). */
  public JobFilter withQueue(@Nullable String queue) {
    return new JobFilter(states, queue, task, finishedBefore, beforeId, limit, text, createdAfter, createdBefore,
        finishedAfter);
  }

  /** Only this task ({@code null}: any). */
  public JobFilter withTask(@Nullable String task) {
    return new JobFilter(states, queue, task, finishedBefore, beforeId, limit, text, createdAfter, createdBefore,
        finishedAfter);
  }

  /** Only jobs finished before this instant ({@code null}: no bound). */
  public JobFilter withFinishedBefore(@Nullable Instant finishedBefore) {
    return new JobFilter(states, queue, task, finishedBefore, beforeId, limit, text, createdAfter, createdBefore,
        finishedAfter);
  }

  /** Only jobs finished at or after this instant ({@code null}: no bound). */
  public JobFilter withFinishedAfter(@Nullable Instant finishedAfter) {
    return new JobFilter(states, queue, task, finishedBefore, beforeId, limit, text, createdAfter, createdBefore,
        finishedAfter);
  }

  /** Only jobs enqueued in {@code [after, before)}; either may be {@code null} (unbounded). */
  public JobFilter withCreated(@Nullable Instant after, @Nullable Instant before) {
    return new JobFilter(states, queue, task, finishedBefore, beforeId, limit, text, after, before, finishedAfter);
  }

  /** Only jobs whose arguments or error contain this text (ASCII case ignored); {@code null} for any. */
  public JobFilter withText(@Nullable String text) {
    return new JobFilter(states, queue, task, finishedBefore, beforeId, limit, text, createdAfter, createdBefore,
        finishedAfter);
  }

  /** Only jobs older than this id ({@code null}: from the newest). */
  public JobFilter withBeforeId(@Nullable String beforeId) {
    return new JobFilter(states, queue, task, finishedBefore, beforeId, limit, text, createdAfter, createdBefore,
        finishedAfter);
  }

  /** At most this many. */
  public JobFilter withLimit(int limit) {
    return new JobFilter(states, queue, task, finishedBefore, beforeId, limit, text, createdAfter, createdBefore,
        finishedAfter);
  }

  /**
   * True if a job with these fields passes every condition except {@link #beforeId} and the state
   * (which stores check from their indexes): the reference semantics every store follows.
   */
  public boolean matchesFields(String jobQueue, String jobTask, String argsJson, @Nullable String errorJson,
      Instant createdAt, @Nullable Instant finishedAt) {
    if ((queue != null && !queue.equals(jobQueue)) || (task != null && !task.equals(jobTask))) {
      return false;
    }
    if ((createdAfter != null && createdAt.isBefore(createdAfter))
        || (createdBefore != null && !createdAt.isBefore(createdBefore))) {
      return false;
    }
    if (finishedBefore != null || finishedAfter != null) {
      if (finishedAt == null || (finishedBefore != null && !finishedAt.isBefore(finishedBefore))
          || (finishedAfter != null && finishedAt.isBefore(finishedAfter))) {
        return false;
      }
    }
    if (text != null) {
      String t = asciiLower(text);
      return asciiLower(argsJson).contains(t) || (errorJson != null && asciiLower(errorJson).contains(t));
    }
    return true;
  }

  /** The text with ASCII letters in lower case (the case folding of text search). */
  public static String asciiLower(String s) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        if (b == null) {
          b = new StringBuilder(s);
        }
        b.setCharAt(i, (char) (c + 32));
      }
    }
    return b == null ? s : b.toString();
  }

  /** True if {@code state} passes the state filter. */
  public boolean includes(JobState state) {
    return states.isEmpty() || states.contains(state);
  }

  /**
   * Parses a job id.
   *
   * @throws IllegalArgumentException if it is not a positive decimal number
   */
  public static long parseId(String id) {
    try {
      long v = Long.parseLong(id);
      if (v > 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException("not a job id: '" + id + "' (job ids are positive numbers)");
  }
}
