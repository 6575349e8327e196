package dev.spindle.queue;

import dev.spindle.TaskContext;
import dev.spindle.retry.Retry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Durable execution inside a job of the durable queue: steps whose results survive a crash, durable
 * timers, signals and waits for other jobs. Reach it from the task's context with {@link #of}; present for a job run by a
 * {@link Worker} in its own JVM (the {@code SEQUENTIAL}, {@code THREADS}, {@code VIRTUAL} and {@code
 * COROUTINE} models, and so the jobs of the {@code DISTRIBUTED} model), absent elsewhere.
 *
 * <pre>{@code
 * Task<Order, Receipt> FULFIL = Task.withContext("fulfil", Order.class, Receipt.class, (order, tc) -> {
 *   DurableContext ctx = DurableContext.of(tc).orElseThrow();
 *   Charge charge = ctx.step("charge", Charge.class, () -> payments.charge(order, ctx.stepKey()));
 *   ctx.sleep(Duration.ofHours(1));                       // the slot is given back meanwhile
 *   Optional<Approval> ok = ctx.awaitSignal("approval", Approval.class, Duration.ofDays(2));
 *   return new Receipt(charge, ok.isPresent());
 * });
 * queue.signal(jobId, "approval", new Approval("alice"));
 * }</pre>
 *
 * <p>Semantics: a step's record is written at most once per (job, name, occurrence) and only under
 * the job's current fencing token; its body runs at least once (again if the attempt ended before
 * the record committed), so pass {@link #stepKey()} to outside services as an idempotency key. Code
 * outside steps runs again on every attempt and must not read clocks, randomness or I/O (use {@link
 * #now()}, {@link #randomUuid()} and steps). A job whose calls no longer match its records (the k-th
 * call has another name than the k-th record) fails DEAD {@code nondeterministic} naming the first
 * mismatch, or goes on by name under {@link DurableRules.Divergence#WARN}. Results are JSON (the
 * worker's codec); for a job with encrypted arguments they are stored encrypted too.
 *
 * <p>Errors: a store without durable execution makes {@link #of} throw {@link
 * UnsupportedOperationException} naming the store; a limit of {@link DurableRules} ends the job DEAD
 * ({@link DurableJobException}). Not thread-safe: call it from the task's own thread, one call at a
 * time.
 */
public interface DurableContext {
  /**
   * The durable context of the job behind {@code context}, if it is a queue job run in the worker's
   * JVM; empty otherwise.
   *
   * @throws UnsupportedOperationException if the job's store has no durable execution (names the store)
   */
  static Optional<DurableContext> of(TaskContext context) {
    return context instanceof Source s ? Optional.of(s.durable()) : Optional.empty();
  }

  /** Implemented by the contexts of queue jobs: where {@link #of} finds the durable context. */
  interface Source {
    /**
     * The job's durable context.
     *
     * @throws UnsupportedOperationException if the job's store has no durable execution
     */
    DurableContext durable();
  }

  /** A step's body: computes the value to record. */
  @FunctionalInterface
  interface Body<T extends @Nullable Object> {
    /** Computes the value; what it throws fails the attempt (nothing is recorded). */
    T run() throws Exception;
  }

  /**
   * Runs {@code body} unless this job recorded the step ({@code name}, occurrence) already, records
   * its JSON result, and returns it; on later attempts returns the recorded value without running.
   * A failure is not recorded: the job's retry policy decides, and the next attempt runs the body
   * again.
   *
   * @param name 1 to 200 characters, no {@code #} or {@code /}, not starting with {@code ~}
   * @throws DurableJobException if a limit refuses the step (before the body runs, where it can)
   * @throws Exception what the body throws
   */
  <T extends @Nullable Object> T step(String name, Class<T> type, Body<T> body) throws Exception;

  /**
   * {@link #step(String, Class, Body)} whose body is retried inside the attempt by {@code retry}; only
   * the final success is recorded.
   */
  <T extends @Nullable Object> T step(String name, Class<T> type, Retry retry, Body<T> body) throws Exception;

  /**
   * The idempotency key of the step running now, {@code <jobId>/<name>#<occurrence>}: the same on
   * every attempt.
   *
   * @throws IllegalStateException outside a step's body
   */
  String stepKey();

  /**
   * Sleeps durably: records a timer (at the store's time plus {@code duration}), ends the attempt and
   * gives the worker's slot back; the job runs again at the timer's time on any worker and, on
   * that attempt, {@code sleep} returns at once. Sleeps shorter than {@link DurableRules#inlineSleep()}
   * are slept in place. On a virtual-thread worker, sleeps up to {@link DurableRules#parkedSleep()}
   * park instead: the slot is given back, the job keeps its lease and goes on in place when the timer
   * fires (ahead of new claims), with no reload of its records; a crash leaves the timer to the store,
   * and a stopping worker suspends its parked jobs there. A job with a timeout always suspends.
   *
   * @throws IllegalArgumentException if {@code duration} is negative
   */
  void sleep(Duration duration) throws InterruptedException;

  /**
   * The next signal {@code name} sent to this job ({@link JobQueue#signal}), waiting for it without
   * holding a slot for at most {@code timeout}; empty if it timed out. A signal sent before the job
   * waits is kept and taken here; the k-th call of a name takes the k-th signal taken.
   */
  <T> Optional<T> awaitSignal(String name, Class<T> type, Duration timeout) throws InterruptedException;

  /**
   * Waits for job {@code jobId} (any queue of this store) to end, without holding a slot for at most
   * {@code timeout}, and returns how it came out: its result as {@code resultType}, its end without
   * one (FAILED, DEAD, CANCELLED), {@link AwaitedJob.Status#TIMED_OUT}, or {@link
   * AwaitedJob.Status#REMOVED} if it was removed while awaited. The outcome is recorded as a step, so
   * every later attempt returns it at once; the wait's deadline is kept with the wait, so a resume does
   * not extend it. A job that ended before the call is found at once (no suspension).
   *
   * @throws IllegalArgumentException if {@code jobId} is this job, or names no job (never created or
   *     already removed when the call first looks), or {@code timeout} is negative
   */
  <T> AwaitedJob<T> awaitJob(String jobId, Class<T> resultType, Duration timeout) throws InterruptedException;

  /** {@link #awaitJob(String, Class, Duration)} of the job behind {@code job}. */
  default <T> AwaitedJob<T> awaitJob(JobHandle<?> job, Class<T> resultType, Duration timeout)
      throws InterruptedException {
    return awaitJob(job.id(), resultType, timeout);
  }

  /**
   * Waits for every job of a workflow to end, one {@link #awaitJob} after the other in node order,
   * within {@code timeout} in all (measured from the first call, recorded by {@link #now()}), and
   * returns their outcomes (results as JSON) in node order. Once the time is up, the jobs not yet
   * ended come back {@link AwaitedJob.Status#TIMED_OUT}.
   */
  default List<AwaitedJob<JsonNode>> awaitWorkflow(WorkflowHandle workflow,
      Duration timeout) throws Exception {
    Instant deadline = now().plus(timeout);
    List<AwaitedJob<JsonNode>> out = new ArrayList<>();
    for (String id : workflow.ids()) {
      Duration left = Duration.between(now(), deadline);
      out.add(awaitJob(id, JsonNode.class, left.isNegative() ? Duration.ZERO : left));
    }
    return out;
  }

  /** The time, recorded as a step: the same on every attempt. */
  Instant now() throws Exception;

  /** A random UUID, recorded as a step: the same on every attempt. */
  UUID randomUuid() throws Exception;
}
