package dev.spindle.queue.spi;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a suspended durable job waits for: a timer, a signal with a timeout, or another job's end with a
 * timeout. A store keeps at most
 * one per job, from {@link DurableStore#suspend} until the job suspends again or is removed, and
 * schedules the job at {@link #until}. Immutable; thread-safe.
 *
 * @param kind timer or signal
 * @param signal the signal's name ({@link Kind#SIGNAL}) or the awaited job's id ({@link Kind#JOB}),
 *     else {@code null}
 * @param number the 0-based number of the signal of that name it waits for ({@link Kind#SIGNAL}),
 *     else 0
 * @param sequence the sequence of the durable call that waits (see {@link StepRecord#sequence()}):
 *     a resumed attempt recognises its own wait by it
 * @param until when the job runs again anyway: a timer's fire time, a wait's timeout (the
 *     caller's clock; the store moves it onto its own)
 */
public record WaitFor(Kind kind, @Nullable String signal, int number, int sequence, Instant until) {
  /** What kind of wait. */
  public enum Kind {
    /** A durable timer. */
    TIMER,
    /** A signal of a name, or its timeout. */
    SIGNAL,
    /** The end (SUCCEEDED, FAILED, DEAD, CANCELLED) of another job, or the timeout. */
    JOB
  }

  public WaitFor {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(until, "until");
    if ((kind == Kind.TIMER) != (signal == null)) {
      throw new IllegalArgumentException("a signal or job wait, and only one, names its signal or job");
    }
    if (number < 0 || sequence < 0) {
      throw new IllegalArgumentException("number and sequence must be >= 0");
    }
  }

  /** A timer firing at {@code fireAt}, set by the durable call of {@code sequence}. */
  public static WaitFor timer(int sequence, Instant fireAt) {
    return new WaitFor(Kind.TIMER, null, 0, sequence, fireAt);
  }

  /** A wait for the {@code number}-th signal {@code name}, or until {@code timeoutAt}. */
  public static WaitFor signal(String name, int number, int sequence, Instant timeoutAt) {
    return new WaitFor(Kind.SIGNAL, Objects.requireNonNull(name, "name"), number, sequence, timeoutAt);
  }

  /** A wait for the end of job {@code jobId}, or until {@code timeoutAt}. */
  public static WaitFor job(String jobId, int sequence, Instant timeoutAt) {
    return new WaitFor(Kind.JOB, Objects.requireNonNull(jobId, "jobId"), 0, sequence, timeoutAt);
  }

  /** The awaited job's id if this is a {@link Kind#JOB} wait, else {@code null}. */
  public @Nullable String job() {
    return kind == Kind.JOB ? signal : null;
  }

  /** True if the end of job {@code jobId} wakes this wait. */
  public boolean wokenByEndOf(String jobId) {
    return kind == Kind.JOB && jobId.equals(signal);
  }

  /** True if a signal {@code name} wakes this wait. */
  public boolean wokenBy(String name) {
    return kind == Kind.SIGNAL && name.equals(signal);
  }
}
