package dev.spindle.spring.internal;

import dev.spindle.Task;
import dev.spindle.queue.JobOptions;
import dev.spindle.queue.MisfirePolicy;
import dev.spindle.queue.Schedule;
import java.time.Duration;
import java.time.ZoneId;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * One task declared by a bean method ({@code @SpindleTask} and/or {@code @SpindleSchedule}): the
 * task, the options its jobs get and its schedule, if any. Immutable.
 *
 * @param task the task calling the method on its bean
 * @param where the annotation, method and bean, for error messages
 * @param options from the queue's default options to the task's
 * @param schedule the recurring schedule, or {@code null}
 */
public record TaskDeclaration(Task<?, ?> task, String where, UnaryOperator<JobOptions> options,
    @Nullable ScheduleDeclaration schedule) {

  /**
   * A {@code @SpindleSchedule}, checked.
   *
   * @param name the schedule's name
   * @param cron the cron expression, or {@code null} with an interval
   * @param zone the cron's zone
   * @param every the interval, or {@code null} with a cron expression
   * @param args the task's input as JSON
   * @param misfire the misfire policy
   * @param where the annotation, method and bean, for error messages
   */
  public record ScheduleDeclaration(String name, @Nullable String cron, ZoneId zone, @Nullable Duration every,
      String args, MisfirePolicy misfire, String where) {

    /**
     * The schedule of {@code task} whose jobs get {@code options}.
     *
     * @throws IllegalArgumentException naming the method if a value is refused
     */
    public Schedule toSchedule(String task, JobOptions options) {
      try {
        Schedule.Builder b = cron != null ? Schedule.cron(name, cron, zone)
            : Schedule.every(name, java.util.Objects.requireNonNull(every, "every"));
        return b.task(task, args).misfire(misfire).options(options).build();
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
      }
    }
  }
}
