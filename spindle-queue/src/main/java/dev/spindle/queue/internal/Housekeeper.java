package dev.spindle.queue.internal;

import dev.spindle.queue.JobEvent;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobState;
import dev.spindle.queue.StoreException;
import dev.spindle.queue.spi.Completion;
import dev.spindle.queue.spi.HeartbeatResult;
import dev.spindle.queue.spi.WorkerRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The housekeeping of a {@link WorkerRuntime}, on its own thread every 25 ms: job timeouts,
 * heartbeats (lease renewal, clock skew, lost leases and cancel requests), reclaiming the jobs of
 * dead workers, due schedules and retention. Its mutable fields belong to the housekeeping thread
 * (and to {@link WorkerRuntime#start()} before that thread starts), except the rate, which is
 * volatile.
 */
final class Housekeeper {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerRuntime.class);
  private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(25);

  /** Heartbeats in a row that must see a job held here but unknown here before it is handed back. */
  static final int STRANGER_HEARTBEATS = 3;

  /** Jobs held here by the store's account but unknown here, and in how many heartbeats in a row. */
  private final java.util.Map<String, Integer> strangers = new java.util.HashMap<>();
  private final WorkerRuntime rt;
  private final WorkerSettings settings;
  private final String workerId;
  private final ClockSkew skew;
  private final ScheduleRunner schedules;
  private final CompletionReporter reporter;
  /**
   * Heartbeats between two that carry the worker's task names although they did not change: a store
   * that lost the worker's record (reclaimed after a long pause, a server that lost its data) has
   * them again within this many beats.
   */
  static final int TASKS_RESEND_BEATS = 60;
  /** The task names last sent, or null before the first heartbeat; guarded by {@code this}. */
  private java.util.@Nullable Set<String> tasksSent;
  /** Heartbeats since the task names were last sent; guarded by {@code this}. */
  private int beatsSinceTasks;
  private long lastRateProcessed;
  private @Nullable Instant lastRateAt;
  private volatile double rate;

  Housekeeper(WorkerRuntime rt, WorkerSettings settings, String workerId, ClockSkew skew,
      ScheduleRunner schedules, CompletionReporter reporter) {
    this.rt = rt;
    this.settings = settings;
    this.workerId = workerId;
    this.skew = skew;
    this.schedules = schedules;
    this.reporter = reporter;
  }

  /** The housekeeping thread's loop, until the worker terminated. */
  void loop() {
    Instant start = settings.clock().instant();
    long startNanos = System.nanoTime();
    Cadence heartbeats = new Cadence(settings.heartbeatInterval(), start, startNanos, false);
    Cadence reclaims = new Cadence(settings.heartbeatInterval(), start, startNanos, true);
    Cadence scheduleRuns = new Cadence(settings.scheduleInterval(), start, startNanos, true);
    Cadence purges = new Cadence(settings.purgeInterval(), start, startNanos, false);
    Cadence reportWrites = new Cadence(settings.progress().flushInterval(), start, startNanos, false);
    while (!rt.terminated) {
      if (!rt.awaitTick(TICK_NANOS)) {
        return;
      }
      try {
        Instant now = settings.clock().instant();
        long nanos = System.nanoTime();
        checkTimeouts(now, nanos);
        if (heartbeats.isDue(now, nanos)) {
          heartbeat();
          heartbeats.ran(now, nanos);
        }
        if (reportWrites.isDue(now, nanos)) {
          rt.reports.flushRunning(rt.inFlight.values());
          reportWrites.ran(now, nanos);
        }
        if (settings.maintenance() && reclaims.isDue(now, nanos)) {
          reclaim(now);
          reclaims.ran(now, nanos);
        }
        if (settings.runSchedules() && !rt.stopping && scheduleRuns.isDue(now, nanos)) {
          schedules.runDue(skew.onStoreClock(now));
          scheduleRuns.ran(now, nanos);
        }
        if (settings.maintenance() && settings.stallDetector() != null) {
          detectStalls(now);
        }
        if (settings.maintenance() && purges.isDue(now, nanos)) {
          int n = settings.store().purgeExpired(now, settings.retention());
          if (n > 0) {
            LOG.debug("worker {} removed {} expired job(s)", workerId, n);
          }
          if (n >= settings.retention().batch()) {
            purges.ranWithMoreToDo(now, nanos);
          } else {
            purges.ran(now, nanos);
          }
        }
      } catch (RuntimeException e) {
        if (e instanceof StoreException se && se.reason() == StoreException.Reason.REPLACED) {
          throw se; // the store's file is gone: the worker stops loudly (WorkerRuntime.die), not serve it on
        }
        reporter.logStoreFailure(e, 0);
      }
    }
  }

  /**
   * Stops the jobs past their timeout, measured on the monotonic clock from the start of their
   * execution: a timeout is a length of time, which no step of the wall clock, back or forward,
   * should stretch or cut short. On an in-JVM model the clock starts when the task begins to run on
   * its thread (a job that waits in the executor for a thread has not started); in a child JVM, at
   * the submission.
   */
  private void checkTimeouts(Instant now, long nanos) {
    for (InFlight f : rt.inFlight.values()) {
      Duration timeout = f.job.policy().timeout();
      long since = rt.wrapContext ? f.runningSinceNanos : f.startNanos;
      if (timeout != null && !f.timedOut && since != 0 && nanos - since >= Durations.toNanos(timeout)) {
        f.timedOut = true;
        reporter.timedOut.increment();
        LOG.warn("job {} (task '{}') exceeded its timeout of {}; stopping it", f.job.id(), f.job.task(), timeout);
        reporter.emit(JobEvent.Type.TIMED_OUT, f.job, JobState.RUNNING, now, null, "timeout " + timeout);
        f.stop();
      }
    }
  }

  /**
   * The task names for this heartbeat: sent in the first one, when they changed, and every {@link
   * #TASKS_RESEND_BEATS}th; null (the store keeps what it has) otherwise, so a beat stays light.
   */
  private synchronized java.util.@Nullable Set<String> tasksToSend() {
    java.util.Set<String> now = settings.resolver().names();
    if (tasksSent != null && ++beatsSinceTasks < TASKS_RESEND_BEATS && tasksSent.equals(now)) {
      return null;
    }
    tasksSent = java.util.Set.copyOf(now);
    beatsSinceTasks = 0;
    return tasksSent;
  }

  /**
   * Registers the worker or renews its lease; stops the jobs it lost or that were cancelled. Reads
   * the worker's clock itself, just before the store call: the store and {@link ClockSkew} compare
   * that reading with the store's clock, so an earlier one (a tick's, taken before its timeouts
   * were checked) would report however long that took as clock skew.
   */
  void heartbeat() {
    Instant now = settings.clock().instant();
    long processed = reporter.processedCount();
    if (lastRateAt != null) {
      double secs = Durations.nanosBetween(lastRateAt, now) / 1e9;
      if (secs > 0) {
        double current = (processed - lastRateProcessed) / secs;
        rate = rate == 0 ? current : 0.5 * rate + 0.5 * current;
      }
    }
    lastRateProcessed = processed;
    lastRateAt = now;
    long hbNanos = System.nanoTime();
    WorkerRecord rec = new WorkerRecord(workerId, settings.name(), WorkerRuntime.hostName(),
        ProcessHandle.current().pid(), settings.queues(), settings.concurrency(),
        (rt.executor == null ? settings.model() : rt.executor.model()).name(), rt.stopping ? "STOPPING" : "RUNNING",
        rt.startedAt, now, Durations.plus(now, settings.leaseDuration()), rt.running.get(), processed,
        reporter.failed.sum() + reporter.dead.sum(), rate).withTasks(tasksToSend());
    HeartbeatResult hb = settings.store().heartbeat(rec);
    if (hb.storeTime() != null) {
      skew.measure(now, System.nanoTime() - hbNanos, hb.storeTime());
    }
    for (InFlight f : rt.inFlight.values()) {
      String id = f.job.id();
      if (f.claimedNanos < hbNanos && !hb.held().contains(id) && !f.lost && !f.suspended) {
        f.lost = true;
        reporter.leaseLost.increment();
        LOG.warn("worker {} lost its lease on job {} (it was reclaimed, probably after a pause longer than the "
            + "lease of {}); stopping it and discarding its outcome", workerId, id, settings.leaseDuration());
        reporter.emit(JobEvent.Type.LEASE_LOST, f.job, JobState.RUNNING, now, null, null);
        f.stop();
      }
    }
    for (Prefetched.Held h : rt.prefetched.removeNotHeld(hb.held(), hbNanos)) {
      reporter.leaseLost.increment();
      LOG.warn("worker {} lost its lease on job {}, claimed ahead and not started (it was reclaimed); dropping it",
          workerId, h.job().id());
      reporter.emit(JobEvent.Type.LEASE_LOST, h.job(), JobState.RUNNING, now, null, null);
    }
    handBackStrangers(hb, now);
    for (String id : hb.cancelRequested()) {
      InFlight f = rt.inFlight.get(id);
      if (f != null && !f.cancelRequested) {
        f.cancelRequested = true;
        LOG.info("job {} was cancelled while running on worker {}; stopping it", id, workerId);
        f.stop();
      } else if (f == null) {
        Prefetched.Held h = rt.prefetched.remove(id);
        if (h != null) {
          LOG.info("job {} was cancelled while claimed ahead on worker {}; it will not start", id, workerId);
          rt.addDone(new JobOutcome(h.job(), Completion.cancelled(id, h.job().fence(), workerId),
              JobEvent.Type.CANCELLED, JobState.CANCELLED, null, "cancelled before it started"));
        }
      }
    }
  }

  /**
   * Jobs the store says this worker holds but the worker never received: a claim that committed
   * while its answer was lost (the connection broke as it committed). Nothing would end them while
   * this worker renews its lease, so once seen in {@link #STRANGER_HEARTBEATS} heartbeats in a row
   * and not {@link #known} here, each is handed back (released: its attempt is not used up), fenced
   * by the claim's own fence.
   */
  private void handBackStrangers(HeartbeatResult hb, Instant now) {
    strangers.keySet().retainAll(hb.held());
    for (String id : hb.held()) {
      if (known(id)) {
        strangers.remove(id);
        continue;
      }
      if (strangers.merge(id, 1, Integer::sum) < STRANGER_HEARTBEATS) {
        continue;
      }
      strangers.remove(id);
      try {
        JobInfo j = settings.store().find(id).orElse(null);
        if (j != null && j.state() == JobState.RUNNING && workerId.equals(j.workerId()) && !known(id)) {
          boolean released = settings.store().complete(List.of(Completion.released(id, j.fence(), workerId)), now)
              .get(0);
          LOG.warn("worker {}: the store says it holds job {}, which it never received (a claim whose answer was "
              + "lost); {}", workerId, id, released ? "handed it back" : "it had moved on meanwhile");
        }
      } catch (RuntimeException e) {
        LOG.debug("worker {}: handing back job {} failed; trying again at a later heartbeat", workerId, id, e);
      }
    }
  }

  /**
   * Whether this worker has the job: being started from a claim's answer, claimed ahead (waiting or
   * being started), running, or with an outcome not yet written. The sets are read in the order a job
   * moves through them, and every move adds the job to the next before it leaves the previous, so a
   * job that moves while they are read is still seen.
   */
  private boolean known(String id) {
    return rt.starting.contains(id) || rt.prefetched.contains(id) || rt.inFlight.containsKey(id)
        || rt.unconfirmed.contains(id);
  }

  /**
   * Evaluates the stall detector if its interval passed on the store's clock. Its failures are
   * logged and retried at its next interval; they never stop the housekeeping.
   */
  private void detectStalls(Instant now) {
    dev.spindle.queue.health.StallDetector d = settings.stallDetector();
    if (d == null) {
      return;
    }
    try {
      d.evaluateIfDue(skew.onStoreClock(now));
    } catch (RuntimeException e) {
      LOG.warn("worker {}: stall detection failed; trying again at its next interval", workerId, e);
    }
  }

  private void reclaim(Instant now) {
    List<JobInfo> reclaimed = settings.store().reclaimExpired(now, 1000);
    if (!reclaimed.isEmpty()) {
      LOG.info("worker {} reclaimed {} job(s) of dead workers", workerId, reclaimed.size());
      for (JobInfo j : reclaimed) {
        reporter.emit(JobEvent.Type.RECLAIMED, j, j.state(), now, null, j.state().name());
      }
    }
  }
}
