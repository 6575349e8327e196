package dev.spindle.spring;

import dev.spindle.queue.MisfirePolicy;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a bean method on a recurring schedule, stored in the job store at start-up like a
 * {@code spindle.schedules.*} property: every worker with {@code spindle.worker.run-schedules=true}
 * may fire it, and each tick becomes exactly one job across all of them.
 *
 * <p>On a {@link SpindleTask} method the schedule enqueues that task with {@link #args()} and the
 * task's options. On a method without {@link SpindleTask}, which must take no parameter (or only
 * the {@link dev.spindle.TaskContext}), it also declares a task named after the schedule. Set
 * exactly one of {@link #cron()} and {@link #every()}. String attributes may be {@code ${...}}
 * placeholders. A schedule name used twice (by annotations, {@code spindle.schedules.*} or
 * {@link dev.spindle.queue.Schedule} beans) fails the application's start, naming both.
 *
 * <pre>{@code
 * @SpindleSchedule(cron = "30 2 * * *", zone = "Europe/Paris")
 * void purgeExpiredCarts() { ... }
 * }</pre>
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface SpindleSchedule {
  /**
   * The schedule's name (the store's key; the same rules as task names); empty for the task's name,
   * or {@code <bean name>.<method name>} on a method without {@link SpindleTask}.
   */
  String name() default "";

  /**
   * A five-field cron expression ({@code minute hour day-of-month month day-of-week}) or a macro
   * such as {@code @daily}.
   */
  String cron() default "";

  /** The time zone of {@link #cron()}, e.g. {@code Europe/Paris}; default UTC. */
  String zone() default "UTC";

  /** A fixed interval instead of a cron expression: ISO-8601 ({@code PT5M}) or Spring's {@code 5m}. */
  String every() default "";

  /** The task's input as JSON text; default {@code null}. */
  String args() default "null";

  /** What to do with ticks missed while no worker ran schedules. */
  MisfirePolicy misfire() default MisfirePolicy.FIRE_ONCE;
}
