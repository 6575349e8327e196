package dev.spindle.queue.internal;

import dev.spindle.ExecutionLabel;
import dev.spindle.Task;
import dev.spindle.TaskFuture;
import dev.spindle.queue.JobError;
import dev.spindle.queue.JobEvent;
import dev.spindle.queue.JobInfo;
import dev.spindle.queue.JobState;
import dev.spindle.queue.spi.Completion;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the jobs a claim returned: resolves the task (an unknown one is dead-lettered), reads the
 * arguments (unreadable ones are dead-lettered), tells the observer, submits the execution to the
 * worker's executor (wrapped in the job's context on a local model; labelled for a child JVM) and,
 * when the execution ends, turns it into an outcome ({@link OutcomeMapper}) queued for the
 * dispatcher. {@link #startJob} runs on the dispatcher thread, or, for a job claimed ahead
 * ({@link Prefetched}), on the thread that freed its slot; the end of an execution on the
 * executor's.
 */
final class JobLauncher {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerRuntime.class);

  private static final Task<InFlight.Call, Object> RUN_JOB =
      Task.withContext("spindle.queue.job", InFlight.Call.class, Object.class, (call, ctx) -> call.run(ctx));

  /**
   * Set while this thread starts jobs claimed ahead: a job whose end runs inline (already done when
   * its callback is added) then leaves the next start to the loop instead of recursing.
   */
  private final ThreadLocal<boolean[]> starting = ThreadLocal.withInitial(() -> new boolean[1]);

  private final WorkerRuntime rt;
  private final WorkerSettings settings;
  private final String workerId;
  private final OutcomeMapper outcomes;
  private final CompletionReporter reporter;

  JobLauncher(WorkerRuntime rt, WorkerSettings settings, String workerId, OutcomeMapper outcomes,
      CompletionReporter reporter) {
    this.rt = rt;
    this.settings = settings;
    this.workerId = workerId;
    this.outcomes = outcomes;
    this.reporter = reporter;
  }

  /** From the job's due time (enqueue, delay or retry time) to its start; never negative. */
  private static Duration waited(JobInfo job, Instant now) {
    Instant start = job.startedAt() != null ? job.startedAt() : now;
    Instant due = job.runAt() != null && job.runAt().isAfter(job.createdAt()) ? job.runAt() : job.createdAt();
    return start.isAfter(due) ? Duration.between(due, start) : Duration.ZERO;
  }

  /**
   * Starts one claimed job and returns it, or queues its outcome at once if it cannot run and
   * returns null.
   */
  @Nullable InFlight startJob(JobInfo job, long claimedNanos) {
    return startJob(job, claimedNanos, false);
  }

  /**
   * Takes a free slot (counts it running) if there is one: at most {@code concurrency} jobs run,
   * whichever threads start them.
   */
  boolean reserveSlot() {
    while (true) {
      int r = rt.running.get();
      if (r >= settings.concurrency()) {
        return false;
      }
      if (rt.running.compareAndSet(r, r + 1)) {
        return true;
      }
    }
  }

  /**
   * Starts jobs claimed ahead while slots are free, oldest first, once woken parked jobs took theirs
   * ({@link ParkedSleeps}); nothing once the worker stops (the dispatcher hands them back). Any thread.
   */
  void startPrefetched() {
    rt.parked.handOutSlots(); // woken parked jobs first: they were running before
    if (rt.prefetched.size() == 0 || starting.get()[0]) {
      return; // nothing waits, or this thread is in the loop below already (a job that ended inline)
    }
    boolean[] flag = starting.get();
    flag[0] = true;
    try {
      startPrefetchedWhileFree();
    } finally {
      flag[0] = false;
    }
  }

  private void startPrefetchedWhileFree() {
    while (!rt.stopping && rt.prefetched.size() > 0 && reserveSlot()) {
      Prefetched.Held h = rt.prefetched.poll();
      if (h == null) {
        rt.running.decrementAndGet();
        return;
      }
      try {
        startJob(h.job(), h.claimedNanos(), true);
      } catch (RuntimeException e) {
        startFailed(h.job(), e);
      } finally {
        rt.prefetched.placed(h.job().id()); // running now, or its outcome is queued
      }
    }
  }

  /**
   * Ends a job whose {@link #startJob} with a reserved slot threw: that happens before the
   * submission (which it guards itself), so the job's end never gave the slot back. Hands the job
   * back to the store (QUEUED, not a strike).
   */
  void startFailed(JobInfo job, RuntimeException e) {
    LOG.error("worker {}: starting job {} failed; handing it back", workerId, job.id(), e);
    // queued first: the job never looks unknown here (Housekeeper) nor a stopping worker idle
    rt.addDone(new JobOutcome(job, Completion.released(job.id(), job.fence(), workerId), JobEvent.Type.RELEASED,
        JobState.QUEUED, null, "start failed: " + e));
    rt.inFlight.remove(job.id());
    rt.running.decrementAndGet();
  }

  /**
   * Hands back a job of a task this worker does not know (a newer worker enqueued it in a rolling
   * deploy): QUEUED again with its attempt not counted and no strike, for a worker that knows the
   * task; from now on this worker claims only the tasks it knows ({@link WorkerRuntime#knownTasksOnly}).
   */
  private void handBackUnknown(JobInfo job) {
    if (!rt.knownTasksOnly) {
      rt.knownTasksOnly = true;
      LOG.warn("worker {}: job {} is of task '{}', which this worker does not know (known: {}); handing it back"
          + " and claiming only known tasks from now on", workerId, job.id(), job.task(),
          settings.resolver().describeKnown());
    } else {
      LOG.debug("worker {}: handing back job {} of unknown task '{}'", workerId, job.id(), job.task());
    }
    rt.addDone(new JobOutcome(job, Completion.released(job.id(), job.fence(), workerId), JobEvent.Type.RELEASED,
        JobState.QUEUED, null, "unknown task '" + job.task() + "'"));
  }

  /**
   * {@link #startJob(JobInfo, long)}; {@code slotReserved}: the caller already counted the job
   * running ({@link #reserveSlot}), which a job that cannot run gives back.
   */
  @Nullable InFlight startJob(JobInfo job, long claimedNanos, boolean slotReserved) {
    Instant now = settings.clock().instant();
    Duration waited = waited(job, now);
    long startNanos = System.nanoTime();
    Task<?, ?> task = settings.resolver().find(job.task()).orElse(null);
    if (task == null) {
      handBackUnknown(job);
      if (slotReserved) {
        rt.running.decrementAndGet();
      }
      return null;
    }
    Object input;
    boolean sealed = false;
    String plainArgs = job.argsJson();
    try {
      String args = job.argsJson();
      if (dev.spindle.queue.KeyRing.mayHoldEncrypted(args)) {
        args = Sealing.openArgs(settings.keyRing(), job.task(), args);
        sealed = true;
      }
      plainArgs = args;
      input = Payloads.fromJson(settings.codec(), args, task.inputType(),
          "arguments of job " + job.id() + " (task '" + job.task() + "')");
    } catch (dev.spindle.queue.MissingKeyException e) {
      // not the job's fault: it fails under its retry policy, its encrypted arguments untouched, and
      // runs once a worker holding the key retries it
      LOG.warn("job {}: {}", job.id(), e.getMessage());
      JobOutcome o = outcomes.failure(job, e);
      rt.addDone(new JobOutcome(job, o.completion(), o.type(), o.state(), o.error(), o.detail(),
          settings.listeners().started(job, waited), System.nanoTime() - startNanos));
      if (slotReserved) {
        rt.running.decrementAndGet();
      }
      return null;
    } catch (RuntimeException | LinkageError | AssertionError e) {
      // whatever the input type's code throws while reading the arguments (a creator, a static
      // initializer) is the job's problem: it must neither kill the dispatcher nor come back forever
      JobError err = JobError.from(e);
      LOG.warn("job {}: {}; dead-lettered", job.id(), e.getMessage());
      rt.addDone(new JobOutcome(job, Completion.dead(job.id(), job.fence(), workerId, JobInfo.BAD_ARGS, err.toJson()),
          JobEvent.Type.DEAD_LETTERED, JobState.DEAD, err, JobInfo.BAD_ARGS, settings.listeners().started(job, waited),
          System.nanoTime() - startNanos));
      if (slotReserved) {
        rt.running.decrementAndGet();
      }
      return null;
    }
    String cached = memoized(job, plainArgs, now);
    if (cached != null) {
      rt.addDone(new JobOutcome(job, Completion.succeeded(job.id(), job.fence(), workerId, cached),
          JobEvent.Type.SUCCEEDED, JobState.SUCCEEDED, null, "memoized result", settings.listeners().started(job, waited),
          System.nanoTime() - startNanos));
      if (slotReserved) {
        rt.running.decrementAndGet();
      }
      return null;
    }
    InFlight f = new InFlight(job, task, claimedNanos,
        settings.listeners(), waited, startNanos);
    f.memoKey = settings.durable().memoized().containsKey(job.task()) ? Memoization.key(job.task(), plainArgs) : null;
    f.sealed = sealed;
    if (!slotReserved) {
      rt.running.incrementAndGet();
    }
    rt.inFlight.put(job.id(), f);
    reporter.emit(JobEvent.Type.STARTED, job, JobState.RUNNING, now, null, null);
    TaskFuture<Object> tf;
    try {
      tf = submit(f, input);
    } catch (RuntimeException e) {
      rt.addDone(f, outcomes.refused(f, e)); // queued before it leaves inFlight, as in finished
      rt.inFlight.remove(job.id());
      rt.running.decrementAndGet();
      return null;
    }
    f.future = tf;
    tf.onDone(done -> finished(f, done));
    if (f.stopRequested()) {
      f.stop(); // cancelled (or timed out, or lost) between the claim and the submission
    }
    return f;
  }

  @SuppressWarnings("unchecked")
  private TaskFuture<Object> submit(InFlight f, Object input) {
    if (rt.wrapContext) {
      return rt.executor.submit(RUN_JOB, new InFlight.Call(f, input, settings.name(), settings.children(),
          this::durableContext, rt.reports));
    }
    // a child JVM builds its own context: the label carries the job's id and attempt there
    return rt.executor.submit(f.task, input, new ExecutionLabel(f.job.id(), Math.max(1, f.job.attempt()),
        f.attempt().traceContext()));
  }

  /**
   * The durable context of {@code f}'s attempt, made once.
   *
   * @throws UnsupportedOperationException if the store has no durable execution (names the store)
   */
  private dev.spindle.queue.DurableContext durableContext(InFlight f) {
    dev.spindle.queue.spi.JobStore store = settings.store();
    dev.spindle.queue.spi.DurableStore durable = store.durable().orElseThrow(() -> new UnsupportedOperationException(
        "the job store " + store.describe() + " has no durable execution: job " + f.job.id() + " (task '"
        + f.job.task() + "') cannot use DurableContext"));
    String holder = f.job.workerId() != null ? f.job.workerId() : workerId;
    return f.durable(() -> new JobDurability(f, java.util.Objects.requireNonNull(holder), store, durable,
        settings.durable().rules(), settings.codec(), settings.clock(), settings.keyRing(), rt.parked));
  }

  /**
   * The result of an identical call of a memoized task, if the store keeps one: the job succeeds with
   * it without running. Null if the task is not memoized, there is none, or the store cannot keep them.
   */
  private @Nullable String memoized(JobInfo job, String plainArgs, Instant now) {
    Duration ttl = settings.durable().memoized().get(job.task());
    if (ttl == null) {
      return null;
    }
    return settings.store().durable()
        .flatMap(d -> d.cached(Memoization.key(job.task(), plainArgs), now))
        .map(dev.spindle.queue.spi.CachedResult::resultJson)
        .orElse(null);
  }

  private void finished(InFlight f, TaskFuture<Object> tf) {
    f.endNanos = System.nanoTime();
    String id = f.job.id();
    if (rt.inFlight.get(id) != f) {
      return;
    }
    // unconfirmed before it leaves inFlight, and until a store call took its outcome: the job stays
    // known here while its outcome is built (the job's own code, of any length), so the housekeeper
    // never takes it for a claim whose answer was lost and hands it back to run again
    rt.unconfirmed.add(id);
    rt.inFlight.remove(id, f);
    rt.prefetched.ran(f.endNanos - f.startNanos);
    try {
      JobOutcome d = outcomes.finished(f, tf);
      if (d != null) {
        rt.addDone(f, d);
      } else {
        rt.unconfirmed.remove(id); // its lease was lost: no outcome to write
      }
    } catch (RuntimeException | LinkageError | AssertionError e) {
      // building the outcome ran the job's own code (an exception's getMessage, a result getter) and
      // that threw: the job must still end, or it would stay RUNNING under this worker's lease
      rt.addDone(f, outcomes.unrecordable(f, e));
    } finally {
      // only once the outcome is queued: a stopping dispatcher ends when it sees no job running and
      // then no outcome pending, in that order, so it never ends between the two
      rt.running.decrementAndGet();
      startPrefetched(); // the freed slot's next job, if one was claimed ahead
      rt.wakeDispatcherIfWaiting();
    }
  }
}
