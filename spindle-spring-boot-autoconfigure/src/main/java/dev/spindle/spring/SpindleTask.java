package dev.spindle.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.core.annotation.AliasFor;

/**
 * Declares a method of a Spring bean as a Spindle task, with the options its jobs get, so that the
 * application's worker may run it and the application may enqueue it by name or through
 * {@link SpindleTasks}. Only declared tasks run: the application's task registry (its allow-list)
 * holds exactly the methods annotated so, the {@link dev.spindle.Task} beans and the tasks of
 * {@link dev.spindle.TaskCatalog} beans; a job naming anything else is refused at enqueue and
 * dead-lettered by the worker.
 *
 * <p>The method takes the input (any JSON type, generics included), optionally followed by the
 * {@link dev.spindle.TaskContext}, or no parameter at all (input {@code null}); it returns the
 * output (JSON) or {@code void}. It is called on the bean as Spring exposes it (through its
 * proxy, so {@code @Transactional} applies), on a worker thread; the bean is looked up when the
 * first job runs, so it may itself inject the job queue. The method may also be declared on an
 * interface the bean implements (then {@link SpindleTasks} works for final classes and records).
 *
 * <p>Options: every attribute left at its default inherits the queue's default options
 * ({@code spindle.queue.default-queue}, {@link dev.spindle.queue.RetryPolicy#defaults()}, no
 * timeout). They apply to every job of the task that {@link SpindleEnqueuer} or {@link SpindleTasks}
 * enqueues without explicit {@link dev.spindle.queue.JobOptions}, and to its schedules. Durations
 * are ISO-8601 ({@code PT30S}) or Spring's simple form ({@code 30s}, {@code 5m}, {@code 500ms});
 * string attributes may be {@code ${...}} placeholders. A wrong value fails the application's start
 * with a message naming the bean, the method and the attribute.
 *
 * <pre>{@code
 * @Component
 * class Payments {
 *   @SpindleTask(name = "payments.charge", queue = "payments", maxAttempts = 5, timeout = "30s",
 *       backoffInitial = "2s", backoffMax = "5m", giveUpOn = CardDeclinedException.class)
 *   Receipt charge(Charge charge) { ... }
 * }
 * }</pre>
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface SpindleTask {
  /** Alias of {@link #name()}. */
  @AliasFor("name")
  String value() default "";

  /** The task name: 1-200 letters, digits and {@code . _ - : /}; unique in the application. Required. */
  @AliasFor("value")
  String name() default "";

  /** The queue its jobs go to; empty (the default) for {@code spindle.queue.default-queue}. */
  String queue() default "";

  /** Executions that may fail before a job is FAILED (1 = no retry, at most 1000); 0 inherits (3). */
  int maxAttempts() default 0;

  /** How long one execution may run before it is stopped and counted as failed; empty for no limit. */
  String timeout() default "";

  /** The wait before the first retry; empty inherits (1 s). */
  String backoffInitial() default "";

  /** The longest wait between attempts; empty inherits (10 min). */
  String backoffMax() default "";

  /** Each further wait is this many times longer (1 to 100); negative inherits (2.0). */
  double backoffMultiplier() default -1;

  /** Each wait is spread uniformly by ± this fraction (0 to below 1); negative inherits (0.2). */
  double backoffJitter() default -1;

  /** Only these exception types (and subtypes) are retried; empty retries every exception. */
  Class<? extends Throwable>[] retryOn() default {};

  /** These exception types (and subtypes) fail the job at once; wins over {@link #retryOn()}. */
  Class<? extends Throwable>[] giveUpOn() default {};
}
