package dev.spindle.spring.boot;

import dev.spindle.queue.JobOptions;
import dev.spindle.queue.Schedule;
import dev.spindle.spring.SpindleTaskOptions;
import dev.spindle.spring.internal.TaskDeclaration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The application's {@code @SpindleTask} and {@code @SpindleSchedule} methods as the
 * auto-configuration found them: the options each task declares and the schedules. Immutable and
 * thread-safe.
 */
public final class SpindleTaskDeclarations {
  private final List<TaskDeclaration> declarations;
  private final SpindleTaskOptions options;
  private final Map<String, String> scheduleWhere = new LinkedHashMap<>();

  SpindleTaskDeclarations(List<TaskDeclaration> declarations) {
    this.declarations = List.copyOf(declarations);
    Map<String, UnaryOperator<JobOptions>> byTask = new LinkedHashMap<>();
    for (TaskDeclaration d : this.declarations) {
      byTask.put(d.task().name(), d.options());
      TaskDeclaration.ScheduleDeclaration s = d.schedule();
      if (s != null) {
        String before = scheduleWhere.putIfAbsent(s.name(), s.where());
        if (before != null) {
          throw new IllegalArgumentException("schedule '" + s.name() + "' is defined twice: by " + before + " and by "
              + s.where() + "; rename one");
        }
      }
    }
    this.options = SpindleTaskOptions.of(byTask);
  }

  /** The options the tasks declare. */
  public SpindleTaskOptions options() {
    return options;
  }

  /** The annotated schedules, their jobs getting their task's options on top of {@code defaults}. */
  public List<Schedule> schedules(JobOptions defaults) {
    return declarations.stream().filter(d -> d.schedule() != null)
        .map(d -> java.util.Objects.requireNonNull(d.schedule()).toSchedule(d.task().name(),
            d.options().apply(defaults)))
        .toList();
  }

  /** Which method declares the schedule {@code name}, for error messages. */
  String scheduleWhere(String name) {
    return scheduleWhere.getOrDefault(name, "@SpindleSchedule");
  }
}
