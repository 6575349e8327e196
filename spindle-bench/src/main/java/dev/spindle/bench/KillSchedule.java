package dev.spindle.bench;

import java.util.concurrent.ThreadLocalRandom;

/**
 * When a fault bench kills its next worker: every {@code every} on average, each gap drawn
 * uniformly from half to one and a half times it. A fixed period equal to the lease put each kill
 * just as the previous victim's jobs were reclaimed, so a worker claimed them moments before the
 * next kill, again and again: three such losses in a row dead-letter a job ({@code maxWorkerLost},
 * 3 by default), which the Redis DAG run under a kill every 2 s with a 2 s lease hit in 3 runs of 8.
 * Not thread-safe.
 */
final class KillSchedule {
  private final long everyNanos;
  private long next;

  /** @param everyMillis the mean time between kills */
  KillSchedule(long everyMillis) {
    this.everyNanos = everyMillis * 1_000_000L;
    this.next = System.nanoTime() + gap();
  }

  /** Whether a kill is due now; when it is, the next one is scheduled from now. */
  boolean due() {
    long now = System.nanoTime();
    if (now < next) {
      return false;
    }
    next = now + gap();
    return true;
  }

  private long gap() {
    return (long) (everyNanos * (0.5 + ThreadLocalRandom.current().nextDouble()));
  }
}
