package dev.spindle.queue.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Group commit for a worker's {@link Dispatcher}: how long to let outcomes gather before the next
 * store call. A job that usually ends sooner than a store call takes is worth waiting for, since
 * writing its outcome in this call costs a fraction of writing it in a call of its own. Without the
 * wait, a dispatcher that loops straight back after starting a round of short jobs writes the few
 * that already ended, claims as few, and the worker's jobs split into ever smaller rounds: a drain
 * of no-op jobs on SQLite made 13 completions per call where 16 slots allowed 16, and 9 once tracing
 * made each job start a few microseconds later, so the one thread every job passes through paid a
 * store call per 9 jobs.
 *
 * <p>So while jobs the last round started still run, and such jobs usually end (claim to end) in
 * less time than a store call takes, the dispatcher waits until they have all ended, or until twice
 * their usual time since that claim, at most half a usual store call and at most {@link #MAX_WAIT}.
 * Long jobs, a worker whose last round started nothing and a stopping worker never wait. The usual
 * times are moving averages (weight 1/8) of the store calls' durations and of the jobs' times from
 * claim to end; a job still running when the next round starts counts with the time it has run so
 * far, so long jobs push the average up and end the waiting.
 *
 * <p>Dispatcher thread only. A round's jobs are given as their end times ({@link InFlight#endNanos},
 * volatile: 0 while the job runs), all on the clock of {@link System#nanoTime()}.
 */
final class OutcomeGathering {
  /** The longest wait for a round's outcomes, whatever the averages say. */
  static final long MAX_WAIT = TimeUnit.MILLISECONDS.toNanos(5);
  private static final int WEIGHT_SHIFT = 3;

  /** Average store call, ns; -1 before the first. */
  private long callNanos = -1;
  /** Average time from a claim to the end of a job it gave, ns; -1 before the first. */
  private long latencyNanos = -1;
  /** The end times of the jobs the last round started whose end has not been sampled yet. */
  private final List<LongSupplier> lastRound = new ArrayList<>();
  private long lastClaimNanos;

  /** The average store call, ns; -1 before the first. */
  long callNanos() {
    return callNanos;
  }

  /** Records a store call that took {@code nanos}. */
  void called(long nanos) {
    callNanos = average(callNanos, nanos);
  }

  /**
   * A new round started the jobs whose end times {@code round} gives, on a claim that returned at
   * {@code claimNanos}.
   */
  void started(List<LongSupplier> round, long claimNanos) {
    for (LongSupplier job : lastRound) {
      long end = job.getAsLong();
      latencyNanos = average(latencyNanos, (end != 0 ? end : claimNanos) - lastClaimNanos);
    }
    lastRound.clear();
    lastRound.addAll(round);
    lastClaimNanos = claimNanos;
  }

  /**
   * How many of the last round's jobs still run (sampling the times of those that ended), or 0 if
   * waiting for them is not worth it now.
   */
  int worthWaitingFor(long now) {
    if (lastRound.isEmpty()) {
      return 0;
    }
    int running = 0; // the jobs still running move to the front, in one pass
    for (int i = 0; i < lastRound.size(); i++) {
      LongSupplier job = lastRound.get(i);
      long end = job.getAsLong();
      if (end != 0) {
        latencyNanos = average(latencyNanos, end - lastClaimNanos);
      } else {
        lastRound.set(running++, job);
      }
    }
    lastRound.subList(running, lastRound.size()).clear();
    return running > 0 && deadline(now) - now > 0 ? running : 0;
  }

  /**
   * Until when (System.nanoTime) to wait for the last round's jobs: twice their usual time from the
   * claim, at most half a usual store call from {@code now}; {@code now} if the averages are unknown
   * or the jobs are not shorter than a store call.
   */
  long deadline(long now) {
    if (callNanos < 0 || latencyNanos < 0 || latencyNanos >= callNanos) {
      return now;
    }
    long byJobs = lastClaimNanos + 2 * latencyNanos;
    long byCall = now + Math.min(callNanos / 2, MAX_WAIT);
    return byJobs - byCall < 0 ? byJobs : byCall;
  }

  private static long average(long avg, long sample) {
    long s = Math.max(0, sample);
    return avg < 0 ? s : avg + ((s - avg) >> WEIGHT_SHIFT);
  }
}
